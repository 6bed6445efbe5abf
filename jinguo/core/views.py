"""Generic views (NetBox style). Concrete views only set attributes; every query goes through `visible_to`.

ObjectListView    filters (django-filter), pagination, htmx partial, `?export=xlsx`
ObjectDetailView  404 for records outside the user's scope; history from the audit trail
ObjectEditView    add / edit through the model's form; re-checks scope after saving, in the transaction
ObjectDeleteView  confirmation page, then delete
ImportView        template download, upload, background validation and import with progress
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import BadRequest, ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from jinguo.core.changelog import history as change_history
from jinguo.core.changelog import record_event, record_export
from jinguo.core.events import Event
from jinguo.core.excel import ImportContext, annotated_workbook, normalize_header
from jinguo.core.fields import EncryptedTextField
from jinguo.core.idcard import mask_value
from jinguo.core.importkinds import get_spec
from jinguo.core.models import EditConflict, ImportJob
from jinguo.core.periods import Period
from jinguo.core.scope import org_model, recheck_visible, scope_paths

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZES = (20, 50, 100)


def xlsx_response(content: bytes | io.BytesIO, filename: str) -> FileResponse:
    buffer = io.BytesIO(content) if isinstance(content, bytes) else content
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=filename, content_type=XLSX)


def url_name(model: type[models.Model], action: str) -> str:
    """`<app>:<model>_<action>`, the one URL naming scheme."""
    return f"{model._meta.app_label}:{model._meta.model_name}_{action}"


def require_scope(user, model: type[models.Model], action: str) -> None:
    """403 when the user holds no role for this action anywhere (records outside scope are 404 instead)."""
    if not scope_paths(user, model.scope_roles.get(action, ())):
        raise PermissionDenied(_("您没有进行此操作的权限。"))


def _reverse_or_none(name: str, *args) -> str | None:
    from django.urls import NoReverseMatch

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


class ScopedViewMixin(LoginRequiredMixin):
    queryset: models.QuerySet | None = None
    action = "view"

    def get_model(self) -> type[models.Model]:
        if self.queryset is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must set `queryset`")
        return self.queryset.model

    def get_queryset(self, action: str | None = None) -> models.QuerySet:
        return self.queryset.all().visible_to(self.request.user, action or self.action)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_scope(request.user, self.get_model(), self.action)
        return super().dispatch(request, *args, **kwargs)

    def base_context(self) -> dict[str, Any]:
        model = self.get_model()
        user = self.request.user
        return {
            "model_name": model._meta.verbose_name,
            "model_name_plural": model._meta.verbose_name_plural,
            "can_add": bool(scope_paths(user, model.scope_roles.get("add", ()))),
            "can_change": bool(scope_paths(user, model.scope_roles.get("change", ()))),
            "can_delete": bool(scope_paths(user, model.scope_roles.get("delete", ()))),
            "can_export": bool(scope_paths(user, model.scope_roles.get("export", ()))),
            "list_url": _reverse_or_none(url_name(model, "list")),
        }


class ObjectListView(ScopedViewMixin, View):
    """Set `queryset`, `table`, optionally `filterset`, `import_kind` (export re-imports through that spec)."""

    table = None
    filterset = None
    import_kind: str | None = None
    export_through_spec = True  # False: export the table's columns (e.g. masked personal data)
    template_name = "core/object_list.html"
    partial_template = "core/_object_table.html"

    def get(self, request):
        if self.table is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must set `table`")
        table = self.table()
        queryset = self.get_queryset()
        filterset = None
        if self.filterset is not None:
            filterset = self.filterset(request.GET or None, queryset=queryset, request=request)
            if filterset.is_bound and filterset.is_valid():
                queryset = filterset.qs
            elif filterset.is_bound:
                if request.GET.get("export") == "xlsx":
                    # Never export more than was asked for: back to the list, which says what to correct.
                    query = request.GET.copy()
                    query.pop("export", None)
                    return redirect(f"{request.path}?{query.urlencode()}")
                # Filter by the conditions that could be read; say which were ignored and why.
                queryset = filterset.filter_queryset(queryset)
                for name, errors in filterset.form.errors.items():
                    field = filterset.form.fields.get(name)
                    messages.error(request, _("筛选条件“%(label)s”无效，已忽略：%(error)s") % {
                        "label": field.label if field else name, "error": "；".join(errors)})
        if request.GET.get("export") == "xlsx":
            return self.export(queryset, table)
        try:
            per_page = int(request.GET.get("per_page", 50))
        except ValueError:
            per_page = 50
        per_page = per_page if per_page in PAGE_SIZES else 50
        filtered = filterset is not None and self._filtered(filterset)  # paging and page size are not filters
        known = None if filtered else self.unfiltered_count()
        if known is None:
            source = table.source(queryset)
            first = list(source[:per_page]) if request.GET.get("page") in (None, "", "1") else None
            if first is not None and len(first) < per_page:  # a short first page counts itself (most searches)
                paginator = Paginator(range(len(first)), per_page)
            else:
                paginator = Paginator(source, per_page)
            page = paginator.get_page(request.GET.get("page"))
            if first is not None:
                page.object_list = first
        else:  # a maintained count: no row is counted, and the page's rows may come from a compiled query
            paginator = Paginator(range(known), per_page)
            page = paginator.get_page(request.GET.get("page"))
            offset = max(page.start_index() - 1, 0)
            kept = self.unfiltered_page(offset, per_page)
            page.object_list = table.source(queryset)[offset:offset + per_page] if kept is None else kept
        query = request.GET.copy()
        query.pop("page", None)
        rows = table.rows(page.object_list)
        context = {
            **self.base_context(),
            "table": table,
            "rows": rows,
            "body": table.render_body(rows),
            "page": page,
            "paginator": paginator,
            "filterset": filterset,
            "query": query.urlencode(),
            "filtered": filtered,
            "per_page": per_page,
            "add_url": self._maybe_reverse("add"),
            "import_url": self._maybe_reverse("import") if self.import_kind else None,
        }
        partial = bool(request.htmx and not request.htmx.boosted)
        context["partial"] = partial  # the table alone (paging, filtering): it shows this request's messages itself
        return render(request, self.partial_template if partial else self.template_name, context)

    def unfiltered_count(self) -> int | None:
        """How many records the user sees with no filter applied, when a maintained count can say it without
        counting the rows (a roll-up kept in the writing transaction); None to count them."""
        return None

    def unfiltered_page(self, offset: int, limit: int) -> list | None:
        """With `unfiltered_count`: the rows of one page of the unfiltered list, in the table's order, when the view
        reads them faster than the ORM builds the page query (a query compiled once, `core.sql.CompiledQuery`); None
        to read them as usual."""
        return None

    def _filtered(self, filterset) -> bool:
        """Whether the request sets any of the filter bar's conditions (paging and page size are not filters)."""
        names = filterset.base_filters.keys()
        return any(value and any(param == name or param.startswith(f"{name}_") for name in names)
                   for param, value in self.request.GET.items())

    def _maybe_reverse(self, action: str) -> str | None:
        return _reverse_or_none(url_name(self.get_model(), action))

    def export(self, queryset: models.QuerySet, table) -> FileResponse:
        """The current filter's rows: through the import spec when there is one (so the file re-imports),
        otherwise the table's visible columns."""
        require_scope(self.request.user, self.get_model(), "export")
        queryset = queryset & self.get_queryset("export")
        model = self.get_model()
        filename = f"{model._meta.verbose_name_plural}-{timezone.localdate():%Y%m%d}.xlsx"
        buffer = io.BytesIO()
        if self.import_kind and self.export_through_spec:
            spec = get_spec(self.import_kind)
            ctx = ImportContext(org=self.request.user.org, user=self.request.user)
            count = spec.export(ctx, table.records(queryset), buffer)  # the spec's columns read the same rows
        else:
            count = _export_table(table, queryset, buffer)
        record_export(str(model._meta.verbose_name_plural), org=self.request.user.org, rows=count,
                      filter=self.request.GET.urlencode())
        return xlsx_response(buffer, filename)


