from django import forms
from django.utils.translation import gettext_lazy as _

from jinguo.core.forms import PeriodFormField, ScopedModelForm
from jinguo.reports.models import Summary, SummaryTemplate


class SummaryForm(ScopedModelForm):
    class Meta:
        model = Summary
        fields = ["org", "period", "scope", "rounded", "share_places", "highlights", "red_header", "template"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].label = _("单位")
        self.fields["highlights"].required = False  # left empty: the default (3)

    def clean_highlights(self) -> int:
        value = self.cleaned_data.get("highlights")
        return Summary._meta.get_field("highlights").default if value in (None, "") else value


class ReturnForm(forms.Form):
    period = PeriodFormField(label=_("统计期"))
    # At least 3: a threshold of 1 hid nothing, 2 only the ones — the sender could switch the protection off.
    threshold = forms.IntegerField(label=_("小数值隐藏阈值"), min_value=3, max_value=20, initial=5,
                                   help_text=_("敏感类别（家庭暴力、涉及未成年人）少于此数的格子显示为“<5”"))


class SummaryTemplateForm(ScopedModelForm):
    """An office's own .docx template; the file is checked by reports.services.check_template."""

    class Meta:
        model = SummaryTemplate
        fields = ["org", "name", "file"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].label = _("单位")
        self.fields["file"].help_text = _("Word .docx，5 MB 以内；在版头、主送之后单独一段写 {{ 正文 }}，"
                                          "可用 {{ 标题 }}、{{ 落款 }}、{{ 日期 }}、{{ 单位 }}、{{ 统计期 }}")

    def clean_file(self):
        from django.core.exceptions import ValidationError

        from jinguo.reports.services import check_template

        upload = self.cleaned_data.get("file")
        if upload is None:
            raise ValidationError(_("请选择模板文件。"))
        check_template(upload)
        return upload
