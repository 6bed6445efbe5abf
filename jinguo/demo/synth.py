"""Synthetic data at county, city or province scale, for benchmarks and load tests (`jinguo synth`).

A realistic org tree (province ≈ 20 cities, 180 counties, 3,000 townships) under its own province code (99), and
records with plausible shapes: the demo's category mix, petitions peaking after the Spring Festival and around
三八, activities peaking in March and June, valid ID numbers, Chinese names, mostly closed older cases and open
recent ones. Written with bulk inserts in batches — not through the per-record services — so each run writes one
`data.seeded` audit event naming what it wrote ("seeded without per-record audit"); the chain stays intact.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from jinguo.audit.services import record_event
from jinguo.core.bulk import insert_rows, next_pk, reset_sequences
from jinguo.core.crypto import encrypt_text, provider, search_hash
from jinguo.core.events import Event
from jinguo.core.idcard import check_char, masked_fields
from jinguo.core.models import CodeItem
from jinguo.demo.records import ACTIVITIES, CASES, GIVEN, SURNAMES
from jinguo.ledger.models import Activity, ActivityFigure, Measure
from jinguo.ledger.sections import rebuild_sections
from jinguo.ledger.stats import rebuild_cells
from jinguo.orgs.models import Level, OrgUnit
from jinguo.petitions.models import STATUTE_DAYS, Case, CaseCounter, Petitioner, Status
from jinguo.petitions.stats import rebuild_cells as rebuild_case_cells

PROVINCE = "990000"


@dataclass(frozen=True)
class Scale:
    cities: int
    counties_per_city: int
    townships_per_county: int
    cases: int
    activities: int


SCALES = {
    "county": Scale(1, 1, 17, 5_000, 20_000),
    "city": Scale(1, 9, 17, 50_000, 200_000),
    "province": Scale(20, 9, 17, 500_000, 2_000_000),
}
# Petitions by month: after the Spring Festival, around 三八 and before the summer; activities peak in March and June.
CASE_MONTHS = (9, 11, 12, 9, 8, 8, 7, 7, 8, 8, 7, 6)
ACTIVITY_MONTHS = (6, 4, 16, 6, 9, 14, 6, 5, 6, 6, 7, 8)


@dataclass
class SynthReport:
    scale: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


class _Rows:
    """Rows of `model` as plain lists in column order for `insert_rows`: every field's default (as the database
    stores it), with the values given per row on top — those must already be in the database's form (ids, not
    objects; ciphertext, not plaintext)."""

    def __init__(self, model, **fixed) -> None:
        fields = model._meta.concrete_fields
        self.columns = [f.column for f in fields]
        self._defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) for f in fields}
        self._defaults.update(fixed)

    def row(self, values: dict) -> list:
        unknown = values.keys() - self._defaults.keys()
        if unknown:
            raise KeyError(f"no such columns: {sorted(unknown)}")
        return [values.get(name, default) for name, default in self._defaults.items()]


_MONTHS = range(1, 13)


@functools.cache
def _days_in(year: int, month: int) -> int:
    return ((dt.date(year + month // 12, month % 12 + 1, 1)) - dt.date(year, month, 1)).days


def _id_number(rng: random.Random, county: str) -> str:
    """A valid 18-character ID number born in `county`; 99 is no real province, so the cards say 43 (湖南)."""
    born = f"{rng.randint(1960, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"43{county[2:]}{born}{rng.randint(0, 499) * 2:03d}"
    return first17 + check_char(first17)


def _add_level(parents: list, per_parent: int, level: str, code_of: Callable, name_of: Callable) -> list:
    """`per_parent` units under each parent (codes and names from the callables); returns the whole level."""
    units = []
    for parent in parents:
        for i in range(1, per_parent + 1):
            code = code_of(parent, i)
            units.append(OrgUnit(code=code, name=name_of(parent, i), level=level, parent=parent,
                                 path=f"{parent.path}{code}/", depth=parent.depth + 1))
    OrgUnit.objects.bulk_create(units, ignore_conflicts=True, batch_size=2000)
    return list(OrgUnit.objects.filter(level=level, path__startswith=f"/{PROVINCE}/").order_by("code"))


def build_tree(scale: Scale) -> tuple[object, list, list]:
    """The province, its counties and its townships (bulk-created, materialised paths)."""
    province = OrgUnit.objects.filter(code=PROVINCE).first()
    if province is None:
        province = OrgUnit.objects.bulk_create([OrgUnit(code=PROVINCE, name="样例省", level=Level.PROVINCE,
                                                        path=f"/{PROVINCE}/", depth=1)])[0]
    cities = _add_level([province], scale.cities, Level.CITY, lambda _p, c: f"99{c:02d}00", lambda _p, c: f"样例{c}市")
    counties = _add_level(cities, scale.counties_per_city, Level.COUNTY, lambda city, k: f"{city.code[:4]}{k:02d}",
                          lambda city, k: f"{city.name}{k}县")
    townships = _add_level(counties, scale.townships_per_county, Level.TOWNSHIP,
                           lambda county, t: f"{county.code}{t:03d}", lambda county, t: f"{county.name[-4:]}{t}镇")
    return province, counties, townships


@functools.cache
def _cumulative(months: tuple[int, ...]) -> list[int]:
    return list(itertools.accumulate(months))


def _weighted_day(rng: random.Random, year: int, months: tuple[int, ...]) -> dt.date:
    """A day of `year`, its month drawn with `months` as weights (the same draws as `choices(weights=…)`)."""
    month = rng.choices(_MONTHS, cum_weights=_cumulative(months))[0]
    return dt.date(year, month, rng.randint(1, _days_in(year, month)))


@contextmanager
def _foreign_key_checks_off() -> Iterator[None]:
    """On PostgreSQL, for a superuser (the bench's and the developer's own server): the foreign keys' per-row triggers
    off while the synthetic rows go in (`session_replication_role = replica`). Django declares its foreign keys
    DEFERRABLE INITIALLY DEFERRED, so every inserted row queued a check for the commit: over half of the load. The
    ids here are made together with the rows they point to (tests/core/test_synth.py checks every reference). For
    anyone else, and on SQLite, the checks run as usual."""
    superuser = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            superuser = cursor.fetchone()[0]
            if superuser:
                cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        if superuser:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")


def synth(scale_name: str, *, seed: int = 2025, year: int | None = None,
          progress: Callable[[str, int, int], None] | None = None, batch: int = 20_000) -> SynthReport:
    scale = SCALES[scale_name]
    rng = random.Random(seed)
    report = SynthReport(scale_name)
    today = timezone.localdate()
    year = year or today.year - 1
    started = time.perf_counter()
    with transaction.atomic():
        province, counties, townships = build_tree(scale)
    report.counts["org_units"] = 1 + scale.cities + len(counties) + len(townships)
    report.seconds["tree"] = time.perf_counter() - started
    by_county: dict[str, list] = {}
    for town in townships:
        by_county.setdefault(town.parent_id, []).append(town)

    channels, categories = CodeItem.objects.lookup("petition_channel"), CodeItem.objects.lookup("petition_category")
    weighted = [c for c in CASES for _ in range(c[4])]
    tz = timezone.get_current_timezone()

    with _foreign_key_checks_off():
        # --- cases and petitioners: plain rows in column order, each field's default under the values set here -------
        t0 = time.perf_counter()
        counters: dict[tuple[int, int], int] = {}
        next_case, next_person = next_pk(Case), next_pk(Petitioner)
        now = timezone.now()
        case_rows, person_rows = _Rows(Case, created=now, updated=now), _Rows(Petitioner)
        encrypt = encrypt_text

        def masked(**clear: str) -> dict[str, str]:  # the rows bypass the fields' pre_save: the masks go in by hand
            return {f"{name}_masked": value for name, value in masked_fields(**clear).items()}

        made = 0
        while made < scale.cases:
            n = min(batch, scale.cases - made)
            cases, people = [], []
            for _ in range(n):
                county = rng.choice(counties)
                org = county if rng.random() < 0.6 else rng.choice(by_county[county.pk])
                channel, category, sub, summary, _w = rng.choice(weighted)
                case_year = year if rng.random() < 0.8 else year - 1
                received = _weighted_day(rng, case_year, CASE_MONTHS)
                key = (org.pk, case_year)
                counters[key] = counters.get(key, 0) + 1
                age = (today - received).days
                accept_due = received + dt.timedelta(days=STATUTE_DAYS["accept_days"])
                number = f"{org.code}-{case_year}-{counters[key]:05d}"
                case = {"id": next_case, "org_id": org.pk, "number": number, "petition_type": "complaint",
                        "received_at": dt.datetime.combine(received, dt.time(rng.randint(8, 17), rng.randint(0, 59)),
                                                           tzinfo=tz),
                        "channel_id": channels[channel].pk, "category_id": categories[category].pk,
                        "subcategory_id": categories[sub].pk if sub else None, "summary": summary,
                        "flag_dv": sub == "家庭暴力", "accept_due": accept_due, "status": Status.REGISTERED.value,
                        "current_due": accept_due}
                if age > 20 or rng.random() < 0.7:
                    accepted = received + dt.timedelta(days=rng.randint(0, 6))
                    handle_due = accepted + dt.timedelta(days=STATUTE_DAYS["handle_days"])
                    case.update(accepted_on=accepted, handle_due=handle_due, status=Status.IN_PROGRESS.value,
                                current_due=handle_due)
                    if age > 75 or rng.random() < 0.5:
                        replied = accepted + dt.timedelta(days=rng.randint(3, 64))
                        closed = replied + dt.timedelta(days=rng.randint(1, 10))
                        if closed <= today:
                            case.update(replied_on=replied, closed_on=closed, status=Status.CLOSED.value,
                                        current_due=None, closed_on_time=replied <= case["handle_due"],
                                        result=rng.choice(["mediated", "legal_aid", "explained", "referred",
                                                           "mediated"]))
                cases.append(case_rows.row(case))
                id_number = _id_number(rng, number[:6])
                phone = f"1{rng.choice('3589')}{rng.randint(10**8, 10**9 - 1)}"
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                people.append(person_rows.row({
                    "id": next_person, "case_id": next_case, "name": encrypt(name), "age": rng.randint(20, 70),
                    "id_number": encrypt(id_number), "id_hash": search_hash(id_number), "phone": encrypt(phone),
                    "phone_hash": search_hash(phone), **masked(name=name, id_number=id_number, phone=phone)}))
                next_case += 1
                next_person += 1
            with transaction.atomic():
                insert_rows(Case, case_rows.columns, cases)
                insert_rows(Petitioner, person_rows.columns, people)
            made += n
            if progress:
                progress("cases", made, scale.cases)
        reset_sequences(Case, Petitioner)
        with transaction.atomic():
            rebuild_case_cells()
            CaseCounter.objects.bulk_create([CaseCounter(org_id=org_id, year=y, last=last)
                                             for (org_id, y), last in counters.items()], batch_size=5000,
                                            ignore_conflicts=True)
        report.counts["cases"] = report.counts["petitioners"] = scale.cases
        report.seconds["cases"] = time.perf_counter() - t0

        # --- activities and their figures: the bulk of the rows, inserted as plain tuples with ids assigned here -----
        t0 = time.perf_counter()
        kinds = CodeItem.objects.lookup("activity_kind")
        measures = {m.code: m for m in Measure.objects.all()}
        themes = CodeItem.objects.lookup("activity_theme")
        templates = [(kinds[kind].pk, title, [themes[t].pk for t in names if t in themes],
                      [(measures[c].pk, float(v), measures[c].kind == "money") for c, v in figs.items()
                       if c in measures])
                     for _month, kind, title, names, figs in ACTIVITIES if kind in kinds]
        activity_columns = ["id", "org_id", "kind_id", "title", "start_date", "end_date", "place", "description",
                            "created", "updated", "version"]
        next_activity, next_figure = next_pk(Activity), next_pk(ActivityFigure)
        made = figures = 0
        while made < scale.activities:
            n = min(batch, scale.activities - made)
            activity_rows, figure_rows, theme_rows = [], [], []
            for _ in range(n):
                county = rng.choice(counties)
                org = county if rng.random() < 0.5 else rng.choice(by_county[county.pk])
                kind, title, theme_ids, figs = rng.choice(templates)
                start = _weighted_day(rng, year if rng.random() < 0.8 else year - 1, ACTIVITY_MONTHS)
                activity_rows.append((next_activity, org.pk, kind, f"{org.name}{title}", start, start, org.name, "",
                                      now, now, 1))
                theme_rows.extend((next_activity, theme) for theme in theme_ids)
                for measure, typical, money in figs:
                    value = typical * rng.uniform(0.3, 1.6)
                    cents = round(value * 100) if money else round(value) * 100  # CentsField stores hundredths
                    figure_rows.append((next_figure, next_activity, measure, cents))
                    next_figure += 1
                next_activity += 1
            with transaction.atomic():
                insert_rows(Activity, activity_columns, activity_rows)
                insert_rows(ActivityFigure, ["id", "activity_id", "measure_id", "value"], figure_rows)
                insert_rows(Activity.themes.through, ["activity_id", "codeitem_id"], theme_rows)
            figures += len(figure_rows)
            made += n
            if progress:
                progress("activities", made, scale.activities)
        reset_sequences(Activity, ActivityFigure)
        with transaction.atomic():
            rebuild_cells()
            rebuild_sections()
    report.counts["activities"], report.counts["figures"] = scale.activities, figures
    report.seconds["activities"] = time.perf_counter() - t0
    report.seconds["total"] = time.perf_counter() - started
    record_event(Event.DATA_SEEDED, org=province, note=f"jinguo synth --scale {scale_name} --seed {seed}",
                 data={"scale": scale_name, "seed": seed, "counts": report.counts,
                       "seconds": round(report.seconds["total"], 1),
                       "key_id": provider().key_id})  # the data key it wrote under: the bench checks it
    return report
