"""Test helpers shared by the suite (STYLE.md: strict test helpers live with the code they exercise)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jinguo.accounts.models import User
from jinguo.accounts.services import grant_role

TEST_PASSWORD = "Test#Pass2025"  # noqa: S105


def make_user(username: str, org, *roles, password: str = TEST_PASSWORD) -> User:
    user = User(username=username, display_name=username, org=org, must_change_password=False)
    user.set_password(password)
    user.save()
    for role in roles:
        grant_role(user, org, role)
    user.forget_roles()
    return user


def signed_in_client(user: User, client):
    """A client with a session for `user`, having passed the second factor when the user needs one."""
    client.force_login(user)
    if user.needs_second_factor:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="test", confirmed=True)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


class assert_max_queries(CaptureQueriesContext):
    """Fail when a block runs more than `limit` queries (list pages must stay free of N+1)."""

    def __init__(self, limit: int) -> None:
        super().__init__(connection)
        self.limit = limit

    def __exit__(self, *exc) -> None:
        super().__exit__(*exc)
        if exc[0] is None and len(self) > self.limit:
            queries = "\n".join(q["sql"] for q in self.captured_queries)
            raise AssertionError(f"{len(self)} queries, at most {self.limit} allowed:\n{queries}")


def xlsx_file(headers: list, rows: list[list], *, name: str = "数据.xlsx"):
    """An in-memory workbook as users fill in: sheet "数据", a header row, then the rows."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "数据"
    for row in [headers, *rows]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer
