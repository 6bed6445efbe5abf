"""Outline monitoring core: the rule grammar, rules on submit, approval locking, roll-up of rates, clerk scope."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jinguo.audit.models import AuditEntry
from jinguo.core.roles import Role
from jinguo.monitoring import expressions as ex
from jinguo.monitoring import services
from jinguo.monitoring.models import DataSet, Indicator, Submission
from jinguo.orgs.models import Level
from jinguo.orgs.services import add_org
from jinguo.testing import make_user


@pytest.mark.parametrize("text", ["W_EDU_03", "W_EDU_03[previous]", "C_HEALTH_01A + C_HEALTH_01B",
                                  "(A1 − B2) × 100 ÷ C3", "-A + 2.5*B", "A/(B+C)"])
def test_grammar_accepts(text):
    ex.parse(text)


@pytest.mark.parametrize("text, words", [
    ("", "为空"), ("A +", "不完整"), ("A + (B", "没有闭合"), ("__import__('os')", "无法识别"), ("A B", "多出"),
    ("a_lower", "无法识别"), ("A ** B", "不应出现"), ("A[prev]", "无法识别"), ("A; B", "无法识别"),
])
def test_grammar_rejects_with_a_clear_message(text, words):
    with pytest.raises(ex.ExpressionError, match=words):
        ex.parse(text)


def test_evaluate_and_compare():
    tree = ex.parse("(A + B) / 2")
    assert ex.evaluate(tree, {ex.Ref("A"): Decimal(3), ex.Ref("B"): Decimal(5)}) == 4
    assert ex.evaluate(tree, {ex.Ref("A"): Decimal(3)}) is None
    with pytest.raises(ex.ExpressionError, match="除数为0"):
        ex.evaluate(ex.parse("A / B"), {ex.Ref("A"): Decimal(1), ex.Ref("B"): Decimal(0)})
    with pytest.raises(ex.ExpressionError):
        ex.parse_rule("A", "=<", "B")


@pytest.fixture
def health(tree):
    """Two counties' 卫健局 each report live births, maternal deaths and screening."""
    units = {}
    for key in ("county", "sister"):
        units[key] = add_org(f"{tree[key].code}-WJ", f"{tree[key].name}卫健局", parent=tree[key], level=Level.AGENCY)
    codes = ["W_HEALTH_MMR_D", "W_HEALTH_LB", "W_HEALTH_CC_S", "W_HEALTH_CC_T"]
    sets = {}
    for key, unit in units.items():
        sets[key] = DataSet.objects.create(org=unit, name="妇女健康")
        sets[key].indicators.set(Indicator.objects.filter(code__in=codes))
    return units, sets


def fill(dataset, period, **values):
    submission, _ = Submission.objects.get_or_create(org=dataset.org, dataset=dataset, period=period)
    services.save_values(submission, {Indicator.objects.get(code=code): (Decimal(str(value)) if value is not None
                                                                          else None, comment)
                                      for code, (value, comment) in values.items()})
    return submission


def test_submit_refuses_error_rules_and_needs_explanations_for_warnings(tree, health):
    _units, sets = health
    fill(sets["county"], "2024", W_HEALTH_LB=(1000, ""))
    bad = fill(sets["county"], "2025", W_HEALTH_MMR_D=(1200, ""), W_HEALTH_LB=(1000, ""))
    violations = services.submit(bad)
    assert [v.rule.code for v in violations] == ["R_MMR_LE_LB"]
    assert "1200" in str(violations[0]) and "1000" in str(violations[0])  # both sides' values
    assert Submission.objects.get(pk=bad.pk).status == "draft"
    fill(sets["county"], "2025", W_HEALTH_MMR_D=(1, ""), W_HEALTH_LB=(1400, ""))  # +40%: a warning
    warning = services.submit(bad)
    assert [v.rule.code for v in warning] == ["R_LB_STABLE", "OUTLIER_W_HEALTH_LB"] and "上年" in str(warning[0])
    fill(sets["county"], "2025", W_HEALTH_LB=(1400, "新建产科中心，外县产妇转入"))
    assert services.submit(bad) == []
    assert Submission.objects.get(pk=bad.pk).status == "submitted"