def _export_table(table, queryset, out) -> int:
    """The table's visible columns, through the one writer (`jinguo.core.xlsx`): text is never a formula."""
    from jinguo.core import xlsx

    book = xlsx.workbook(out)
    sheet = book.add_worksheet()
    bold = book.add_format({"bold": True})
    for index, header in enumerate(table.headers()):
        sheet.write_string(0, index, header, bold)
        sheet.set_column(index, index, 18)
    count = 0
    columns = table.columns
    for count, obj in enumerate(table.source(queryset).iterator(chunk_size=2000), start=1):
        xlsx.write_row(sheet, count, [_cell(col.value(obj)) for col in columns])
    book.close()
    return count


def _cell(value: Any) -> Any:
    """Numbers stay numbers (booleans become 是/否); everything else as the list page shows it, as text."""
    return value if value is None or isinstance(value, int | float) else str(value)


class ObjectDetailView(ScopedViewMixin, View):
    template_name = "core/object_detail.html"
    fields: list[str] = []

    def get_object(self, pk) -> models.Model:
        return get_object_or_404(self.get_queryset(), pk=pk)

    def get_extra_context(self, obj) -> dict[str, Any]:
        return {}

    def get(self, request, pk):
        obj = self.get_object(pk)
        model = self.get_model()
        fields = [model._meta.get_field(name) for name in self.fields]
        details = []
        for field in fields:
            display = getattr(obj, f"get_{field.name}_display", None)
            value = display() if display else getattr(obj, field.name)
            if isinstance(field, EncryptedTextField):  # personal data: masked here, clear only by a logged unmask
                value = mask_value(field.name, value or "")
            details.append((field.verbose_name, value))
        history = change_history(obj, 50)
        context = {**self.base_context(), "object": obj, "details": details, "history": history,
                   "edit_url": self._url("edit", obj), "delete_url": self._url("delete", obj),
                   **self.get_extra_context(obj)}
        return render(request, self.template_name, context)

    def _url(self, action: str, obj) -> str | None:
        return _reverse_or_none(url_name(self.get_model(), action), obj.pk)


