"""The data-entry grid as a workbook: 指标代码, 指标名称, 数值, 说明 — one row per indicator of the unit's data set,
for the period given on the command line (`--period 2025`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jinguo.core.excel import CellError, Column, ImportContext, ImportSpec
from jinguo.monitoring import services
from jinguo.monitoring.models import DataSet, DataValue, Indicator, Submission


class DataValueForm(forms.ModelForm):
    indicator_code = forms.CharField(label=_("指标代码"))

    class Meta:
        model = DataValue
        fields = ["value", "comment"]

    def __init__(self, *args, dataset: DataSet | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.dataset = dataset

    def clean_indicator_code(self) -> Indicator:
        code = self.cleaned_data["indicator_code"].strip()
        indicator = self.dataset.indicators.filter(code=code).first() if self.dataset else None
        if indicator is None:
            raise forms.ValidationError(_("“%(code)s”不是本单位数据集的指标。") % {"code": code})
        return indicator


class IndicatorValueImport(ImportSpec):
    kind = "indicator_values"
    label = _("监测指标数值")
    model = DataValue
    form_class = DataValueForm
    natural_key = ("indicator_code",)
    columns = [Column(_("指标代码"), "indicator_code", required=True, width=18,
                      exporter=lambda v: v.indicator.code),
               Column(_("指标名称"), "indicator_name", width=30, exporter=lambda v: v.indicator.name),
               Column(_("数值"), "value", kind="decimal", width=12),
               Column(_("说明"), "comment", width=30)]

    def dataset(self, ctx: ImportContext) -> DataSet:
        dataset = DataSet.objects.filter(org=ctx.org).first()
        if dataset is None:
            raise CellError(_("单位“%(org)s”没有监测数据集。") % {"org": ctx.org.name})
        return dataset

    def submission(self, ctx: ImportContext) -> Submission:
        if not getattr(self, "_submission", None):
            if not ctx.period:
                raise CellError(_("请用 --period 指定统计期，如 2025。"))
            dataset = self.dataset(ctx)
            self._submission, _created = Submission.objects.get_or_create(org=ctx.org, dataset=dataset,
                                                                          period=ctx.period)
        return self._submission

    def form_kwargs(self, ctx: ImportContext) -> dict:
        return {"dataset": self.dataset(ctx)}

    def find_existing(self, ctx: ImportContext, data: dict):
        return DataValue.objects.filter(submission=self.submission(ctx),
                                        indicator__code=str(data.get("indicator_code", "")).strip()).first()

    def save(self, ctx: ImportContext, form: DataValueForm):
        submission = self.submission(ctx)
        services.save_values(submission, {form.cleaned_data["indicator_code"]: (form.cleaned_data["value"],
                                                                                 form.cleaned_data["comment"])})
        return DataValue.objects.get(submission=submission, indicator=form.cleaned_data["indicator_code"])

    def after_save(self, ctx: ImportContext, obj) -> None:
        """Values belong to the submission; its scope was checked when the submission was found."""

    def run_import(self, file, ctx: ImportContext, progress=None, **options):
        self._submission = None
        ctx.existing = "update"  # a grid re-import replaces the values of the period
        try:
            self.submission(ctx)
        except CellError as exc:
            from jinguo.core.excel import ImportResult, RowError

            return ImportResult(errors=[RowError("", 0, "", "", str(exc))])
        return super().run_import(file, ctx, progress, **options)

    def template(self, ctx: ImportContext) -> bytes:
        """The grid of the unit's data set: codes and names filled in, values and comments to write."""
        import io

        from openpyxl import load_workbook

        from jinguo.core.xlsx import save_openpyxl

        book = load_workbook(io.BytesIO(super().template(ctx)))
        dataset = DataSet.objects.filter(org=ctx.org).first() if ctx.org is not None else None
        if dataset is not None:
            for indicator in dataset.indicators.order_by("code"):
                book["数据"].append([indicator.code, indicator.name, None, None])
        return save_openpyxl(book)  # a local indicator named "=…" stays text

    def export_queryset(self, ctx: ImportContext, date_from=None, date_to=None):
        return DataValue.objects.filter(submission__org=ctx.org).select_related("indicator").order_by(
            "indicator__code")