def test_rate_rolled_up_from_two_counties_equals_the_rate_of_the_sums(tree, health):
    _units, sets = health
    fill(sets["county"], "2025", W_HEALTH_MMR_D=(1, ""), W_HEALTH_LB=(3000, ""))
    fill(sets["sister"], "2025", W_HEALTH_MMR_D=(2, ""), W_HEALTH_LB=(5000, ""))
    mmr = Indicator.objects.get(code="W_HEALTH_MMR")
    county = services.rollup(tree["county"], "2025", mmr).value
    sister = services.rollup(tree["sister"], "2025", mmr).value
    city = services.rollup(tree["city"], "2025", mmr).value
    assert city == Decimal("37.5000")  # 3 / 8000 × 100000, not the mean of 33.33 and 40
    assert city != ((county + sister) / 2).quantize(Decimal("0.0001"))
    assert services.rollup(tree["city"], "2025", Indicator.objects.get(code="W_HEALTH_LB")).value == 8000
    assert mmr.attained(city) is False and mmr.attained(Decimal(10)) is True
    hiv = Indicator.objects.get(code="W_HEALTH_HIV")
    assert services.rollup(tree["city"], "2025", hiv).value is None


def test_approved_values_are_locked_and_reopening_is_audited(tree, users, health):
    _units, sets = health
    submission = fill(sets["county"], "2025", W_HEALTH_MMR_D=(1, ""), W_HEALTH_LB=(1000, ""))
    assert services.submit(submission) == []
    with pytest.raises(PermissionDenied):
        services.review(submission, actor=users["staff"])  # not the office's leader
    services.review(submission, actor=users["leader"])
    services.approve(submission, actor=users["leader"])
    with pytest.raises(ValidationError, match="锁定"):
        fill(sets["county"], "2025", W_HEALTH_LB=(999, ""))
    with pytest.raises(ValidationError):
        services.reopen(submission, actor=users["leader"], reason="")
    services.reopen(submission, actor=users["leader"], reason="卫健局更正活产数")
    assert AuditEntry.objects.filter(action="monitoring.reopened", note="卫健局更正活产数").exists()
    fill(sets["county"], "2025", W_HEALTH_LB=(999, ""))
    assert services.changes_since_approval(Submission.objects.get(pk=submission.pk)) == {
        "W_HEALTH_LB": ("1000.0000", "999.0000")}


def test_returned_with_reasons(tree, users, health):
    _units, sets = health
    submission = fill(sets["county"], "2025", W_HEALTH_LB=(1000, ""))
    services.submit(submission)
    services.return_submission(submission, reason="筛查人数漏报", actor=users["leader"])
    assert submission.status == "returned" and submission.return_reason == "筛查人数漏报"
    assert services.submit(submission) == []  # resubmitted after the fix


def test_a_clerk_sees_only_her_own_units_data(tree, health):
    units, sets = health
    education = add_org("431122-JY", "东安县教育局", parent=tree["county"], level=Level.AGENCY)
    edu_set = DataSet.objects.create(org=education, name="教育")
    clerk = make_user("jyj", education, Role.AGENCY_CLERK)
    health_clerk = make_user("wjj", units["county"], Role.AGENCY_CLERK)
    fill(sets["county"], "2025", W_HEALTH_LB=(1000, ""))
    assert not Submission.objects.visible_to(clerk).exists()
    assert not DataSet.objects.visible_to(clerk).filter(pk=sets["county"].pk).exists()
    assert DataSet.objects.visible_to(clerk).get() == edu_set
    assert Submission.objects.visible_to(health_clerk, "change").count() == 1


