"""The activity form: the one place the rules of an activity and its figures live (pages and imports use it)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from jinguo.core.forms import ExactDecimalField, ScopedModelForm
from jinguo.core.models import CodeItem
from jinguo.core.text import split_list
from jinguo.ledger.models import Activity, Measure, PlanItem

MEASURE_PREFIX = "m_"


class ActivityForm(ScopedModelForm):
    """Kind, title, dates, place, themes, partners, description — and one number field per measure."""

    partners = forms.CharField(label=_("合作单位"), required=False, max_length=500,
                               help_text=_("多个单位用顿号或逗号分隔，如：县司法局、县就业局"))

    class Meta:
        model = Activity
        fields = ["org", "kind", "title", "start_date", "end_date", "place", "themes", "partners", "description"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "themes": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, measures: list[Measure] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = CodeItem.objects.of("activity_kind")
        self.fields["themes"].queryset = CodeItem.objects.of("activity_theme")
        self.fields["end_date"].required = False
        self.fields["end_date"].help_text = _("不填则与开始日期相同")
        self.fields["org"].label = _("主办单位")
        self.fields["org"].error_messages["invalid_choice"] = _("单位不存在，或不在您的管辖范围内。")
        self.measures = measures if measures is not None else list(Measure.objects.filter(is_active=True))
        current = {}
        if self.instance.pk:
            current = {f.measure_id: f.value for f in self.instance.figures.all()}
            self.initial["partners"] = "、".join(p.name for p in self.instance.partners.all())
        for measure in self.measures:
            field = ExactDecimalField(label=measure.header, required=False, min_value=0, max_digits=16,
                                       decimal_places=2 if measure.kind == Measure.Kind.MONEY else 0,
                                       widget=forms.NumberInput(attrs={"class": "figure", "min": 0,
                                                                       "step": "0.01" if measure.kind == "money"
                                                                       else "1"}))
            field.error_messages["max_decimal_places"] = (
                _("金额最多两位小数。") if measure.kind == Measure.Kind.MONEY else _("应为整数。"))
            self.fields[MEASURE_PREFIX + measure.code] = field
            if measure.pk in current:
                self.initial[MEASURE_PREFIX + measure.code] = current[measure.pk]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and not end:
            cleaned["end_date"] = end = start
            self.instance.end_date = end
        if start and end and end < start:
            self.add_error("end_date", _("结束日期（%(end)s）早于开始日期（%(start)s）。") % {
                "end": end, "start": start})
        return cleaned

    def figures(self) -> dict[Measure, Decimal]:
        """The figures entered (blank fields are not figures; zero is)."""
        out = {}
        for measure in self.measures:
            value = self.cleaned_data.get(MEASURE_PREFIX + measure.code)
            if value is not None:
                out[measure] = value
        return out

    def partner_names(self) -> list[str]:
        return split_list(self.cleaned_data.get("partners", ""))

    def measure_fields(self):
        return [self[MEASURE_PREFIX + m.code] for m in self.measures]

    def main_fields(self):
        return [self[name] for name in self.Meta.fields if name != "themes"]


class PlanItemForm(ScopedModelForm):
    class Meta:
        model = PlanItem
        fields = ["org", "period", "title", "description", "status", "order", "activities"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].label = _("负责单位")
        self.fields["activities"].required = False
        self.fields["activities"].queryset = self.fields["activities"].queryset.order_by("-start_date")


class MeasureForm(ScopedModelForm):
    """The system administrator adds measures or edits names, units and aliases (codes stay fixed once used)."""

    class Meta:
        model = Measure
        fields = ["code", "name", "unit", "kind", "direction", "aliases", "phrase", "order", "is_active"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
