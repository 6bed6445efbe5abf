"""One client address everywhere (audit trail, sign-in throttle, django-axes): REMOTE_ADDR, unless the peer is one of
our trusted proxies; request ids are ours; failed sign-ins and lockouts reach the audit administrator of the account's
unit."""

from django.test import Client, RequestFactory
from django.urls import reverse

from jinguo.audit.models import AuditEntry
from jinguo.core.roles import Role
from jinguo.testing import TEST_PASSWORD, make_user

LOGIN = "accounts:login"


def _fail_login(client: Client, username: str = "dongan") -> None:
    client.post(reverse(LOGIN), {"username": username, "password": "Wrong#Pass1"})


def test_spoofed_headers_are_ignored_unless_the_peer_is_a_trusted_proxy(users, settings):
    settings.TRUSTED_PROXIES = []
    _fail_login(Client(REMOTE_ADDR="203.0.113.9", HTTP_X_REAL_IP="10.9.9.9", HTTP_X_FORWARDED_FOR="10.9.9.8"))
    assert AuditEntry.objects.get(action="user.login_failed").ip == "203.0.113.9"

    # Trusted proxies configured, but this peer is not one of them: still ignored.
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    _fail_login(Client(REMOTE_ADDR="203.0.113.10", HTTP_X_REAL_IP="10.9.9.9", HTTP_X_FORWARDED_FOR="10.9.9.8"))
    assert AuditEntry.objects.filter(action="user.login_failed").order_by("-seq").first().ip == "203.0.113.10"

    # From our proxy: the client it saw is recorded.
    _fail_login(Client(REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP="198.51.100.7", HTTP_X_FORWARDED_FOR="198.51.100.7"))
    assert AuditEntry.objects.filter(action="user.login_failed").order_by("-seq").first().ip == "198.51.100.7"


def test_forwarded_for_counts_from_the_right_most_untrusted_hop(settings):
    from jinguo.core.net import client_ip

    settings.TRUSTED_PROXIES = ["10.0.0.2", "172.16.0.0/12", "fd00::/8"]
    factory = RequestFactory()
    cases = [
        # a client-written hop on the left is not believed; our own proxies on the right are skipped
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.7, 172.16.1.1"}, "198.51.100.7"),
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_REAL_IP": "198.51.100.8"}, "198.51.100.8"),
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "not-an-ip"}, "10.0.0.2"),
        ({"REMOTE_ADDR": "fd00::1", "HTTP_X_FORWARDED_FOR": "2001:db8::5"}, "2001:db8::5"),
        ({"REMOTE_ADDR": "10.0.0.3", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}, "10.0.0.3"),  # not our proxy
    ]
    for meta, expected in cases:
        assert client_ip(factory.get("/", **meta)) == expected, meta


def test_request_id_is_ours_not_the_clients(users, login):
    client = login(users["county_sysadmin"])
    response = client.get("/", HTTP_X_REQUEST_ID="forged-request-id")
    assert response["X-Request-ID"] != "forged-request-id" and len(response["X-Request-ID"]) == 32


def test_throttle_and_axes_count_the_real_client_behind_the_proxy(users, settings):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    settings.LOGIN_ADDRESS_LIMIT = 3
    attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    for i in range(3):
        _fail_login(attacker, f"guess{i}")
    assert attacker.post(reverse(LOGIN), {"username": "dongan", "password": TEST_PASSWORD}).status_code == 429
    # Another office behind the same proxy signs in as usual.
    office = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert office.post(reverse(LOGIN), {"username": "dongan", "password": TEST_PASSWORD}).status_code == 302
    # Without the proxy in front, a forged header does not buy a fresh counter.
    direct = Client(REMOTE_ADDR="203.0.113.50")
    for i in range(3):
        _fail_login(Client(REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}"), f"guess{i}")
    assert direct.post(reverse(LOGIN), {"username": "dongan", "password": TEST_PASSWORD}).status_code == 429
    # django-axes records the same address.
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert get_client_ip_address(request) == "203.0.113.9"


def test_failed_sign_ins_and_lockouts_reach_the_audit_administrator_of_the_unit(tree, users, login, settings):
    county_audit = make_user("dongan_audit", tree["county"], Role.AUDIT_ADMIN)
    sister_audit = make_user("shuangpai_audit", tree["sister"], Role.AUDIT_ADMIN)
    top_audit = make_user("hunan_audit", tree["province"], Role.AUDIT_ADMIN)
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail_login(client, "dongan")  # a user of 东安县
    _fail_login(client, "no_such_user")

    failed = AuditEntry.objects.filter(action="user.login_failed", object_repr="dongan")
    locked = AuditEntry.objects.filter(action="user.locked_out", object_repr="dongan")
    assert failed.exists() and locked.exists()
    for entries in (failed, locked):
        assert set(entries.values_list("org_path", flat=True)) == {tree["county"].path}
        assert entries.visible_to(county_audit).count() == entries.count()
        assert not entries.visible_to(sister_audit).exists()
    assert locked.get().ip == "203.0.113.9"
    auditor = login(county_audit)
    page = auditor.get(reverse("audit:entry_list"), {"action": "user.locked_out"}).content.decode()
    assert f"/audit/{locked.get().pk}/" in page
    assert auditor.get(f"/audit/{locked.get().pk}/").status_code == 200

    unknown = AuditEntry.objects.filter(action="user.login_failed", object_repr="no_such_user")
    assert unknown.count() == 1 and unknown.get().org_path == ""
    assert not unknown.visible_to(county_audit).exists()
    assert unknown.visible_to(top_audit).count() == 1
