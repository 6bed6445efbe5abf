"""The command line does in bulk what the UI does: provisioning, tokens, Excel import and export."""

import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jinguo.accounts.models import User
from jinguo.core.roles import Role
from jinguo.orgs.models import OrgUnit
from jinguo.testing import xlsx_file


def test_create_user_with_chinese_role_names(tree, capsys):
    call_command("create_user", "li", "--org", "431122", "--role", "信访专干", "--role", "工作人员")
    out = capsys.readouterr().out
    user = User.objects.get(username="li")
    assert user.roles == {Role.PETITION_OFFICER, Role.STAFF} and user.must_change_password
    password = out.split("初始密码：")[1].strip()
    assert user.check_password(password)
    with pytest.raises(CommandError, match="未知的角色"):
        call_command("create_user", "wang", "--org", "431122", "--role", "超级管理员")
    with pytest.raises(CommandError, match="至少三类"):
        call_command("create_user", "zhao", "--org", "431122", "--role", "工作人员", "--password", "abcdefgh")
    assert not User.objects.filter(username__in=["wang", "zhao"]).exists()


def test_api_token_authenticates_with_the_users_scope(tree, users, client, capsys):
    call_command("api_token", "dongan")
    token = capsys.readouterr().out.strip()
    assert len(token) == 40
    response = client.get("/api/orgs/", {"page_size": 500}, HTTP_AUTHORIZATION=f"Token {token}")
    codes = {row["code"] for row in response.json()["results"]}
    assert "431122100" in codes and "431123" not in codes
    assert client.get("/api/orgs/", HTTP_AUTHORIZATION="Token wrong").status_code == 401
    me = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert me["username"] == "dongan" and {r["role"] for r in me["roles"]} == {"staff", "petition_officer"}


def _xlsx(path, rows):
    path.write_bytes(xlsx_file(rows[0], rows[1:]).getvalue())


def test_failed_cli_import_prints_every_error_and_exits_nonzero(tree, tmp_path, capsys):
    path = tmp_path / "units.xlsx"
    _xlsx(path, [["编码", "名称", "级别"], ["431122102", "横塘镇", "乡镇"], ["431122 X", "坏码", "成员单位"],
                 ["431122103", "", "乡镇"]])
    before = OrgUnit.objects.count()
    with pytest.raises(CommandError, match="2 处错误"):
        call_command("import_xlsx", "orgs", str(path), "--org", "431122")
    err = capsys.readouterr().err
    assert "第3行 A列“编码”：" in err and "第4行 B列“名称”：必填" in err
    assert OrgUnit.objects.count() == before


def test_cli_round_trip(tree, tmp_path, capsys):
    path = tmp_path / "units.xlsx"
    _xlsx(path, [["编码", "名称", "级别"], ["431122102", "横塘镇", "乡镇"]])
    call_command("import_xlsx", "orgs", str(path), "--org", "431122")
    assert "新增 1" in capsys.readouterr().out
    out = tmp_path / "export.xlsx"
    call_command("export_xlsx", "orgs", "--org", "431122", "--out", str(out))
    call_command("import_xlsx", "orgs", str(out), "--org", "431122")
    assert "新增 0" in capsys.readouterr().out
    template = tmp_path / "template.xlsx"
    call_command("xlsx_template", "orgs", "--out", str(template), "--org", "431122")
    assert template.stat().st_size > 1000
    with pytest.raises(CommandError, match="未知的导入类型"):
        call_command("import_xlsx", "cases", str(path), "--org", "431122")


def test_console_script_is_manage_py():
    """`jinguo` is installed as a console script and behaves like manage.py."""
    jinguo = (sys.prefix + "/bin/jinguo")
    result = subprocess.run([jinguo, "help", "import_xlsx"], capture_output=True, text=True, check=True)
    assert "--existing" in result.stdout and "导入" in result.stdout


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_load_demo_is_idempotent(demo_printed):
    """The first load is the session's (`demo`: the browser tests', loaded once and put back from a snapshot)."""
    first = demo_printed
    counts = (OrgUnit.objects.count(), User.objects.count())
    call_command("load_demo")
    assert (OrgUnit.objects.count(), User.objects.count()) == counts
    assert "dongan" in first and "Demo@2025" in first
    assert OrgUnit.objects.get(code="431122").children.filter(level="township").count() >= 10
    assert OrgUnit.objects.filter(level="agency", parent__code="431122").count() >= 7


def test_load_demo_puts_back_every_default_code_table(db, capsys):
    """A browser test flushes the database between tests and `load_demo` restores the defaults; the work summary's
    sections (工作总结栏目) were missing from that list, and a summary drafted after a flush had no 主要工作."""
    from jinguo.core.models import CodeItem, CodeTable

    tables = ["summary_section", "grassroots_kind"]
    CodeItem.objects.filter(table__slug__in=tables, parent__isnull=False).delete()  # as a flush leaves them
    CodeItem.objects.filter(table__slug__in=tables).delete()
    CodeTable.objects.filter(slug__in=tables).delete()
    call_command("load_demo")
    assert set(CodeTable.objects.filter(slug__in=["summary_section", "grassroots_kind"])
               .values_list("slug", flat=True)) == {"summary_section", "grassroots_kind"}
