"""Case forms. The intake form is laid out for a hotline operator typing while on the phone."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from jinguo.core.forms import IdNumberField, PersonalModelForm, PhoneField, ScopedModelForm
from jinguo.core.models import CodeItem
from jinguo.orgs.models import OrgUnit
from jinguo.petitions.models import (
    STATUTE_DAYS,
    Case,
    ClosureResult,
    DomesticViolence,
    FollowUp,
    Petitioner,
    TimeLimits,
)
from jinguo.petitions.services import PetitionerData


class CaseForm(ScopedModelForm):
    """Case facts plus the primary petitioner's registration-form fields.

    Those are 姓名、性别、年龄、婚姻状况、住址、联系方式, as the 妇联 registration form records them."""

    name = forms.CharField(label=_("信访人姓名"), max_length=50, required=False)
    sex = forms.ChoiceField(label=_("性别"), choices=Petitioner.Sex.choices, initial=Petitioner.Sex.FEMALE)
    age = forms.IntegerField(label=_("年龄"), min_value=0, max_value=120, required=False)
    marital_status = forms.ChoiceField(label=_("婚姻状况"), choices=Petitioner.Marital.choices, required=False)
    phone = PhoneField(label=_("联系电话"), required=False)
    id_number = IdNumberField(label=_("身份证号"), required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)

    PETITIONER_FIELDS = ("name", "sex", "age", "marital_status", "phone", "id_number", "address")

    class Meta:
        model = Case
        fields = ["org", "received_at", "channel", "petition_type", "category", "subcategory", "summary", "demands",
                  "is_collective", "headcount", "flag_dv", "flag_minor", "flag_urgent", "flag_escalation",
                  "risk_colour", "is_typical"]
        widgets = {
            "received_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "channel": forms.RadioSelect,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "demands": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].label = _("登记单位")
        self.fields["channel"].queryset = CodeItem.objects.of("petition_channel")
        self.fields["channel"].empty_label = None
        self.fields["category"].queryset = CodeItem.objects.of("petition_category").filter(parent__isnull=True)
        self.fields["subcategory"].queryset = (CodeItem.objects.of("petition_category").filter(parent__isnull=False)
                                               .select_related("parent"))
        self.fields["subcategory"].label_from_instance = lambda item: f"{item.parent.name} › {item.name}"
        # The page offers only the chosen category's subcategories (jinguo/static/jinguo/app.js reads the table).
        self.fields["subcategory"].widget.attrs.update({"data-depends-on": self["category"].auto_id,
                                                        "data-options": "subcategory-options"})
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["risk_colour"].help_text = _("不选则按类别和标记自动判断")
        self.fields["headcount"].validators.append(MinValueValidator(1, message=_("人数至少为1人。")))
        self.fields["headcount"].widget.attrs["min"] = 1
        self.fields["org"].error_messages["invalid_choice"] = _("单位不存在，或不在您的管辖范围内。")
        if self.instance.pk:
            for name in self.PETITIONER_FIELDS:
                self.fields.pop(name)

    def clean(self):
        cleaned = super().clean()
        category, subcategory = cleaned.get("category"), cleaned.get("subcategory")
        if subcategory and category and subcategory.parent_id != category.pk:
            self.add_error("subcategory", _("“%(sub)s”不属于“%(cat)s”。") % {"sub": subcategory.name,
                                                                           "cat": category.name})
        return cleaned

    def subcategory_options(self) -> dict[str, list[tuple[int, str]]]:
        """{category id: [(subcategory id, label), …]} for the page's JSON block that the subcategory select follows."""
        field = self.fields["subcategory"]
        table: dict[str, list[tuple[int, str]]] = {}
        for item in field.queryset:
            table.setdefault(str(item.parent_id), []).append((item.pk, field.label_from_instance(item)))
        return table

    def petitioner(self) -> PetitionerData:
        data = self.cleaned_data
        return PetitionerData(name=data.get("name", ""), sex=data.get("sex", "F"), age=data.get("age"),
                              marital_status=data.get("marital_status", ""), id_number=data.get("id_number", ""),
                              phone=data.get("phone", ""), address=data.get("address", ""))

    def case_fields(self):
        return [self[name] for name in self.Meta.fields if name not in ("channel", "summary", "demands")
                and not name.startswith("flag_") and name in self.fields]

    def petitioner_fields(self):
        return [self[name] for name in self.PETITIONER_FIELDS if name in self.fields]

    def flag_fields(self):
        return [self[name] for name in ("flag_dv", "flag_minor", "flag_urgent", "flag_escalation")]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200, widget=forms.TextInput(attrs={"autofocus": True}))


def _today():
    return timezone.localdate()


