"""No traceback, ever: every import kind, fed workbooks with a random subset of its columns (in any order, with a
序号/备注 column or two) and random cells — text, numbers, dates, blanks, junk, huge strings, values of the column's
own code table — ends as row errors or a success. Nothing is half-written: a refused file leaves no record and no
audit entry behind."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jinguo.audit.models import AuditEntry
from jinguo.core.excel import ImportContext, ImportResult
from jinguo.core.importkinds import IMPORT_SPECS, get_spec
from jinguo.testing import xlsx_file

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
JUNK = st.sampled_from(["合计", "小计：", "填表人：张三", "注：", "=1+1", "—", "N/A", "２０２５年３月５日", "20250305",
                        "2025.3.5", "已办结", "婚姻家庭类", "32012419880824005X", "320124198808240056", "13807461234",
                        "1,000", "约500", "500份", "是", "否", "431122", "-1", "0", " ", "\u3000", "#REF!"])
VALUES = st.one_of(
    st.none(), TEXT, JUNK,
    st.integers(min_value=-10**18, max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 12, 31)),
    st.booleans(),
    st.integers(min_value=300, max_value=5000).map(lambda n: "长" * n),  # huge strings
)


def _counts(spec) -> tuple[int, int]:
    return spec.model._default_manager.count(), AuditEntry.objects.count()


@pytest.mark.parametrize("kind", sorted(IMPORT_SPECS))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_any_file_of_any_kind_ends_in_row_errors_or_success(kind, data, tree):
    ctx = ImportContext(org=tree["county"], period="2025")
    columns = get_spec(kind).columns_for(ctx)
    chosen = data.draw(st.lists(st.sampled_from(columns), unique_by=lambda c: c.field, max_size=len(columns)),
                       label="columns")
    extras = data.draw(st.lists(st.sampled_from(["序号", "备注", "说明", "不认识的列"]), unique=True, max_size=2))
    headers = [str(data.draw(st.sampled_from([c.header, *c.aliases]))) for c in chosen] + extras
    spec = get_spec(kind)

    def cell(column):
        allowed = [str(v) for v in spec.allowed_values(column)] if column is not None else []
        return st.one_of(VALUES, st.sampled_from(allowed)) if allowed else VALUES

    rows = data.draw(st.lists(st.tuples(*[cell(c) for c in chosen], *[VALUES for _e in extras]).map(list),
                              min_size=0, max_size=4), label="rows")
    before = _counts(spec)
    result = spec.run_import(xlsx_file(headers, rows), ctx)  # any exception escaping fails the test
    assert isinstance(result, ImportResult)
    if not result.ok:
        assert _counts(spec) == before, [str(e) for e in result.errors]
        assert all(str(e) for e in result.errors)  # each error renders as text for the page
    else:
        assert result.created + result.updated + result.skipped <= result.total
