"""The profile form: the one place a profile's rules live (pages and the `org_profiles` import use it)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jinguo.core.forms import ExactDecimalField, ScopedModelForm
from jinguo.core.models import CodeItem
from jinguo.grassroots import services
from jinguo.grassroots.models import KIND_TABLE, OrgProfile
from jinguo.orgs.services import resolve_unit


class OrgProfileForm(ScopedModelForm):
    """Unit, kind, chair (by name, linked to the talent pool when she is there), 执委, 妇女之家, funding, 换届."""

    funding = ExactDecimalField(label=_("工作经费(元)"), min_value=0, max_digits=14, decimal_places=2, required=False,
                                help_text=_("本年度工作经费，单位：元"))

    class Meta:
        model = OrgProfile
        fields = ["org", "kind", "chair_name", "chair", "executives", "has_home", "home_address", "funding",
                  "elected_on", "note"]
        widgets = {"elected_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = CodeItem.objects.of(KIND_TABLE)
        if "org" in self.fields:
            self.fields["org"].label = _("单位")
            self.fields["org"].error_messages["invalid_choice"] = _("单位不存在，或不在您的管辖范围内。")
        self.fields["chair"].required = False
        self.fields["chair"].error_messages["invalid_choice"] = _("所选人才不存在，或不在您的管辖范围内。")
        self.fields["executives"].max_value = 999
        self.fields["executives"].widget.attrs["max"] = 999

    def clean_funding(self):
        return self.cleaned_data.get("funding") or 0

    def clean(self):
        cleaned = super().clean()
        chair, name = cleaned.get("chair"), (cleaned.get("chair_name") or "").strip()
        if chair is not None and not name:
            cleaned["chair_name"] = chair.person.name
        elif chair is not None and name and chair.person.name != name:
            self.add_error("chair", _("所选人才库记录的姓名与“主席姓名”不一致。"))
        elif chair is None and name and "chair" not in self.errors:
            cleaned["chair"] = services.match_chair(name, self.fields["chair"].queryset)
        if cleaned.get("has_home") is False and (cleaned.get("home_address") or "").strip():
            self.add_error("home_address", _("没有妇女之家时不填地址；有妇女之家请勾选“妇女之家”。"))
        return cleaned


class OrgProfileImportForm(OrgProfileForm):
    """An `org_profiles` row: the unit by its code as the office writes it (with or without the leading digits of
    the unit importing the file), 妇女之家 as 有/无 or its address."""

    unit_code = forms.CharField(label=_("单位编码"), max_length=40)
    home = forms.CharField(label=_("妇女之家"), max_length=200, required=False)

    class Meta(OrgProfileForm.Meta):
        fields = ["kind", "chair_name", "chair", "executives", "funding", "elected_on"]

    NO = {"无", "否", "没有", "n", "no", "false", "0", "×"}
    YES = {"有", "是", "y", "yes", "true", "1", "√", "✓"}

    def clean_unit_code(self):
        code = self.cleaned_data["unit_code"].strip()
        root = self.scope_org
        unit = resolve_unit(code, root) if root is not None else None
        if unit is None:
            raise forms.ValidationError(_("单位编码“%(code)s”在%(root)s及其下级单位中不存在（可写完整编码，也可省略"
                                          "本单位编码%(prefix)s开头的数字）。") % {
                "code": code, "root": root.name if root else "", "prefix": root.code if root else ""})
        if self.instance.pk is not None and self.instance.org_id != unit.pk:
            raise forms.ValidationError(_("单位编码与已有档案不一致。"))
        self.instance.org = unit
        return unit.code

    def clean_home(self):
        text = (self.cleaned_data.get("home") or "").strip()
        if "home" not in self.data:  # no 妇女之家 column in the file: the stored values stay
            return text
        if text.lower() in self.NO or text == "":
            self.instance.has_home, self.instance.home_address = False, ""
        elif text.lower() in self.YES:
            self.instance.has_home = True
        else:  # an address: there is one, here
            self.instance.has_home, self.instance.home_address = True, text
        return text

    def clean(self):
        cleaned = super().clean()
        self.cleaned_data["has_home"] = self.instance.has_home
        return cleaned