class ObjectEditView(ScopedViewMixin, View):
    """Add (no pk) or edit. Set `queryset` and `form_class` (a ScopedModelForm)."""

    form_class = None
    template_name = "core/object_edit.html"
    action = "change"

    def dispatch(self, request, *args, **kwargs):
        self.action = "change" if kwargs.get("pk") else "add"
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, pk) -> models.Model | None:
        if pk is None:
            return None
        return get_object_or_404(self.get_queryset("change"), pk=pk)

    def get_initial(self) -> dict:
        """A new record's defaults: values from the query string, the unit defaults to the user's own unit.
        Only for a new record: on an edit page the stored values are what the form shows (a default here put
        today's date over an activity's own date and the user's unit over the record's)."""
        initial = {key: value for key, value in self.request.GET.items() if key in self.form_class.base_fields}
        if "org" in self.form_class.base_fields:
            initial.setdefault("org", self.request.user.org_id)
        return initial

    def get_form(self, instance, data=None):
        return self.form_class(data=data, files=self.request.FILES if data is not None else None,
                               instance=instance, initial=self.get_initial() if instance is None else None,
                               user=self.request.user)

    def get(self, request, pk=None):
        obj = self.get_object(pk)
        return self.render(obj, self.get_form(obj))

    def post(self, request, pk=None):
        obj = self.get_object(pk)
        form = self.get_form(obj, data=request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    obj = self.save(form)
                    recheck_visible(obj, request.user, "change")
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:  # a rule only the service can check (a person's ID against her name)
                form.add_error(None, "；".join(exc.messages))
            except EditConflict as exc:
                form.add_error(None, str(exc))
                return self.render(obj, form, status=409)
            else:
                messages.success(request, _("已保存“%(obj)s”。") % {"obj": obj})
                return redirect(obj.get_absolute_url())
        return self.render(obj, form, status=400 if request.method == "POST" else 200)

    def save(self, form) -> models.Model:
        return form.save()

    def render(self, obj, form, status: int = 200):
        context = {**self.base_context(), "object": obj, "form": form}
        return render(self.request, self.template_name, context, status=status)


class ObjectDeleteView(ScopedViewMixin, View):
    template_name = "core/object_delete.html"
    action = "delete"
    success_url_name: str | None = None

    def get(self, request, pk):
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        return render(request, self.template_name, {**self.base_context(), "object": obj})

    def post(self, request, pk):
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        name = str(obj)
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectedError:
            messages.error(request, _("“%(obj)s”仍被其他记录使用，不能删除。") % {"obj": name})
            return redirect(obj.get_absolute_url())
        messages.success(request, _("已删除“%(obj)s”。") % {"obj": name})
        return redirect(self.success_url_name or url_name(self.get_model(), "list"))


class ImportView(ScopedViewMixin, View):
    """Set `queryset` (the model imported) and `import_kind`. Upload → background job → progress page."""

    import_kind = ""
    action = "add"
    template_name = "core/import.html"

    def get(self, request):

        spec = get_spec(self.import_kind)
        if request.GET.get("template"):
            ctx = ImportContext(org=request.user.org, user=request.user)
            return xlsx_response(spec.template(ctx), f"{spec.label}导入模板.xlsx")
        purge_stale_import_drafts()
        jobs = ImportJob.objects.visible_to(request.user).filter(kind=self.import_kind, user=request.user)[:10]
        orgs = self.target_orgs()
        return render(request, self.template_name, {**self.base_context(), "spec": spec, "jobs": jobs,
                                                    "orgs": orgs, "drafts": import_drafts(request.user,
                                                                                          self.import_kind)})

    def target_orgs(self):
        return org_model().objects.visible_to(self.request.user, "view").filter(
            path__in=scope_paths(self.request.user, self.get_model().scope_roles["add"]))

    def post(self, request):
        upload = request.FILES.get("file")
        orgs = {str(o.pk): o for o in self.target_orgs()}
        org = orgs.get(request.POST.get("org", "")) or (next(iter(orgs.values())) if len(orgs) == 1 else None)
        error = None
        if upload is None:
            error = _("请选择要上传的 Excel 文件。")
        elif not upload.name.lower().endswith((".xlsx", ".xls", ".ods", ".csv")):
            error = _("只接受 Excel 工作簿（.xlsx、.xls）、.ods 或 .csv 文件；含宏的 .xlsm 请在 Excel 中“另存为”.xlsx "
                      "后再上传。")
        elif org is None:
            error = _("请选择导入到哪个单位。")
        else:
            from jinguo.core.uploads import IMPORTS, validate_upload

            try:
                validate_upload(upload, IMPORTS)  # size, content, macros and zip bombs, before the reader opens it
            except ValidationError as exc:
                error = "；".join(exc.messages)
        if error:
            messages.error(request, error)
            return redirect(request.path)
        purge_stale_import_drafts()
        content = upload.read()
        job = ImportJob(org=org, kind=self.import_kind, user=request.user, filename=upload.name[:255],
                        existing="update" if request.POST.get("existing") == "update" else "skip",
                        status=ImportJob.Status.MAPPING)
        job.file.save(upload.name, ContentFile(content), save=False)
        return start_import(request, job, content)


# --- The mapping step: confirm each column once, remembered per unit, kind and header layout -----------------------
IMPORT_DRAFT_HOURS = ImportJob.DRAFT_HOURS  # an upload left on the mapping step this long is deleted with its file


def purge_stale_import_drafts() -> int:
    """Delete uploads left on the mapping step for over a day, with their files (they hold personal data: kept only
    while their uploader is deciding). Run whenever an import page, the job list or an upload is served, so no
    scheduler is needed."""
    cutoff = timezone.now() - dt.timedelta(hours=IMPORT_DRAFT_HOURS)
    stale = list(ImportJob.objects.filter(status=ImportJob.Status.MAPPING, created__lt=cutoff)[:100])
    return sum(discard_import_draft(job) for job in stale)


def discard_import_draft(job: ImportJob) -> bool:
    """Delete an upload still waiting on the mapping step, then its file. False (and nothing deleted) when it has
    meanwhile been confirmed (another tab, a second click): its file is the import's now."""
    deleted, _counts = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.MAPPING).delete()
    if deleted and job.file:
        job.file.delete(save=False)
    return bool(deleted)


