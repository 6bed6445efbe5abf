"""The sentence bank of the work summary: a few patterns per sentence type, chosen deterministically.

Patterns are data, not code paths: each has an id (`lead.b`) that the generated block records as its `frame`, so
a reader (and a test) can see which frame produced a sentence. `Chooser` picks a pattern from a stable hash of
(section, unit, period) and never lets one frame serve more than `per_document` sections, so the draft does not
read as one form repeated. Nothing in a pattern claims more than the figures do: no adjectives of success.

Placeholders are filled with already formatted pieces (core.numbers); a piece that is missing in the records is
an empty string, and every pattern stays grammatical without it.
"""

from __future__ import annotations

import hashlib
from collections import Counter

# A section's lead: {period} 2025年上半年, {who} 全县各级妇联 / 县妇联, {what} the line of work, {held} 开展活动N场次,
# {figures} '，发放宣传资料N份、接受咨询N人次' (with its leading comma, or ''), {change} '，比上年同期增加N场次' or ''.
LEAD = {
    "lead.a": "{period}，{who}围绕{what}共开展活动{held}{figures}{change}。",
    "lead.b": "{period}，{who}在{what}方面组织开展各类活动{held}{figures}{change}。",
    "lead.c": "{who}{period}在{what}工作中累计开展活动{held}{figures}{change}。",
    "lead.d": "聚焦{what}，{who}{period}共组织活动{held}{figures}{change}。",
}

# One of the main activities: {ordinal} 一是, {date} 3月1日至7日, {partners} '联合市司法局、市检察院' or '',
# {place} '在市中心广场' or '', {title} the activity's name (quoted by the pattern), {figures} '，发放…' or ''.
ITEM = {
    "item.a": "{ordinal}{date}，{partners}{place}开展“{title}”活动{figures}。",
    "item.b": "{ordinal}{date}，{partners}{place}举办“{title}”{figures}。",
    "item.c": "{ordinal}{partners}于{date}{place}组织开展“{title}”{figures}。",
    "item.d": "{ordinal}“{title}”于{date}{place}举行{partners_joint}{figures}。",
    "item.e": "{ordinal}{date}，{place}{partners}组织“{title}”活动{figures}。",
    "item.f": "{ordinal}{partners}{date}{place}开展“{title}”{figures}。",
    "item.g": "{ordinal}{date}{place}举行“{title}”活动{partners_joint}{figures}。",
    "item.h": "{ordinal}{date}，{partners}{place}组织实施“{title}”{figures}。",
    "item.i": "{ordinal}{date}{partners}{place}开展了“{title}”{figures}。",
}

# A unit below that stands out (city and province summaries): {unit} 东安县妇联, {held}, {figures}, {scope} 全市.
STANDOUT = {
    "standout.a": "其中，{unit}开展活动{held}{figures}，在{scope}各单位中最多。",
    "standout.b": "各单位中，{unit}开展活动最多，达{held}{figures}。",
    "standout.c": "从各单位看，{unit}开展活动{held}{figures}，居{scope}首位。",
}

BANKS = {"lead": LEAD, "item": ITEM, "standout": STANDOUT}


def _hash(*parts: object) -> int:
    """A stable hash (Python's hash() changes between processes)."""
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:8], "big")


class Chooser:
    """Picks frames for one document: deterministic in (section, unit, period), each frame in at most
    `per_document` sections. With a bank smaller than sections × frames ÷ 2 the cap is lifted for that bank rather
    than leave a sentence out (never the case with the default banks and up to three activities a section)."""

    def __init__(self, *salt: object, per_document: int = 2) -> None:
        self.salt = salt
        self.per_document = per_document
        self.sections: dict[str, set[str]] = {}  # frame id → the sections that used it

    def pick(self, kind: str, section: str, slot: int = 0, taken: set[str] | None = None) -> tuple[str, str]:
        """(frame id, pattern) for the `slot`-th sentence of `kind` in `section`."""
        bank = BANKS[kind]
        ids = list(bank)
        start = _hash(kind, section, slot, *self.salt) % len(ids)
        ordered = ids[start:] + ids[:start]
        taken = taken or set()
        free = [i for i in ordered if i not in taken and (section in self.sections.get(i, set())
                                                          or len(self.sections.get(i, set())) < self.per_document)]
        frame = (free or [i for i in ordered if i not in taken] or ordered)[0]
        self.sections.setdefault(frame, set()).add(section)
        return frame, bank[frame]

    def usage(self) -> Counter:
        return Counter({frame: len(sections) for frame, sections in self.sections.items()})