class StyledFormMixin:
    """Bootstrap classes on the widgets (form-control, form-select, form-check-input) and `is-invalid` on a field
    with errors, so the message sits beside the field it is about."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if field.required:
                widget.attrs["aria-required"] = "true"

    def add_error(self, field, error) -> None:
        super().add_error(field, error)
        for name in ([field] if field else []) if not isinstance(error, dict) else list(error):
            if name in self.fields and "is-invalid" not in self.fields[name].widget.attrs.get("class", ""):
                self.fields[name].widget.attrs["class"] += " is-invalid"


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NoteForm(StyledFormMixin, forms.Form):
    """A workflow step's note and date; the date defaults to today (a step recorded later is dated back by hand).
    `date_label` names the date for the step (受理日期, 答复日期 …), so the message beside it says which."""

    date_label = _("日期")

    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    on = forms.DateField(label=_("日期"), required=False, initial=_today, widget=_date_input())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].label = self.date_label


class AcceptForm(NoteForm):
    date_label = _("受理日期")


class ReviewForm(NoteForm):
    date_label = _("复查申请日期")


class TransferForm(NoteForm):
    date_label = _("转送日期")
    to = forms.CharField(label=_("转送单位"), max_length=100, error_messages={"required": _("请填写转送单位。")})

    field_order = ["to", "on", "note"]


class RejectForm(NoteForm):
    date_label = _("告知日期")
    reason = forms.CharField(label=_("不予受理理由"), widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("将告知信访人，请写明依据"),
                             error_messages={"required": _("请填写不予受理的理由。")})

    field_order = ["reason", "on", "note"]


class ReplyForm(NoteForm):
    date_label = _("答复日期")
    reply = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 3}),
                            error_messages={"required": _("请填写答复内容。")})

    field_order = ["reply", "on", "note"]


class ExtendForm(StyledFormMixin, forms.Form):
    days = forms.IntegerField(label=_("延期天数"), min_value=1, max_value=STATUTE_DAYS["extension_max_days"],
                              help_text=format_lazy(_("最多{max}日，只能延期一次"),
                                                    max=STATUTE_DAYS["extension_max_days"]))
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("需告知信访人"))


class ReferForm(NoteForm):
    date_label = _("转介日期")
    agency_type = forms.ModelChoiceField(label=_("转介部门类型"), queryset=CodeItem.objects.none(),
                                         empty_label=_("请选择"))
    unit_name = forms.CharField(label=_("接收单位"), max_length=100, error_messages={"required": _("请填写接收单位。")})

    field_order = ["agency_type", "unit_name", "on", "note"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency_type"].queryset = CodeItem.objects.of("referral_agency")


class FollowUpForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["on", "method", "satisfaction", "note"]
        widgets = {"on": _date_input(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = _today
        for name in ("method", "satisfaction"):  # no answer picked for the clerk: she asks and chooses
            self.fields[name].choices = [("", _("请选择")), *(c for c in self.fields[name].choices if c[0])]


class CloseForm(NoteForm):
    """办结: the result is chosen, never pre-selected (a blank first option, required)."""

    date_label = _("办结日期")
    result = forms.ChoiceField(label=_("办结结果"), choices=[("", _("请选择办结结果")), *ClosureResult.choices],
                               error_messages={"required": _("请选择办结结果。")})

    field_order = ["result", "on", "note"]


class AssignForm(NoteForm):
    date_label = _("交办日期")
    to_org = forms.ModelChoiceField(label=_("承办单位"), queryset=None, empty_label=_("请选择下级单位"))
    due_on = forms.DateField(label=_("反馈期限"), widget=_date_input(),
                             initial=lambda: timezone.localdate() + dt.timedelta(days=15))

    field_order = ["to_org", "due_on", "note"]

    def __init__(self, *args, case=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)

        del self.fields["on"]  # 交办 is dated by the service (today); only the report-back deadline is chosen
        self.fields["to_org"].queryset = (OrgUnit.objects.filter(path__startswith=case.org.path)
                                          .exclude(pk=case.org_id).exclude(level="village").order_by("path")
                                          if case else OrgUnit.objects.none())


class ReportForm(forms.Form):
    report = forms.CharField(label=_("反馈内容"), widget=forms.Textarea(attrs={"rows": 3}))


class DomesticViolenceForm(PersonalModelForm):
    """The abuser's ID number is shown masked (core.forms.PersonalDataMixin) and kept when sent back unchanged."""

    abuser_id_number = IdNumberField(label=_("施暴人身份证号"), required=False)

    class Meta:
        model = DomesticViolence
        fields = ["abuser_relation", "abuser_id_number", "police_called", "warning_letter_on", "warning_letter_no",
                  "order_applied_by", "order_applied_on", "order_granted", "order_expires_on", "shelter",
                  "legal_aid", "counselling"]
        widgets = {name: forms.DateInput(attrs={"type": "date"}) for name in
                   ("warning_letter_on", "order_applied_on", "order_expires_on")}

    def clean(self):
        cleaned = super().clean()
        applied, expires = cleaned.get("order_applied_on"), cleaned.get("order_expires_on")
        if applied and expires and (expires - applied).days > 200:
            self.add_error("order_expires_on", _("人身安全保护令有效期不超过6个月。"))
        return cleaned


class TimeLimitsForm(ScopedModelForm):
    class Meta:
        model = TimeLimits
        fields = ["org", "accept_days", "handle_days", "extension_max_days", "review_days", "due_soon_days"]

    def clean(self):
        cleaned = super().clean()
        for name, statute in STATUTE_DAYS.items():
            value = cleaned.get(name)
            if value is not None and not 1 <= value <= statute:
                self.add_error(name, _("应在1到%(max)d日之间（不得宽于《信访工作条例》的规定）。") % {"max": statute})
        return cleaned
