import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinguo.core.crypto import search_hash
from jinguo.core.filters import CodeChoiceFilter, OrgSubtreeFilter, ScopedFilterSet
from jinguo.petitions.models import Case, Petitioner, RiskColour, Status, due_soon_days

FLAGS = [("dv", _("家庭暴力")), ("minor", _("涉及未成年人")), ("urgent", _("紧急")), ("escalation", _("可能激化")),
         ("repeat", _("重复信访"))]
DEADLINES = [("overdue", _("已超期")), ("soon", _("即将超期")), ("open", _("未办结"))]


class CaseFilterSet(ScopedFilterSet):
    q_fields = ("number", "summary")
    # Names are stored encrypted: a keyword never finds a petitioner by name, and the boxes say what does.
    q = django_filters.CharFilter(label=_("关键词"), method="filter_q", widget=forms.TextInput(
        attrs={"placeholder": _("案件编号或诉求摘要")}))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Status.choices)
    category = CodeChoiceFilter(label=_("问题类别"), code_table="petition_category", top_level=True)
    channel = CodeChoiceFilter(label=_("来源方式"), code_table="petition_channel")
    date_from = django_filters.DateFilter(label=_("登记日期自"), field_name="received_at", lookup_expr="date__gte",
                                          widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))
    date_to = django_filters.DateFilter(label=_("至"), field_name="received_at", lookup_expr="date__lte",
                                        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))
    deadline = django_filters.ChoiceFilter(label=_("期限"), choices=DEADLINES, method="filter_deadline")
    flag = django_filters.ChoiceFilter(label=_("风险标记"), choices=FLAGS, method="filter_flag")
    risk_colour = django_filters.ChoiceFilter(label=_("风险等级"), choices=[c for c in RiskColour.choices if c[0]])
    within = OrgSubtreeFilter()
    search = django_filters.CharFilter(label=_("身份证号/电话"), method="filter_identity", widget=forms.TextInput(
        attrs={"placeholder": _("信访人按完整身份证号或电话查找")}))

    class Meta:
        model = Case
        fields = ["q", "status", "category", "channel", "date_from", "date_to", "deadline", "flag", "risk_colour",
                  "within", "search"]

    def filter_deadline(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.overdue(today)
        if value == "soon":
            user = getattr(self.request, "user", None)
            return queryset.due_soon(today, due_soon_days(getattr(user, "org", None)))
        return queryset.open() if value == "open" else queryset

    def filter_flag(self, queryset, name, value):
        field_name = "is_repeat" if value == "repeat" else f"flag_{value}"
        return queryset.filter(**{field_name: True})

    def filter_identity(self, queryset, name, value):
        """Exact match on ID number or phone, through the keyed hash (the plaintext is never queried)."""
        value = value.strip()
        if not value:
            return queryset
        from django.db.models import Q

        hashed = search_hash(value)
        matches = Petitioner.objects.filter(Q(id_hash=hashed) | Q(phone_hash=hashed)).values("case_id")
        return queryset.filter(pk__in=matches)  # a semi-join: no DISTINCT over the whole visible list
