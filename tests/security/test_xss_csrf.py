"""Stored XSS in every free-text field comes back as text (pages and .docx); every form needs its CSRF token."""

import io
import re
from pathlib import Path

from django.test import Client
from django.urls import reverse
from docx import Document

from tests.security.test_sister_county import _arguments, _model_key, _patterns

PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(2)>'
ROOT = Path(__file__).resolve().parents[2]


def _body(response) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode(errors="replace")


def test_stored_script_in_every_free_text_field_is_shown_as_text(make_world, tree, users, login):
    from jinguo.core.roles import Role
    from jinguo.testing import make_user

    records = make_world(tree["county"], tree["township"], users["staff"], PAYLOAD)
    owner = make_user("owner", tree["county"], Role.STAFF, Role.PETITION_OFFICER, Role.UNIT_LEADER, Role.AUDIT_ADMIN)
    client = login(owner)
    pages = 0
    for name, pattern in _patterns():
        args = _arguments(pattern)
        if "format" in args or name.startswith("api:") or name.endswith(("_delete", "_download")) or name in (
                "accounts:logout", "petitions:case_form"):
            continue
        if not args:
            url = reverse(name)
        else:
            key = _model_key(name, pattern)
            if key not in records or set(args) - {"pk", "dataset_pk", "period"}:
                continue
            url = reverse(name, kwargs={a: (records[key].pk if a != "period" else "2025") for a in args})
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = _body(response)
        assert "<script>alert(1)" not in html and "onerror=alert(2)>" not in html, f"{url} renders the payload"
        pages += 1
    assert pages > 60
    # The clear text shown on purpose (unmasking) is escaped too.
    case = records["case"]
    shown = client.post(reverse("petitions:case_unmask", args=[case.pk]), {"reason": "核实身份"}, follow=True)
    html = _body(shown)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html


def test_payload_in_word_documents_is_text_not_markup(make_world, tree, users, login):
    records = make_world(tree["county"], tree["township"], users["staff"], PAYLOAD)
    client = login(users["staff"])
    for url in (reverse("petitions:case_form", args=[records["case"].pk]),
                reverse("reports:summary_download", args=[records["summary"].pk, "docx"])):
        response = client.get(url)
        assert response.status_code == 200, url
        content = b"".join(response.streaming_content) if response.streaming else response.content
        document = Document(io.BytesIO(content))
        text = "\n".join(p.text for p in document.paragraphs)
        text += "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
        assert PAYLOAD in text, url  # the characters survive as text in a valid document


def test_every_post_without_csrf_token_is_refused(users, tree):
    from jinguo.testing import signed_in_client

    strict = signed_in_client(users["staff"], Client(enforce_csrf_checks=True))
    anonymous = Client(enforce_csrf_checks=True)
    checked = 0
    for name, pattern in _patterns():
        args = _arguments(pattern)
        if "format" in args:
            continue
        url = reverse(name, kwargs={a: (1 if a in ("pk", "dataset_pk") else "2025" if a == "period" else "x")
                                    for a in args})
        client = anonymous if name == "accounts:login" else strict
        response = client.post(url, {"anything": "1"})
        assert response.status_code == 403, f"POST {url} without a CSRF token → {response.status_code}"
        checked += 1
    assert checked > 150


def test_every_template_form_that_posts_carries_the_token():
    missing = []
    for path in (ROOT / "jinguo").rglob("templates/**/*.html"):
        for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", path.read_text(), re.S | re.I):
            if "{% csrf_token %}" not in form:
                missing.append(f"{path.relative_to(ROOT)}: {form[:80]}")
    assert not missing, missing