def import_drafts(user, kind: str | None = None) -> list[ImportJob]:
    """The user's own uploads waiting on the mapping step (of one kind), newest first: shown with 继续核对 and 放弃 on
    the import page and the job list, so none is left behind unseen."""
    drafts = ImportJob.objects.visible_to(user).filter(user=user, status=ImportJob.Status.MAPPING)
    if kind is not None:
        drafts = drafts.filter(kind=kind)
    return list(drafts.select_related("org")[:20])


class ImportDiscardView(LoginRequiredMixin, View):
    """放弃 an upload waiting on the mapping step (asked to confirm first): the job and its file are deleted. Only
    its uploader reaches it; one already confirmed is left alone."""

    def post(self, request, pk):
        from django.utils.http import url_has_allowed_host_and_scheme

        job = get_object_or_404(ImportJob.objects.visible_to(request.user).filter(user=request.user), pk=pk)
        if discard_import_draft(job):
            messages.info(request, _("已放弃“%(name)s”，上传的文件已删除。") % {"name": job.filename})
        else:
            messages.info(request, _("“%(name)s”已确认导入，不能再放弃。") % {"name": job.filename})
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            back = reverse("core:importjob_list")
        return redirect(back)


def _import_context(job: ImportJob) -> ImportContext:
    return ImportContext(org=job.org, user=job.user, existing=job.existing)


class _Upload:
    """An upload's file opened once for the request: detection with or without a mapping, and the preview, all read
    the same opened book (opening a large workbook is the slow part)."""

    def __init__(self, job: ImportJob, content: bytes | None = None) -> None:
        from jinguo.core.excel import CellError
        from jinguo.core.excel.read import open_book
        from jinguo.core.importkinds import get_spec

        self.job, self.spec, self.ctx = job, get_spec(job.kind), _import_context(job)
        if content is None:
            with job.file.open("rb") as handle:
                content = handle.read()
        self.content = content
        try:
            self.book = open_book(io.BytesIO(content))
        except CellError:
            self.book = None  # detection says what is wrong with the file

    def _source(self):
        return self.book if self.book is not None else io.BytesIO(self.content)

    def detect(self, mapping: dict | None = None):
        return self.spec.detect(self._source(), self.ctx, mapping=mapping)

    def preview(self, detection):
        from jinguo.core.excel.preview import preview

        return preview(self.spec, self._source(), self.ctx, detection)

    def samples(self, detection) -> dict[str, list[str]]:
        from jinguo.core.excel.preview import samples

        return samples(self.spec, self._source(), self.ctx, detection)

    def __enter__(self) -> _Upload:
        return self

    def __exit__(self, *exc) -> None:
        if self.book is not None:
            self.book.close()


def _asks(detection) -> bool:
    """Whether the upload needs the user to confirm its columns: some column was guessed (a synonym, a loose match)
    or left out. A file made from our template (every header exact) imports straight away, as before."""
    return bool(detection.tables) and any(c.how != "exact" for t in detection.tables for c in t.columns)


def _moves_personal_data(upload: _Upload, detection, mapping: dict[str, str | None]) -> bool:
    """Whether `mapping`, applied by the engine as an import would apply it, sends a column that its own header names
    as personal data (身份证号, 联系电话, 姓名 …) into another field. Such a column would be stored in plain text,
    readable by everyone who sees the record, instead of encrypted and masked: a saved mapping doing so (whoever
    confirmed it) is never applied without asking."""
    personal = set(upload.spec.personal_masks(upload.ctx))
    guessed = {(table.name, column.index): column.field for table in detection.tables for column in table.columns}
    for table in upload.detect(mapping).tables:
        for column in table.columns:
            guess = guessed.get((table.name, column.index))
            if guess in personal and column.field not in (guess, None):
                return True
    return False


def start_import(request, job: ImportJob, content: bytes):
    """After an upload (file stored, job not yet saved): import with the unit's saved mapping for these headers,
    straight away when nothing needs confirming, or else stop at the mapping step."""
    from jinguo.core.models import ImportMapping

    with _Upload(job, content) as upload:
        detection = upload.detect()
        job.signature = detection.signature if detection.tables else ""
        saved = None
        if job.signature:
            saved = (ImportMapping.objects.visible_to(request.user, "view")
                     .filter(org=job.org, kind=job.kind, signature=job.signature).first())
        if saved is not None and _moves_personal_data(upload, detection, saved.mapping):
            saved = None  # asked again, the columns' own guesses preselected
    if saved is not None:
        job.mapping, job.mapping_source = saved.mapping, "saved"
    if saved is not None or not _asks(detection):
        job.status = ImportJob.Status.PENDING
        job.save()
        _enqueue(job)
        return redirect("core:importjob_detail", pk=job.pk)
    job.save()
    return redirect("core:importjob_mapping", pk=job.pk)


