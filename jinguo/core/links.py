"""Links to a record's page, built without walking the URL resolver for every row.

`reverse()` costs tens of microseconds; a list page links each of its fifty rows and a work summary a hundred
figures. `record_url(name, pk)` reverses `name` once per URL configuration and script prefix with a stand-in id and
puts each record's id in its place; `page_url(name)` is `reverse(name)` kept likewise.
"""

from __future__ import annotations

from django.urls import get_script_prefix, get_urlconf, reverse

_STAND_IN = 987_654_323  # an id no record has: found again in the reversed URL and replaced
_KEPT: dict[tuple, str] = {}


def page_url(name: str) -> str:
    """`reverse(name)`, kept."""
    key = (name, False, get_urlconf(), get_script_prefix())
    url = _KEPT.get(key)
    if url is None:
        url = _KEPT[key] = reverse(name)
    return url


def record_url(name: str, pk: int) -> str:
    """`reverse(name, args=[pk])` for a URL whose one argument is a record's integer id."""
    key = (name, True, get_urlconf(), get_script_prefix())
    url = _KEPT.get(key)
    if url is None:
        url = _KEPT[key] = reverse(name, args=[_STAND_IN])
    return url.replace(str(_STAND_IN), str(int(pk)), 1)
