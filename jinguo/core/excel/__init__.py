"""The Excel engine: one declared column spec per importable model gives its template, its import and its export.

template  → .xlsx with Chinese headers (required ones marked *), drop-downs from the code tables and a 填写说明 sheet
import    → parse with calamine, validate every row through the model's own form, collect every error as
            (sheet, row as Excel shows it, column, reason), and commit all or nothing
export    → the same columns, streamed with XlsxWriter, so an export re-imports unchanged

Rows already present (by natural key) are skipped, or updated when asked (`existing="update"`).

The package: `cells` (headers and cell parsers), `spec` (Column, ImportSpec and the result types), `read` (opening
files, handing out rows), `run` (validating and writing), `template` (blank and annotated workbooks), `export`.
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
from jinguo.core.excel.spec import (
    KIND_LABELS,
    Column,
    ImportAborted,
    ImportContext,
    ImportResult,
    ImportSpec,
    ProgressCallback,
    RowError,
    kind_label,
)
from jinguo.core.excel.template import annotated_workbook

__all__ = [
    "DATE_FORMATS", "EXCEL_EPOCH", "KIND_LABELS", "CellError", "Column", "ImportAborted", "ImportContext",
    "ImportResult", "ImportSpec", "ProgressCallback", "RowError", "annotated_workbook", "column_letter", "kind_label",
    "normalize_header", "parse_bool", "parse_date", "parse_decimal", "parse_int", "parse_text",
]