def _enqueue(job: ImportJob) -> None:
    from jinguo.core.tasks import run_import_job

    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))


class ImportMappingView(LoginRequiredMixin, View):
    """The mapping step of an upload: the detected sheets and header rows, a select per source column (the guess
    preselected, any field of the kind, or 忽略), the first rows as they would be imported with every problem on its
    cell; 预览 redraws with the choices, 导入 saves the mapping for the unit and starts the import.

    The upload is the user's own ImportJob waiting in status `mapping` (its file in the encrypted storage); the URL
    names it by id and only its uploader, still allowed to import into its unit, reaches it."""

    template_name = "core/import_mapping.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            purge_stale_import_drafts()
            job = get_object_or_404(ImportJob.objects.visible_to(request.user).filter(user=request.user),
                                    pk=kwargs["pk"])
            if job.status != ImportJob.Status.MAPPING:  # confirmed already (a second click, the back button)
                return redirect("core:importjob_detail", pk=job.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_job(self, request, pk) -> ImportJob:
        from jinguo.core.importkinds import IMPORT_SPECS

        job = get_object_or_404(ImportJob.objects.visible_to(request.user).select_related("org")
                                .filter(user=request.user, status=ImportJob.Status.MAPPING), pk=pk)
        spec = IMPORT_SPECS.get(job.kind)
        if spec is None or job.org.path not in scope_paths(request.user, spec.model.scope_roles["add"]):
            raise Http404
        return job

    def get(self, request, pk):
        job = self.get_job(request, pk)
        return self.render_step(request, job, job.mapping)

    def post(self, request, pk):
        job = self.get_job(request, pk)
        action = request.POST.get("action", "preview")
        if action == "cancel":
            import_url = _import_url(job)
            discard_import_draft(job)
            messages.info(request, _("已取消，上传的文件已删除。"))
            return redirect(import_url or "core:importjob_list")
        with _Upload(job) as upload:
            rows = _mapping_rows(upload.detect(job.mapping))
            mapping, errors = _posted_mapping(request.POST, rows, upload.spec, upload.ctx)
            if errors:
                return self.render_step(request, job, job.mapping, status=400, errors=errors, upload=upload,
                                        selected={row["key"]: request.POST.get(row["name"], "") for row in rows})
            detection = upload.detect(mapping) if action == "import" else None
        if detection is None or detection.errors or not detection.tables:
            job.mapping = mapping
            job.save(update_fields=["mapping"])
            if detection is not None:
                messages.error(request, _("按这样的列对应还不能导入：%(errors)s") % {
                    "errors": "；".join(e.message for e in detection.errors) or _("文件中没有找到可导入的表格")})
            return redirect("core:importjob_mapping", pk=job.pk)
        with transaction.atomic():
            # Only once: a second click (or a second tab) finds the upload already on its way.
            if ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.MAPPING).update(
                    mapping=mapping, mapping_source="user", status=ImportJob.Status.PENDING):
                save_import_mapping(job, mapping, request.user)
                _enqueue(job)
        return redirect("core:importjob_detail", pk=job.pk)

    def render_step(self, request, job: ImportJob, mapping: dict | None, status: int = 200,
                    errors: list[str] | None = None, selected: dict[str, str] | None = None,
                    upload: _Upload | None = None) -> HttpResponse:
        if upload is None:
            with _Upload(job) as upload:
                return self.render_step(request, job, mapping, status, errors, selected, upload)
        from jinguo.core.excel.preview import skipped_text

        spec = upload.spec
        detection = upload.detect(mapping)
        fields = [(c.field, str(c.header), c.required) for c in spec.columns_for(upload.ctx)]
        shown = upload.preview(detection) if detection.tables else None
        labels = {name: label for name, label, _required in fields}
        order = list(dict.fromkeys(c.field for t in detection.tables for c in t.columns if c.field))
        preview_rows = [{"sheet": r.sheet, "number": r.number, "errors": r.errors, "ok": r.ok, "exists": r.exists,
                         "aligned": r.aligned(order)} for r in (shown.rows if shown else [])]
        rows = _mapping_rows(detection)
        guessed = {row["key"]: row for row in _mapping_rows(upload.detect())} if mapping else {}
        sample_values = upload.samples(detection) if detection.tables else {}
        never_data = {normalize_header(h) for h in spec.ignored_headers}  # 序号、备注 …: "序号列，不导入"
        for row in rows:
            row["samples"] = sample_values.get(row["key"], [])
            row["known"] = row["key"] in never_data
            row["selected"] = (selected or {}).get(row["key"], row["field"] or "")
            guess = guessed.get(row["key"])
            if guess is not None:  # say why the system guessed what it did, or that the user chose otherwise
                row["how"] = guess["how"] if guess["field"] == row["field"] else ("changed" if row["field"] else
                                                                                  "dropped")
        return render(request, self.template_name, {
            "job": job, "spec": spec, "detection": detection, "rows": rows, "fields": fields, "errors": errors or [],
            "preview": shown, "preview_skipped": skipped_text(shown.skipped) if shown else "",
            "preview_labels": [labels.get(name, name) for name in order], "preview_rows": preview_rows,
            "import_url": _import_url(job),
        }, status=status)


