"""The default code tables, re-applied on demand.

Each app's data migration owns its defaults; `ensure_defaults()` runs those same functions again (they are
idempotent get_or_create), so `jinguo load_demo` restores anything deleted, and browser tests that flush the
database between tests find the code tables in place.
"""

from importlib import import_module

from django.apps import apps

DATA_MIGRATIONS = [
    "jinguo.core.migrations.0003_default_code_tables",
    "jinguo.ledger.migrations.0002_default_code_tables",
    "jinguo.ledger.migrations.0004_measure_phrases",
    "jinguo.petitions.migrations.0002_default_code_tables",
    "jinguo.people.migrations.0002_default_code_tables",
    "jinguo.monitoring.migrations.0002_national_indicators",
    "jinguo.grassroots.migrations.0002_grassroots_kind_codes",
    "jinguo.reports.migrations.0004_summary_sections",
]


def ensure_defaults() -> None:
    for path in DATA_MIGRATIONS:
        import_module(path).forwards(apps, None)
