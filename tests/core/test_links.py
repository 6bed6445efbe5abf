"""`record_url` / `page_url` give exactly what `reverse` gives, for every page of the project addressed by one id (and
every page without arguments), under the site root and under a script prefix (a deployment below /jinguo/)."""

from __future__ import annotations

from django.urls import get_resolver, reverse, set_script_prefix

from jinguo.core.links import page_url, record_url


def _names() -> tuple[list[str], list[str]]:
    """(names of URLs taking one `pk`, names of URLs taking nothing), namespaced."""
    by_id, plain = [], []

    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif pattern.name:
                arguments = list(pattern.pattern.converters)
                if arguments == ["pk"] and "int" in type(pattern.pattern.converters["pk"]).__name__.lower():
                    by_id.append(namespace + pattern.name)
                elif not arguments and "(?P<" not in str(pattern.pattern) and namespace:
                    plain.append(namespace + pattern.name)

    walk(get_resolver())
    return by_id, plain


def test_record_and_page_urls_are_reverses_own():
    by_id, plain = _names()
    assert len(by_id) > 40 and "petitions:case_detail" in by_id and "ledger:activity_detail" in by_id
    for prefix in ("/", "/jinguo/"):
        set_script_prefix(prefix)
        try:
            for name in by_id:
                for pk in (1, 7, 987654, 123456789):
                    assert record_url(name, pk) == reverse(name, args=[pk]), (prefix, name, pk)
            for name in plain:
                assert page_url(name) == reverse(name), (prefix, name)
        finally:
            set_script_prefix("/")
    assert record_url("petitions:case_detail", 42).startswith("/petitions/42")