def test_unit_rules_over_pooled_member_units(tree, health):
    _units, sets = health
    fill(sets["county"], "2025", W_HEALTH_CC_S=(900, ""), W_HEALTH_CC_T=(800, ""))
    violations = services.check_unit(tree["county"], "2025")
    assert [v.rule.code for v in violations] == ["R_CC_LE_T"]
    assert violations[0].left == 900 and violations[0].right == 800


def test_cli_grid_import_rules_and_attainment_report(tree, health, tmp_path, capsys):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError
    from docx import Document
    from openpyxl import Workbook

    units, sets = health
    book = Workbook()
    book.active.title = "数据"
    for row in (["指标代码", "指标名称", "数值", "说明"], ["W_HEALTH_MMR_D", "孕产妇死亡数", 1, ""],
                ["W_HEALTH_LB", "活产数", "3,000", ""], ["W_HEALTH_CC_S", "宫颈癌筛查人数", 900, ""],
                ["W_HEALTH_CC_T", "适龄妇女人数", 800, "含流动人口"]):
        book.active.append(row)
    path = tmp_path / "grid.xlsx"
    book.save(path)
    call_command("import_xlsx", "indicator_values", str(path), "--org", units["county"].code, "--period", "2025")
    submission = Submission.objects.get(dataset=sets["county"], period="2025")
    assert {v.indicator.code: v.value for v in submission.values.all()}["W_HEALTH_LB"] == 3000
    book.active.append(["X_UNKNOWN", "", 1, ""])
    book.save(path)
    with pytest.raises(CommandError):
        call_command("import_xlsx", "indicator_values", str(path), "--org", units["county"].code, "--period", "2025")
    assert "不是本单位数据集的指标" in capsys.readouterr().err
    with pytest.raises(CommandError, match="1 条错误级规则"):
        call_command("indicator_rules", "--org", tree["county"].code, "--period", "2025")
    assert "R_CC_LE_T" in capsys.readouterr().out
    out = tmp_path / "report.docx"
    call_command("attainment_report", "--org", tree["county"].code, "--year", "2025", "--out", str(out))
    text = "\n".join(p.text for p in Document(io.BytesIO(out.read_bytes())).paragraphs)
    assert "东安县2025年妇女儿童发展纲要监测评估报告" in text
    assert "孕产妇死亡率33.33/10万，目标≤12/10万。" in text
    assert "R_CC_LE_T" in text and "达标" in text


def test_outlier_needs_an_explanation_and_units_below_are_approved_first(tree, users, health):
    _units, sets = health
    fill(sets["county"], "2024", W_HEALTH_CC_S=(100, ""))
    submission = fill(sets["county"], "2025", W_HEALTH_CC_S=(200, ""))
    assert [v.rule.code for v in services.submit(submission)] == ["OUTLIER_W_HEALTH_CC_S"]
    fill(sets["county"], "2025", W_HEALTH_CC_S=(200, "两癌筛查项目扩面"))
    assert services.submit(submission) == []
    # The county office's own data set waits for its member units below.
    own = DataSet.objects.create(org=tree["county"], name="县妇儿工委办")
    top = Submission.objects.create(org=tree["county"], dataset=own, period="2025")
    services.submit(top)
    services.review(top, actor=users["leader"])
    with pytest.raises(ValidationError, match="下级单位还有1份"):
        services.approve(top, actor=users["leader"])
    services.review(submission, actor=users["leader"])
    services.approve(submission, actor=users["leader"])
    services.approve(top, actor=users["leader"])
    assert top.status == "approved"