def _import_url(job: ImportJob) -> str | None:
    from jinguo.core.importkinds import IMPORT_SPECS

    spec = IMPORT_SPECS.get(job.kind)
    return _reverse_or_none(url_name(spec.model, "import")) if spec else None


def _mapping_rows(detection) -> list[dict]:
    """One row per distinct source header of the file's tables (a sheet per quarter lists its columns once), in
    column order: what the page shows and what `map-<n>` in the posted form refers to."""
    rows: dict[str, dict] = {}
    for table in detection.tables:
        for column in table.columns:
            key = normalize_header(column.header)
            if key not in rows:
                rows[key] = {"key": key, "header": column.header, "letters": [], "sheets": [], "field": column.field,
                             "how": column.how, "label": column.label}
            row = rows[key]
            if column.letter not in row["letters"]:
                row["letters"].append(column.letter)
            row["sheets"].append(table.name)
    return [{**row, "name": f"map-{n}"} for n, row in enumerate(rows.values())]


def _posted_mapping(data, rows: list[dict], spec, ctx: ImportContext) -> tuple[dict[str, str | None], list[str]]:
    """{normalized header: field or None} from the posted selects; every value checked against the kind's fields
    (nothing the page did not offer is taken), and no field chosen for two columns."""
    allowed = {c.field: str(c.header) for c in spec.columns_for(ctx)}
    mapping: dict[str, str | None] = {}
    errors: list[str] = []
    chosen: dict[str, list[str]] = {}
    for row in rows:
        value = data.get(row["name"])
        if value is None:  # not posted: keep what the page showed
            value = row["field"] or ""
        if value and value not in allowed:
            errors.append(_("列“%(header)s”：没有“%(value)s”这一项，请从列表中选择。") % {
                "header": row["header"], "value": value[:50]})
            continue
        mapping[row["key"]] = value or None
        if value:
            chosen.setdefault(value, []).append(row["header"])
    for value, headers in chosen.items():
        if len(headers) > 1:
            errors.append(_("“%(field)s”只能对应一列，现在选给了：%(headers)s。") % {
                "field": allowed[value], "headers": "、".join(headers)})
    return mapping, errors


def save_import_mapping(job: ImportJob, mapping: dict[str, str | None], user):
    """Remember the confirmed mapping for the job's unit, kind and header signature (audited: an AuditedModel)."""
    from jinguo.core.models import ImportMapping

    if not job.signature:
        return None
    def stored():
        return (ImportMapping.objects.visible_to(user, "change").select_for_update()
                .filter(org=job.org, kind=job.kind, signature=job.signature).first())

    saved = stored()
    if saved is None:
        try:
            with transaction.atomic():  # a colleague confirming the same layout at the same moment: update hers
                saved = ImportMapping(org=job.org, kind=job.kind, signature=job.signature, mapping=mapping,
                                      updated_by=user)
                saved.save()
        except IntegrityError:
            saved = stored()
            if saved is None:
                raise
    if saved.mapping != mapping or saved.updated_by_id != user.pk:
        saved.mapping, saved.updated_by = mapping, user
        saved.save()
    recheck_visible(saved, user, "change")
    return saved


class ImportRemapView(LoginRequiredMixin, View):
    """修改列对应 from a job's page: the same file back on the mapping step as a new upload, with the columns as the
    job read them; confirming saves the new mapping for the next file."""

    def post(self, request, pk):
        job = get_object_or_404(ImportJob.objects.visible_to(request.user).filter(user=request.user)
                                .exclude(status=ImportJob.Status.MAPPING), pk=pk)
        with job.file.open("rb") as handle:
            content = handle.read()
        draft = ImportJob(org=job.org, kind=job.kind, user=request.user, filename=job.filename,
                          existing=job.existing, status=ImportJob.Status.MAPPING, mapping=job.mapping,
                          signature=job.signature)
        draft.file.save(job.filename, ContentFile(content), save=False)
        if not draft.signature:
            with _Upload(draft, content) as upload:
                draft.signature = upload.detect().signature
        draft.save()
        return redirect("core:importjob_mapping", pk=draft.pk)


class ImportJobView(LoginRequiredMixin, View):
    """The job's progress (polled by htmx while it runs), its errors, and the annotated workbook."""

    def get(self, request, pk):
        job = get_object_or_404(ImportJob.objects.visible_to(request.user).filter(user=request.user), pk=pk)
        if job.status == ImportJob.Status.MAPPING:
            return redirect("core:importjob_mapping", pk=job.pk)
        if request.GET.get("download") == "errors" and (job.error_file or job.errors):
            if job.error_file:
                with job.error_file.open("rb") as handle:
                    content = handle.read()
            else:  # a job from before the annotated workbook was kept as a file
                with job.file.open("rb") as handle:
                    content = annotated_workbook(io.BytesIO(handle.read()), job.errors)
            record_export(f"错误标注-{job.filename}", org=job.org, import_job=job.pk, kind=job.kind)
            return xlsx_response(content, f"错误标注-{job.filename}")
        from jinguo.core.tasks import import_queue_note, progress_of

        done, total = progress_of(job)
        context = {"job": job, "done": done, "total": total, "queue_note": import_queue_note(job),
                   "percent": int(done * 100 / total) if total else (100 if job.finished else 0)}
        if request.htmx:
            response = render(request, "core/_import_progress.html", context)
            if job.finished:
                response["HX-Refresh"] = "true"
            return response
        return render(request, "core/import_job.html", context)


