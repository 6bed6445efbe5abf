"""Forms for the catalogue: local indicators and validation rules (the expression grammar is checked on save)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from jinguo.core.forms import ExactDecimalField, ScopedModelForm
from jinguo.monitoring.models import DataValue, Indicator, ValidationRule


class IndicatorForm(ScopedModelForm):
    class Meta:
        model = Indicator
        fields = ["outline", "domain", "code", "name", "unit", "kind", "numerator", "denominator", "multiplier",
                  "target", "direction", "target_year", "agency_type", "org"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].required = True
        self.fields["org"].label = _("所属单位（地方指标）")

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        import re

        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", code):
            raise forms.ValidationError(_("指标代码只能用大写字母、数字和下划线，以字母开头（校验规则中按代码引用）。"))
        return code

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Indicator.Kind.RATE and not (cleaned.get("numerator") and cleaned.get("denominator")):
            raise forms.ValidationError(_("比率指标须指定分子和分母指标，汇总时由分子分母重新计算。"))
        return cleaned


class RuleForm(ScopedModelForm):
    class Meta:
        model = ValidationRule
        fields = ["code", "name", "left", "operator", "right", "importance", "missing", "message", "is_active"]
        help_texts = {"left": _("如 W_EDU_03 或 C_HEALTH_01A + C_HEALTH_01B；上期值写 W_EDU_03[previous]")}


class GridNumberField(ExactDecimalField):
    """One cell of the data-entry grid: an exact figure as people write it (core.forms.ExactDecimalField: 300, not
    300.00), thousands separators allowed; NaN, infinities and values beyond what the column keeps are refused with
    a message naming the value (Django's DecimalField checks the digits)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(",", "").replace("，", "").strip()
        try:
            number = super().to_python(value)
        except forms.ValidationError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid",
                                        params={"value": str(value)[:40]}) from exc
        if number is not None and number.is_finite() and number.adjusted() < 20 and \
                number.as_tuple().exponent < -self.decimal_places:
            number = number.quantize(Decimal(1).scaleb(-self.decimal_places))  # the column rounds, so the form does
        return number


class GridForm(forms.Form):
    """The grid of one data set: `v_<indicator id>` (value) and `c_<indicator id>` (comment) per indicator."""

    def __init__(self, *args, indicators, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        value_field = DataValue._meta.get_field("value")
        self.indicators = list(indicators)
        too_long = _("“%(value)s”超出可填写的范围：整数部分最多%(whole)d位，小数最多%(places)d位。") % {
            "value": "%(value)s", "whole": value_field.form_max_digits - value_field.places,
            "places": value_field.places}
        for indicator in self.indicators:
            self.fields[f"v_{indicator.pk}"] = GridNumberField(
                label=indicator.name, required=False, max_digits=value_field.form_max_digits,
                decimal_places=value_field.places, error_messages={
                    "invalid": _("“%(value)s”不是数字，请填写数值（可带小数）。"),
                    "max_digits": too_long, "max_whole_digits": too_long, "max_decimal_places": too_long,
                })
            self.fields[f"c_{indicator.pk}"] = forms.CharField(label=_("说明"), required=False, max_length=300)

    def values(self) -> dict:
        """{indicator: (value or None, comment)} for the service."""
        return {i: (self.cleaned_data.get(f"v_{i.pk}"), self.cleaned_data.get(f"c_{i.pk}", "").strip())
                for i in self.indicators}

    def cell_errors(self) -> dict[int, str]:
        """Indicator id → the message shown beside its cell."""
        errors = {}
        for indicator in self.indicators:
            messages = [*self.errors.get(f"v_{indicator.pk}", []), *self.errors.get(f"c_{indicator.pk}", [])]
            if messages:
                errors[indicator.pk] = "；".join(messages)
        return errors


class ReasonForm(forms.Form):
    """The reason of 退回 or 重新打开, typed beside its button (the service says so when it is left blank)."""

    placeholder = _("原因")

    reason = forms.CharField(label=_("原因"), required=False, max_length=500)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = self.placeholder
        self.fields["reason"].widget.attrs.update({"class": "form-control", "placeholder": self.placeholder,
                                                   "aria-label": self.placeholder, "required": True})


class ReturnForm(ReasonForm):
    placeholder = _("退回原因")


class ReopenForm(ReasonForm):
    placeholder = _("重新打开的原因")
