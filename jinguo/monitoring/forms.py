"""Forms for the catalogue: local indicators and validation rules (the expression grammar is checked on save)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jinguo.core.forms import ScopedModelForm
from jinguo.monitoring.models import Indicator, ValidationRule


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
