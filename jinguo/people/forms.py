"""Forms of the registries.

Person fields (姓名、身份证号、电话、住址) are validated once, here, for pages and imports."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinguo.core.forms import IdNumberField, PhoneField, ScopedModelForm
from jinguo.core.models import CodeItem
from jinguo.ledger.models import Activity
from jinguo.people.models import Beneficiary, CivilizedPost, Honour, Loan, Talent, Volunteer

# Amounts and hours are finite, bounded decimals: Django's DecimalField refuses NaN/Infinity ("请输入一个数字")
# and max_digits refuses 1E+30, each beside its field.


class PersonFieldsForm(ScopedModelForm):
    """Adds the person's identity fields; `person_data()` hands them to `services.person_for`."""

    person_name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = IdNumberField(label=_("身份证号"))
    phone = PhoneField(label=_("联系电话"), required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)

    id_required = True
    # Shown masked and kept when sent back unchanged (core.forms.PersonalDataMixin).
    personal_fields = {"person_name": "person.name", "id_number": "person.id_number", "phone": "person.phone",
                       "address": "person.address"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["id_number"].required = self.id_required
        self.fields["person_name"].required = self.id_required
        if "org" in self.fields:
            self.fields["org"].error_messages["invalid_choice"] = _("单位不存在，或不在您的管辖范围内。")

    def person_data(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("id_number") and not data.get("person_name"):
            return None
        return {"name": data.get("person_name", ""), "id_number": data.get("id_number", ""),
                "phone": data.get("phone", ""), "address": data.get("address", "")}


class BeneficiaryForm(PersonFieldsForm):
    class Meta:
        model = Beneficiary
        fields = ["org", "group", "since", "until", "note"]
        widgets = {"since": forms.DateInput(attrs={"type": "date"}), "until": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = CodeItem.objects.of("beneficiary_group")


class TalentForm(PersonFieldsForm):
    class Meta:
        model = Talent
        fields = ["org", "post_kind", "workplace", "post", "level", "education", "political_status", "speciality",
                  "appointed_on", "last_reviewed"]
        widgets = {"appointed_on": forms.DateInput(attrs={"type": "date"}),
                   "last_reviewed": forms.DateInput(attrs={"type": "date"})}


class VolunteerForm(PersonFieldsForm):
    team_name = forms.CharField(label=_("队伍"), max_length=100, required=False)

    class Meta:
        model = Volunteer
        fields = ["org", "skills", "joined_on"]
        widgets = {"joined_on": forms.DateInput(attrs={"type": "date"})}


class HonourForm(PersonFieldsForm):
    id_required = False

    class Meta:
        model = Honour
        fields = ["org", "award", "level", "year", "collective", "conferred_by", "document_no"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["award"].queryset = CodeItem.objects.of("honour_award")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("collective") and not cleaned.get("person_name"):
            raise forms.ValidationError(_("请填写获奖个人（姓名、身份证号）或获奖集体。"))
        if cleaned.get("person_name") and not cleaned.get("id_number") and "id_number" not in self.errors:
            self.add_error("id_number", _("获奖个人须填写身份证号（用于去重）。"))
        return cleaned


class CivilizedPostForm(ScopedModelForm):
    class Meta:
        model = CivilizedPost
        fields = ["org", "name", "host", "level", "created_on", "last_reviewed", "status"]
        widgets = {"created_on": forms.DateInput(attrs={"type": "date"}),
                   "last_reviewed": forms.DateInput(attrs={"type": "date"})}


class LoanForm(PersonFieldsForm):
    class Meta:
        model = Loan
        fields = ["org", "amount", "bank", "term_months", "subsidy_rate", "subsidy_amount", "project", "applied_on"]
        widgets = {"applied_on": forms.DateInput(attrs={"type": "date"})}

    def clean_subsidy_rate(self):
        rate = self.cleaned_data.get("subsidy_rate")
        if rate is not None and not 0 <= rate <= 100:
            raise forms.ValidationError(_("贴息比例应在0到100之间。"))
        return rate


class AidForm(forms.Form):
    """One act of help to a beneficiary (日期、金额、物资、活动)."""

    on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=12, decimal_places=2, min_value=0, required=False,
                                error_messages={"min_value": _("金额不能为负数。")})
    goods = forms.CharField(label=_("物资"), max_length=200, required=False)
    activity = forms.ModelChoiceField(label=_("活动"), queryset=None, required=False,
                                      error_messages={"invalid_choice": _("活动不存在，或不在您的管辖范围内。")})

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = Activity.objects.visible_to(user) if user else Activity.objects.none()


class ServiceForm(forms.Form):
    """Hours a volunteer served at one ledger activity."""

    activity = forms.ModelChoiceField(label=_("活动"), queryset=None,
                                      error_messages={"invalid_choice": _("活动不存在，或不在您的管辖范围内。"),
                                                      "required": _("请选择活动。")})
    hours = forms.DecimalField(label=_("服务时长（小时）"), max_digits=4, decimal_places=2, min_value=Decimal("0.01"),
                               max_value=Decimal(24), error_messages={"min_value": _("服务时长应大于0小时。"),
                                                             "max_value": _("服务时长不能超过24小时。")})

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = Activity.objects.visible_to(user) if user else Activity.objects.none()


class LoanDateForm(forms.Form):
    """The day a loan step happened (发放, 还清), today unless typed: the due date is counted from 发放."""

    date_label = _("日期")

    on = forms.DateField(label=_("日期"), required=False,
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].label = self.date_label
        self.fields["on"].initial = timezone.localdate
        self.fields["on"].widget.attrs.update({"class": "form-control", "aria-label": self.date_label,
                                               "title": self.date_label})


class DisburseForm(LoanDateForm):
    date_label = _("发放日期")


class RepayForm(LoanDateForm):
    date_label = _("还清日期")
