"""Human words: periods picked and shown as 2026年上半年, targets as ≤12/10万, rules and indicators by name, import
kinds by their Chinese names, downloads named in Chinese."""

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from jinguo.core.forms import PeriodFormField, PeriodWidget, UnitPeriodQueryForm
from jinguo.core.numbers import with_unit
from jinguo.core.periods import Period
from jinguo.testing import xlsx_file

pytestmark = pytest.mark.django_db


def _filename(response) -> str:
    disposition = response["Content-Disposition"]
    match = re.search(r"filename\*=(?:UTF-8|utf-8)''([^;]+)", disposition)
    return unquote(match.group(1)) if match else disposition


def _chinese(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


@pytest.mark.parametrize("text", ["2026", "2026H1", "2026H2", "2026Q3", "2026M03"])
def test_period_picker_round_trip(text):
    widget = PeriodWidget()
    year, part = widget.decompress(text)
    posted = {"period_year": year, "period_part": part}
    field = PeriodFormField(required=False)
    assert field.clean(widget.value_from_datadict(posted, {}, "period")) == Period.parse(text)
    html = widget.render("period", text)
    assert f'<option value="{year}" selected>{year}年</option>' in html
    assert re.search(rf'<option value="{part}" selected>', html)
    assert "上半年" in html and "第一季度" in html and 'type="text"' not in html
    # A written period (links, bookmarks, scripts) is still read.
    assert field.clean(widget.value_from_datadict({"period": text}, {}, "period")) == Period.parse(text)


def test_period_query_reads_the_picker_and_names_a_bad_year():
    form = UnitPeriodQueryForm({"period_year": "2025", "period_part": "H2"})
    assert form.is_valid() and form.cleaned_data["period"] == Period(2025, "H", 2)
    assert form.cleaned_data["period"].label == "2025年下半年"
    bad = UnitPeriodQueryForm({"period_part": "H1"})
    assert not bad.is_valid() and "统计期" in bad.errors_text("period")


def test_statistics_page_follows_the_picked_period(tree, users, login):
    client = login(users["staff"])
    html = client.get(reverse("petitions:statistics") + "?period_year=2025&period_part=H1").content.decode()
    assert "2025年上半年" in html


def test_summary_form_takes_the_picked_period(tree, users, login):
    from jinguo.reports.models import Summary

    client = login(users["staff"])
    page = client.get(reverse("reports:summary_add")).content.decode()
    assert 'name="period_year"' in page and 'name="period_part"' in page
    client.post(reverse("reports:summary_add"), {"org": tree["county"].pk, "period_year": "2025", "period_part": "H1",
                                                 "scope": "tree", "share_places": 1})
    assert Summary.objects.get(org=tree["county"]).period == "2025H1"


def test_targets_read_as_the_outline_writes_them(tree, users, login):
    from jinguo.monitoring.models import Indicator

    mmr = Indicator.objects.get(code="W_HEALTH_MMR")
    assert mmr.unit == "1/10万"
    assert mmr.target_display == f"{mmr.get_direction_display()}{with_unit(mmr.target, '1/10万')}"
    assert with_unit(12, "1/10万") == "12/10万" and with_unit(74.8, "%") == "74.8%"
    mmr.target, mmr.direction = 12, "le"
    mmr.save()
    assert mmr.target_display == "≤12/10万"
    client = login(users["staff"])
    page = client.get(reverse("monitoring:attainment") + f"?period={timezone.localdate().year}").content.decode()
    assert "≤12/10万" in page and "≤121/10万" not in page
    listed = client.get(reverse("monitoring:indicator_list")).content.decode()
    assert "≤12/10万" in listed
    assert listed.index("指标名称") < listed.index("指标代码")  # the name first, the code after


def test_rules_are_shown_in_words_beside_the_expression(tree, users, login):
    page = login(users["staff"]).get(reverse("monitoring:validationrule_list")).content.decode()
    assert "孕产妇死亡数 ≤ 活产数" in page and "W_HEALTH_MMR_D &lt;= W_HEALTH_LB" in page


def test_import_kinds_by_their_chinese_names(tree, users, login):
    from django.core.files.base import ContentFile

    from jinguo.core.models import ImportJob

    job = ImportJob(org=tree["county"], kind="petitions", user=users["staff"], filename="历史台账.xlsx")
    job.file.save("历史台账.xlsx", ContentFile(b"x"), save=False)
    job.save()
    assert job.kind_label == "信访案件"
    client = login(users["staff"])
    listed = client.get(reverse("core:importjob_list")).content.decode()
    assert "信访案件" in listed and ">petitions<" not in listed
    assert "导入任务" in listed and "导入记录" not in listed


def test_every_download_has_a_chinese_name(tree, users, login, make_case, make_activity,
                                           django_capture_on_commit_callbacks):
    from jinguo.reports.models import Summary
    from jinguo.reports.services import regenerate

    case = make_case(tree["county"])
    make_activity(tree["county"], "三八维权周", "2025-03-08", participants=10)
    staff, leader = login(users["staff"]), login(users["leader"])
    summary = regenerate(Summary.objects.create(org=tree["county"], period="2025H1", created_by=users["leader"]))
    downloads = {
        "登记表": staff.get(reverse("petitions:case_form", args=[case.pk])),
        "登记表明文": staff.post(reverse("petitions:case_form", args=[case.pk]), {"reason": "回访需要"}),
        "列表导出": staff.get(reverse("petitions:case_list") + "?export=xlsx"),
        "台账导出": staff.get(reverse("ledger:activity_list") + "?export=xlsx"),
        "导入模板": staff.get(reverse("ledger:activity_import") + "?template=1"),
        "工作总结": leader.get(reverse("reports:summary_download", args=[summary.pk, "docx"])),
        "统计报表": staff.get(reverse("reports:return") + f"?org={tree['county'].pk}&period=2025&download=1"
                                                         "&threshold=5"),
    }
    for label, response in downloads.items():
        assert response.status_code == 200, label
        name = _filename(response)
        assert _chinese(name), f"{label}: {name}"
    assert _filename(downloads["登记表"]) == f"信访登记表-{case.number}.docx"
    assert _filename(downloads["登记表明文"]) == f"信访登记表-{case.number}（明文）.docx"
    # An uploaded workbook's annotated errors keep the Chinese name too.
    upload = xlsx_file(["活动名称"], [["x"]], name="三月活动.xlsx")
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(reverse("ledger:activity_import"), {"file": upload, "org": tree["county"].pk})
    from jinguo.core.models import ImportJob

    job = ImportJob.objects.get(filename="三月活动.xlsx")
    assert job.status == "failed" and job.errors, (job.status, job.message)
    errors = staff.get(reverse("core:importjob_detail", args=[job.pk]) + "?download=errors")
    assert errors.status_code == 200 and _filename(errors) == "错误标注-三月活动.xlsx"


def test_period_picker_tag_for_hand_written_filter_forms():
    from django.template import Context, Template

    html = Template("{% load jinguo %}{% period_picker period %}").render(Context({"period": Period(2026, "H", 1)}))
    assert 'name="period_year"' in html and '<option value="H1" selected>上半年</option>' in html