def test_api_scope_and_actions(tree, users, login, health):
    units, sets = health
    submission = fill(sets["county"], "2025", W_HEALTH_LB=(1000, ""), W_HEALTH_MMR_D=(2000, ""))
    clerk = make_user("wjj", units["county"], Role.AGENCY_CLERK)
    other = make_user("wjj2", units["sister"], Role.AGENCY_CLERK)
    client = login(clerk)
    assert [row["id"] for row in client.get("/api/submissions/").json()["results"]] == [submission.pk]
    assert login(other).get(f"/api/submissions/{submission.pk}/").status_code == 404
    assert login(other).get("/api/indicator-values/").json()["count"] == 0
    refused = client.post(f"/api/submissions/{submission.pk}/submit/")
    assert refused.status_code == 400 and "R_MMR_LE_LB" in refused.json()["violations"][0]
    fill(sets["county"], "2025", W_HEALTH_MMR_D=(1, ""))
    assert client.post(f"/api/submissions/{submission.pk}/submit/").json()["status"] == "submitted"
    assert client.post(f"/api/submissions/{submission.pk}/approve/").status_code in (400, 403)  # not her job
    leader = login(users["leader"])
    leader.post(f"/api/submissions/{submission.pk}/review/")
    assert leader.post(f"/api/submissions/{submission.pk}/approve/").json()["status"] == "approved"
    assert "W_HEALTH_MMR" in {row["code"] for row in client.get("/api/indicators/", {"page_size": 100}).json()[
        "results"]}


def test_local_indicators_and_rules_through_the_pages(tree, users, login, health, tmp_path):
    from django.core.management import call_command
    from django.urls import reverse
    from python_calamine import CalamineWorkbook

    from jinguo.monitoring.models import ValidationRule

    client = login(users["leader"])
    response = client.post(reverse("monitoring:indicator_add"), {
        "outline": "women", "domain": "妇女与家庭建设", "code": "L_FAMILY_01", "name": "最美家庭户数", "unit": "户",
        "kind": "count", "multiplier": 1, "org": tree["county"].pk})
    assert response.status_code == 302 and Indicator.objects.get(code="L_FAMILY_01").org == tree["county"]
    bad = client.post(reverse("monitoring:validationrule_add"), {
        "code": "R_BAD", "name": "坏规则", "left": "L_FAMILY_01 +", "operator": "<=", "right": "100",
        "importance": "error", "missing": "any", "message": "x", "is_active": "on"})
    assert bad.status_code == 400 and "不完整" in bad.content.decode()
    good = client.post(reverse("monitoring:validationrule_add"), {
        "code": "R_FAMILY", "name": "户数上限", "left": "L_FAMILY_01", "operator": "<=", "right": "W_HEALTH_LB × 2",
        "importance": "warning", "missing": "any", "message": "最美家庭户数异常", "is_active": "on"})
    assert good.status_code == 302 and ValidationRule.objects.filter(code="R_FAMILY").exists()
    assert login(users["staff"]).get(reverse("monitoring:validationrule_add")).status_code == 403
    units, _sets = health
    template = tmp_path / "grid.xlsx"
    call_command("xlsx_template", "indicator_values", "--out", str(template), "--org", units["county"].code)
    rows = CalamineWorkbook.from_path(str(template)).get_sheet_by_name("数据").to_python()
    assert rows[0][:2] == ["指标代码*", "指标名称"] and ["W_HEALTH_LB", "活产数"] in [r[:2] for r in rows]


def test_work_summary_reports_outline_attainment(tree, health):
    from jinguo.core.periods import Period
    from jinguo.reports.summary import generate

    _units, sets = health
    fill(sets["county"], "2025", W_HEALTH_MMR_D=(1, ""), W_HEALTH_LB=(3000, ""), W_HEALTH_CC_S=(600, ""),
         W_HEALTH_CC_T=(800, ""))
    text = "".join(b["text"] for b in generate(tree["county"], Period.parse("2025")))
    assert "可监测2项，达标1项，达标率50.0%" in text and "尚未达标的有孕产妇死亡率" in text
    assert "两纲实施" not in "".join(b["text"] for b in generate(tree["sister"], Period.parse("2025")))
