"""三员分立: no account holds two of the three administrator roles — the security administrator cannot make the audit
administrator a system administrator too (nor the other way round), by page, service or command line."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from jinguo.accounts import services
from jinguo.core.roles import ADMIN_ROLES, Role


@pytest.mark.parametrize("holder, role", [("auditadmin", Role.SYSTEM_ADMIN), ("sysadmin", Role.AUDIT_ADMIN),
                                          ("sysadmin", Role.SECURITY_ADMIN)])
def test_a_second_administrator_role_is_refused(holder, role, users, tree, login):
    client = login(users["secadmin"])
    target = users[holder]
    response = client.post(reverse("accounts:roleassignment_add"), {"user": target.pk, "org": tree["county"].pk,
                                                                     "role": role})
    assert response.status_code == 400
    assert "三员分立" in response.content.decode()
    assert not target.role_assignments.filter(role=role).exists()
    with pytest.raises(PermissionDenied):
        services.grant_role(target, tree["county"], role)
    assert len({a.role for a in target.role_assignments.all()} & ADMIN_ROLES) == 1


def test_the_same_administrator_role_elsewhere_and_record_roles_are_still_granted(users, tree, login):
    client = login(users["secadmin"])
    for user, role in ((users["sysadmin"], Role.SYSTEM_ADMIN), (users["sister"], Role.UNIT_LEADER)):
        response = client.post(reverse("accounts:roleassignment_add"), {"user": user.pk, "org": tree["county"].pk,
                                                                         "role": role})
        assert response.status_code == 302
        assert user.role_assignments.filter(role=role, org=tree["county"]).exists()
