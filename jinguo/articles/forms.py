"""Forms of information work: the report itself (pages and the `articles` import), adoption and forwarding."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinguo.articles.models import Article
from jinguo.core.forms import ScopedModelForm
from jinguo.core.scope import ancestor_paths, scope_paths
from jinguo.core.text import split_list
from jinguo.orgs.models import OrgUnit

DATE = {"type": "date"}


class ArticleForm(ScopedModelForm):
    """Title, date sent, author, unit, and where it went: a unit above (it sees the report and may adopt it) or an
    outside body in text."""

    class Meta:
        model = Article
        fields = ["org", "title", "sent_on", "author", "sent_to", "sent_to_text", "body"]
        widgets = {"sent_on": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
                   "body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].label = _("报送单位")
        self.fields["org"].error_messages["invalid_choice"] = _("单位不存在，或不在您的管辖范围内。")
        # The units above: those over the user's own units (and, for a report of a unit below, those in between).
        if "sent_to" in self.fields:
            roots = scope_paths(self.user, Article.scope_roles["add"]) if self.user is not None else (
                [self.scope_org.path] if self.scope_org is not None else [])
            paths = {p for root in roots for p in ancestor_paths(root)} | set(roots)
            queryset = OrgUnit.objects.filter(path__in=paths).exclude(level="agency")
            if self.user is not None:
                queryset = queryset | OrgUnit.objects.visible_to(self.user, "view").exclude(level="agency")
            self.fields["sent_to"].queryset = self.keep_current("sent_to", queryset.distinct().order_by("path"))
            self.fields["sent_to"].error_messages["invalid_choice"] = _("请从列表中选择上级单位。")

    def clean(self):
        cleaned = super().clean()
        org, sent_to = cleaned.get("org") or getattr(self.instance, "org", None), cleaned.get("sent_to")
        if sent_to is not None and org is not None and not (org.path.startswith(sent_to.path)
                                                             and sent_to.path != org.path):
            self.add_error("sent_to", _("“%(to)s”不是%(org)s的上级单位；报送给外部单位请填在“报送单位（外部）”。") % {
                "to": sent_to.name, "org": org.name})
        sent_on = cleaned.get("sent_on")
        if sent_on and sent_on > timezone.localdate():
            self.add_error("sent_on", _("报送日期不能晚于今天。"))
        return cleaned


class ArticleImportForm(ArticleForm):
    """An `articles` row: 标题, 报送日期, 作者, 采用单位 (several separated by 、; blank when not adopted)."""

    adopters = forms.CharField(label=_("采用单位"), max_length=500, required=False)

    class Meta(ArticleForm.Meta):
        fields = ["org", "title", "sent_on", "author"]

    def clean_adopters(self) -> list[str]:
        names = split_list(self.cleaned_data.get("adopters") or "")
        if any(len(name) > 100 for name in names):
            raise forms.ValidationError(_("采用单位名称不能超过100个字。"))
        return names


class AdoptForm(forms.Form):
    """采用: the date and an optional note (which column, which issue)."""

    on = forms.DateField(label=_("采用日期"), widget=forms.DateInput(attrs=DATE), required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ForwardForm(forms.Form):
    """转报: to a unit above the one the report reached."""

    to_org = forms.ModelChoiceField(label=_("转报至"), queryset=OrgUnit.objects.none(),
                                    error_messages={"invalid_choice": _("请从列表中选择上级单位。")})
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, above: OrgUnit | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if above is not None:
            self.fields["to_org"].queryset = OrgUnit.objects.filter(path__in=ancestor_paths(above.path)).order_by(
                "-depth")


class RecordAdoptionForm(forms.Form):
    """The sender records an outside body's adoption (报刊, 党委办公室 …)."""

    adopter_text = forms.CharField(label=_("采用单位"), max_length=100,
                                   help_text=_("如：县委办公室、中国妇女报、湖南日报"))
    on = forms.DateField(label=_("采用日期"), widget=forms.DateInput(attrs=DATE), required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
