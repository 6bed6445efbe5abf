import io

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from jinguo.audit.filters import AuditEntryFilterSet
from jinguo.audit.models import AuditEntry
from jinguo.audit.tables import AuditEntryTable
from jinguo.core import views as generic
from jinguo.core import xlsx
from jinguo.core.changelog import record_export
from jinguo.core.events import Event
from jinguo.core.views import xlsx_response

EXPORT_COLUMNS = [
    (gettext_lazy("序号"), lambda e: e.seq),
    (gettext_lazy("时间"), lambda e: timezone.localtime(e.time).strftime("%Y-%m-%d %H:%M:%S")),
    (gettext_lazy("操作人"), lambda e: e.actor_name),
    (gettext_lazy("来源地址"), lambda e: e.ip or ""),
    (gettext_lazy("来源"), lambda e: e.source),
    (gettext_lazy("类别"), lambda e: e.get_kind_display()),
    (gettext_lazy("动作"), lambda e: e.action_label),
    (gettext_lazy("对象类型"), lambda e: e.object_type),
    (gettext_lazy("对象编号"), lambda e: e.object_id),
    (gettext_lazy("对象"), lambda e: e.object_repr),
    (gettext_lazy("所属单位"), lambda e: e.org_name),
    (gettext_lazy("内容"), lambda e: str(e.data) if e.data else ""),
    (gettext_lazy("说明"), lambda e: e.note),
    (gettext_lazy("请求编号"), lambda e: e.request_id),
    (gettext_lazy("哈希"), lambda e: e.hash),
]


class AuditEntryListView(generic.ObjectListView):
    """The audit administrator's page: the generic list (filters, pagination, htmx table) over the entries of her
    units; its .xlsx export carries every column of the entry and is itself an audited event."""

    queryset = AuditEntry.objects.all()
    table = AuditEntryTable
    filterset = AuditEntryFilterSet

    def export(self, entries, table):
        return export_entries(self.request, entries)


def export_entries(request, entries):
    """Every column of the filtered entries, through the one writer (text never a formula)."""
    buffer = io.BytesIO()
    book = xlsx.workbook(buffer)  # a failed login's user name "=1+1" stays text
    sheet = book.add_worksheet(_("审计日志"))
    for col, (header, _getter) in enumerate(EXPORT_COLUMNS):
        sheet.write_string(0, col, str(header))
    count = 0
    getters = [getter for _header, getter in EXPORT_COLUMNS]
    for count, entry in enumerate(entries.iterator(chunk_size=2000), start=1):
        xlsx.write_row(sheet, count, [_cell(getter(entry)) for getter in getters])
    book.close()
    record_export(_("审计日志"), org=request.user.org, rows=count, code=Event.AUDIT_EXPORTED,
                  filter=request.GET.urlencode())
    return xlsx_response(buffer, f"审计日志-{timezone.localdate():%Y%m%d}.xlsx")


def _cell(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else str(value)


class AuditEntryDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        entry = get_object_or_404(AuditEntry.objects.visible_to(request.user, "view"), pk=pk)
        return render(request, "audit/entry_detail.html", {"entry": entry})