def home(request) -> HttpResponse:
    """The start page as a work list: the panels the domain apps registered (core.home), those this user's roles
    see, each with its count, a few rows and the link to the full list."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    from jinguo.core.home import panels_for

    today = timezone.localdate()
    panels = panels_for(request.user, today)
    actions = [action for panel in panels for action in panel.actions]
    return render(request, "core/home.html", {"panels": panels, "actions": actions, "today": today})


def not_found(request, exception=None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("未找到，或不在您的管辖范围内。")}, status=404)
    return render(request, "404.html", status=404)


def conflict(request, obj: models.Model) -> HttpResponse:
    """409 for a workflow action that lost the race (EditConflict): the Chinese message and the way back."""
    from jinguo.core.models import CONFLICT_MESSAGE

    return render(request, "409.html", {"message": CONFLICT_MESSAGE, "object": obj,
                                        "back": obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""},
                  status=409)


def bad_request(request, exception=None) -> HttpResponse:
    """400 with what was wrong and where (views raise `BadRequest(message)`), in Chinese, never a bare English line."""
    message = str(exception) if exception else ""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message or _("请求有误。")}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


def forbidden(request, exception=None) -> HttpResponse:
    message = str(exception) if exception else ""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message or _("您没有进行此操作的权限。")}, status=403)
    return render(request, "403.html", {"message": message}, status=403)


def server_error(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("服务器内部错误，已记录，请稍后再试或联系系统管理员。")}, status=500)
    return render(request, "500.html", status=500)



# --- Code tables (字典) and import jobs ---------------------------------------------------------------------------
from django import forms as django_forms  # noqa: E402

from jinguo.core.forms import ScopedModelForm  # noqa: E402
from jinguo.core.models import CodeItem, CodeTable  # noqa: E402
from jinguo.core.tables import Col, Table  # noqa: E402


class CodeTableTable(Table):
    columns = [Col("name", _("名称"), link=True), Col("slug", _("标识")), Col("description", _("说明")),
               Col("item_count", _("条目数"), render=lambda t: t.items.count())]


class CodeTableListView(ObjectListView):
    queryset = CodeTable.objects.prefetch_related("items")
    table = CodeTableTable


class CodeTableDetailView(ObjectDetailView):
    queryset = CodeTable.objects.all()
    template_name = "core/codetable_detail.html"
    fields = ["name", "slug", "description"]

    def get_extra_context(self, obj) -> dict:
        return {"items": obj.items.select_related("parent").order_by("parent__order", "order", "code")}


class CodeItemForm(ScopedModelForm):
    class Meta:
        model = CodeItem
        fields = ["table", "code", "name", "aliases", "parent", "order", "is_active"]
        widgets = {"table": django_forms.HiddenInput}

    def clean(self):
        cleaned = super().clean()
        parent, table = cleaned.get("parent"), cleaned.get("table")
        if parent and table and parent.table_id != table.pk:
            self.add_error("parent", _("上级条目必须属于同一字典。"))
        return cleaned


class CodeItemEditView(ObjectEditView):
    queryset = CodeItem.objects.all()
    form_class = CodeItemForm


class ImportJobTable(Table):
    # 状态 right after the file: on a phone the first columns are the ones seen without swiping — the file name wraps
    # even when short (a 20-character name kept on one line pushed 状态 past a 390 px screen).
    columns = [Col("filename", _("文件"), link=True, wrap=True), Col("status", _("状态")),
               Col("kind", _("类型"), render=lambda job: job.kind_label), Col("org.name", _("导入到单位")),
               Col("total", _("行数")), Col("created_count", _("新增")),
               Col("skipped_count", _("跳过")), Col("created", _("提交时间"))]
    select_related = ("org",)


class ImportJobListView(ObjectListView):
    """The user's own jobs; her uploads still waiting on the mapping step are listed above the table with 继续核对
    and 放弃 (they expire after a day)."""

    queryset = ImportJob.objects.all()
    table = ImportJobTable
    template_name = "core/importjob_list.html"

    def get(self, request):
        purge_stale_import_drafts()
        return super().get(request)

    def base_context(self) -> dict[str, Any]:
        return {**super().base_context(), "drafts": import_drafts(self.request.user)}

    def get_queryset(self, action=None):
        return super().get_queryset(action).filter(user=self.request.user)


# --- Attachments ---------------------------------------------------------------------------------------------------
def attachments_of(obj) -> list:
    from django.contrib.contenttypes.models import ContentType

    from jinguo.core.models import Attachment

    return list(Attachment.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk))


def store_attachments(obj, files, user) -> list[str]:
    """Check and store uploaded files for `obj` (inside the caller's transaction); returns the errors."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.exceptions import ValidationError

    from jinguo.core.models import Attachment
    from jinguo.core.uploads import validate_upload

    if not files:
        return [_("请先选择要上传的文件。")]
    errors, stored = [], []
    for upload in files:
        try:
            kind = validate_upload(upload)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        stored.append(Attachment(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
                                 file=upload, name=upload.name[:255], kind=kind, size=upload.size, uploaded_by=user))
    if errors:
        return errors
    for attachment in stored:
        attachment.save()
    if stored:
        record_event(Event.ATTACHED, obj, data={"files": [a.name for a in stored]})
    return []


class AttachView(LoginRequiredMixin, View):
    """Attach uploaded files to one record the user may `action` (declare `queryset` and `action`): checked by content
    and size, stored and audited in one transaction, the user's right re-checked after the write."""

    queryset: models.QuerySet | None = None
    action = "change"

    def post(self, request, pk):
        obj = get_object_or_404(self.queryset.visible_to(request.user, self.action), pk=pk)
        with transaction.atomic():
            errors = store_attachments(obj, request.FILES.getlist("files"), request.user)
            recheck_visible(obj, request.user, self.action)
        for error in errors:
            messages.error(request, error)
        if not errors:
            messages.success(request, _("附件已上传。"))
        return redirect(obj.get_absolute_url())


class AttachmentDownloadView(LoginRequiredMixin, View):
    """Serve a file only when its owning record is visible to the user."""

    def get(self, request, pk):
        from jinguo.core.models import Attachment

        attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
        model = attachment.content_type.model_class()
        owner = get_object_or_404(model._default_manager.visible_to(request.user, "view"), pk=attachment.object_id)
        handle = attachment.file.open("rb")  # decrypted by the storage
        # Who fetched which photo or document of which record: in the record's history and the audit log.
        record_event(Event.ATTACHMENT_DOWNLOADED, owner, data={"attachment": attachment.pk, "name": attachment.name,
                                                               "size": attachment.size})
        return FileResponse(handle, as_attachment=attachment.kind != "image", filename=attachment.name)


# --- Org and period pickers (statistics pages) ---------------------------------------------------------------------
def chosen_org_and_period(request, model) -> tuple[models.Model, Period, list[models.Model]]:
    """The org (one of the user's visible units, default: her top unit) and period asked for in the query.

    A unit that is not an id is a 400 naming the parameter and value; one that does not exist or is outside the
    user's scope a 404; a period that cannot be read is ignored (the current year is shown) with a message.
    """
    from jinguo.core.forms import UnitPeriodQueryForm
    roots = scope_paths(request.user, model.scope_roles["view"])
    if not roots:
        raise PermissionDenied(_("您没有进行此操作的权限。"))
    visible = org_model().objects.visible_to(request.user, "view")
    query = UnitPeriodQueryForm(request.GET)  # the period as picked (period_year, period_part) or written (period)
    query.is_valid()
    if "org" in query.errors:
        raise BadRequest(query.errors_text("org"))
    org_id = query.cleaned_data.get("org")
    org = get_object_or_404(visible, pk=org_id) if org_id else visible.filter(path=roots[0]).first()
    period = query.cleaned_data.get("period")
    if "period" in query.errors:
        messages.error(request, _("%(error)s 已改为显示本年度。") % {"error": query.errors_text("period")})
    period = period or Period.containing(timezone.localdate(), "Y")
    choices = list(visible.filter(level__in=["province", "city", "county", "township"]).order_by("path")[:500])
    return org, period, choices


class UnitPeriodView(LoginRequiredMixin, View):
    """A statistics page over one unit and its subtree in one period (the unit and period pickers on top).

    Set `model` (its view roles decide who may open the page and which units she may pick), `template_name`, and
    `get_statistics(org, period) -> dict` for the template; `export(org, period) -> HttpResponse` answers
    `?export=xlsx` for those holding the model's export role. The picking itself is `chosen_org_and_period`."""

    model: type[models.Model] | None = None
    template_name: str | None = None

    def get(self, request):
        if self.model is None or self.template_name is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must set `model` and `template_name`")
        org, period, orgs = chosen_org_and_period(request, self.model)
        if request.GET.get("export") == "xlsx" and hasattr(self, "export"):
            require_scope(request.user, self.model, "export")
            return self.export(org, period)
        return render(request, self.template_name,
                      {"org": org, "period": period, "orgs": orgs, **self.get_statistics(org, period)})

    def get_statistics(self, org, period: Period) -> dict[str, Any]:
        return {}


def object_from_query(request, queryset: models.QuerySet, param: str, label: str) -> models.Model | None:
    """The record a query parameter names by id (None when absent): a 400 saying which parameter and value when
    it is not an id, a 404 when no such record is in `queryset`."""
    from jinguo.core.forms import IdField

    raw = request.GET.get(param, "")
    try:
        pk = IdField(required=False).clean(raw)
    except ValidationError as exc:
        raise BadRequest(f"{label}（{param}）：{'；'.join(exc.messages)}") from None
    return get_object_or_404(queryset, pk=pk) if pk else None
