from django import forms
from django.utils.translation import gettext_lazy as _

from jinguo.core.forms import PeriodFormField, ScopedModelForm
from jinguo.reports.models import Summary


class SummaryForm(ScopedModelForm):
    class Meta:
        model = Summary
        fields = ["org", "period", "scope", "rounded", "share_places"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].label = _("单位")


class ReturnForm(forms.Form):
    period = PeriodFormField(label=_("统计期"))
    threshold = forms.IntegerField(label=_("小数值隐藏阈值"), min_value=1, max_value=20, initial=5,
                                   help_text=_("敏感类别（家庭暴力、涉及未成年人）少于此数的格子显示为“<5”"))
