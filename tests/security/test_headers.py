"""Security headers on every kind of response, templates without inline script, and a clean `check --deploy`."""

import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
# A script element that runs code in the page; a JSON data block (json_script, type="application/json") is data
# the browser never executes, and CSP does not apply to it.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def _csp(response) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_headers_on_pages_api_and_errors(who, users, login, client):
    c = client if who == "anonymous" else login(users["staff"])
    for url in (reverse("accounts:login"), reverse("core:home"), "/api/me/", "/no-such-page/"):
        response = c.get(url)
        csp = _csp(response)
        assert csp["script-src"] == "'self'" and csp["object-src"] == "'none'", url
        assert csp["frame-ancestors"] == "'none'" and csp["form-action"] == "'self'", url
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert "camera=()" in response["Permissions-Policy"], url


def test_no_template_has_inline_script_or_event_handler():
    offenders = []
    for path in (ROOT / "jinguo").rglob("templates/**/*.html"):
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER):
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)[:60]}" for m in pattern.finditer(text)]
        if "javascript:" in text:
            offenders.append(f"{path.relative_to(ROOT)}: javascript: URL")
    assert not offenders, offenders


def test_rendered_pages_including_third_party_ones_have_no_inline_script(users, login):
    client = login(users["staff"])
    for url in (reverse("core:home"), reverse("petitions:case_list"), reverse("ledger:activity_list"),
                reverse("reports:dashboard"), reverse("petitions:case_add"), reverse("api:docs")):
        html = client.get(url).content.decode()
        assert not INLINE_SCRIPT.search(html), url
        assert not INLINE_HANDLER.search(html), url
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script["Content-Type"].startswith("application/javascript")  # Swagger UI's start-up, as a file


def _production(tmp_path, *args):
    env = {"PATH": "/usr/bin:/bin", "JINGUO_ENV": "production", "JINGUO_SECRET_KEY": secrets.token_urlsafe(50),
           "JINGUO_DATA_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
           "JINGUO_AUDIT_KEY": "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=",
           "JINGUO_ALLOWED_HOSTS": "fulian.example.cn",
           "JINGUO_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "jinguo.settings", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "jinguo.manage", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _production(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_sends_hsts_and_secure_cookies_behind_tls(tmp_path):
    probe = ("from django.test import Client; "
             "r = Client().get('/accounts/login/', secure=True, headers={'x-forwarded-proto': 'https'}, "
             "HTTP_HOST='fulian.example.cn'); "
             "plain = Client().get('/accounts/login/', HTTP_HOST='fulian.example.cn'); "
             "print(r.status_code, r.headers.get('Strict-Transport-Security'), r.cookies['csrftoken']['secure'], "
             "plain.status_code, plain.headers.get('Location'))")
    # No `migrate` first: the sign-in page asks the database nothing (its queries counted: none), and a migration
    # from scratch was most of this test's time. Should it ever query, this fails on the missing table.
    result = _production(tmp_path, "shell", "--no-imports", "-c", probe)
    assert result.returncode == 0, result.stderr
    status, *hsts, secure, plain_status, location = result.stdout.split()
    assert status == "200" and " ".join(hsts) == "max-age=31536000; includeSubDomains; preload"
    assert secure == "True"
    assert plain_status == "301" and location.startswith("https://fulian.example.cn/")
