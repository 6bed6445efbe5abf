"""What `make run` shows a user who hits a missing page or a forbidden one: the Chinese pages, never Django's
technical ones (those only with JINGUO_DEBUG=1 set on purpose), with static files served without DEBUG."""

import os
import subprocess
import sys

from django.urls import reverse

TECHNICAL = ("Page not found (404)", "URLconf", "Traceback", "DEBUG = True", "Request Method")


def test_the_default_settings_are_not_debug(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("JINGUO_DEBUG", "JINGUO_ENV")}
    env.update(JINGUO_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="jinguo.settings")
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    env["JINGUO_DEBUG"] = "1"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


def test_missing_page_and_forbidden_record_are_chinese_pages(client, login, users, tree, make_case):
    staff = login(users["staff"])
    for response in (staff.get("/no-such-page/"), staff.get(reverse("petitions:case_detail", args=[999999])),
                     client.get("/no-such-page/")):
        body = response.content.decode()
        assert response.status_code == 404
        assert "未找到" in body
        assert not any(marker in body for marker in TECHNICAL)
    sister_case = make_case(tree["sister"])
    response = staff.get(reverse("petitions:case_detail", args=[sister_case.pk]))
    assert response.status_code == 404 and "未找到" in response.content.decode()


def test_static_files_and_favicon_are_served_without_debug(client, settings):
    settings.WHITENOISE_AUTOREFRESH = settings.DEBUG  # as shipped (the suite's other tests look files up lazily)
    assert not settings.DEBUG
    css = client.get("/static/jinguo/app.css")
    assert css.status_code == 200
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301 and icon["Location"].endswith("jinguo/favicon.svg")
    assert client.get(icon["Location"]).status_code == 200
