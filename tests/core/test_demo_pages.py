"""The demo shows something on every page its users open first, and loading it twice changes nothing."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from jinguo.accounts.models import User

# Transactional, as the browser tests: the first load is theirs (`demo`, loaded once per session), the second here.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _counts():
    from django.apps import apps

    return {m._meta.label: m.objects.count() for m in apps.get_models()
            if m._meta.app_label in ("petitions", "ledger", "people", "monitoring", "reports", "core")}


def _panel_count(html: str, key: str) -> int:
    section = re.search(rf'id="panel-{key}".*?panel-count"[^>]*>(\d+)<', html, re.S)
    assert section, key
    return int(section.group(1))


def test_demo_fills_every_first_page_and_is_idempotent(client, capsys, demo):
    from jinguo.core.models import ImportJob
    from jinguo.monitoring.models import DataSet, Submission
    from jinguo.reports.models import Summary

    before = _counts()
    call_command("load_demo")
    assert _counts() == before
    capsys.readouterr()

    def login(username):
        c = client.__class__()
        c.force_login(User.objects.get(username=username))
        return c

    dongan = login("dongan")
    home = dongan.get("/").content.decode()
    for key in ("petitionsoverdue", "petitionsdue_soon", "petitionsdv", "ledgermonth", "peoplereminders"):
        assert _panel_count(home, key) > 0, key
    deadlines = dongan.get(reverse("petitions:deadlines")).content.decode()
    assert "没有超期案件" not in deadlines and "没有即将超期的案件" not in deadlines
    from jinguo.petitions.models import Case

    history = dongan.get(Case.objects.filter(org__code="431122").first().get_absolute_url()).content.decode()
    assert "李娟" in history  # the demo's steps are the county staff's, not the command line's
    imports = dongan.get(reverse("core:importjob_list")).content.decode()
    assert "演示-活动台账导入.xlsx" in imports and "活动台账" in imports
    assert ImportJob.objects.filter(org__code="431122", status="done").exists()

    leader = login("dongan_leader")
    assert _panel_count(leader.get("/").content.decode(), "monitoringreview") == 1
    assert Submission.objects.filter(org__parent__code="431122", status="submitted").count() == 1
    summaries = leader.get(reverse("reports:summary_list")).content.decode()
    assert Summary.objects.filter(org__code="431122", status="ready").exists() and "东安县妇联" in summaries

    city = login("yongzhou").get("/").content.decode()
    assert "各地超期件数" in city and "东安县" in city and "双牌县" in city

    clerk = login("dongan_tjj")
    dataset = DataSet.objects.get(org__code="431122-TJ")
    assert dataset.indicators.exists()
    clerk_home = clerk.get("/").content.decode()
    assert _panel_count(clerk_home, "monitoringfill") == 1 and dataset.name in clerk_home
    year = str(timezone.localdate().year)
    grid = clerk.get(reverse("monitoring:grid", kwargs={"dataset_pk": dataset.pk, "period": year}))
    assert grid.status_code == 200 and dataset.indicators.first().name in grid.content.decode()
