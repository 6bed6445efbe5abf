"""The Excel engine: one declared column spec per importable model gives its template, its import and its export.

template  → .xlsx with Chinese headers (required ones marked *), drop-downs from the code tables and a 填写说明 sheet
import    → parse with calamine, validate every row through the model's own form, collect every error as
            (sheet, row as Excel shows it, column, reason), and commit all or nothing
export    → the same columns, streamed with XlsxWriter, so an export re-imports unchanged

Rows already present (by natural key) are skipped, or updated when asked (`existing="update"`).

The package: `cells` (headers and cell parsers), `spec` (Column, ImportSpec and the result types), `read` (opening
.xlsx/.xls/.ods/.csv files, handing out rows, and `detect`: each sheet's header row and column matches — its
docstring is the API the upload page builds on), `run` (skipping what is not a record, validating and writing),
`template` (blank and annotated workbooks), `export`.
Everything other apps use is imported from here.
"""

from jinguo.core.excel.cells import (
    DATE_FORMATS,
    EXCEL_EPOCH,
    CellError,
    column_letter,
    normalize_header,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    parse_text,
)
from jinguo.core.excel.read import Detection, SheetTable, SkippedSheet, SourceColumn, detect, open_book
from jinguo.core.excel.spec import (
    KIND_LABELS,
    Column,
    ImportAborted,
    ImportContext,
    ImportResult,
    ImportSpec,
    Notice,
    ProgressCallback,
    RowError,
    kind_label,
)
from jinguo.core.excel.template import annotated_workbook

__all__ = [
    "DATE_FORMATS", "EXCEL_EPOCH", "KIND_LABELS", "CellError", "Column", "Detection", "ImportAborted", "ImportContext",
    "ImportResult", "ImportSpec", "Notice", "ProgressCallback", "RowError", "SheetTable", "SkippedSheet",
    "SourceColumn", "annotated_workbook", "column_letter", "detect", "kind_label", "normalize_header", "open_book",
    "parse_bool", "parse_date", "parse_decimal", "parse_int", "parse_text",
]
