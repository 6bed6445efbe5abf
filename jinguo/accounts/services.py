"""Account operations shared by the pages, the API and the command line."""

from __future__ import annotations

import secrets
import string

from django.contrib.auth import password_validation
from django.db import transaction

from jinguo.accounts.models import RoleAssignment, User
from jinguo.accounts.roles import Role
from jinguo.audit.events import Event
from jinguo.audit.services import record_event

_ALPHABET = string.ascii_letters + string.digits


def generate_password(length: int = 12) -> str:
    """A random initial password that satisfies the policy (all four character classes)."""
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _ in range(length - 2)) + secrets.choice("@#%+=") + str(
            secrets.randbelow(10))
        if any(c.islower() for c in password) and any(c.isupper() for c in password):
            return password


@transaction.atomic
def create_user(username: str, *, org, roles: list[Role] = (), password: str | None = None,
                display_name: str = "", must_change: bool = True) -> tuple[User, str]:
    """Create a user with an initial password (generated when not given) and roles on `org`."""
    user = User(username=username, display_name=display_name or username, org=org, must_change_password=must_change)
    password = password or generate_password()
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    for role in roles:
        grant_role(user, org, role)
    return user, password


@transaction.atomic
def reset_password(user: User, password: str | None = None) -> str:
    password = password or generate_password()
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.save()
    record_event(Event.PASSWORD_RESET, user, org=user.org)
    return password


@transaction.atomic
def grant_role(user: User, org, role: Role) -> RoleAssignment:
    assignment, created = RoleAssignment.objects.get_or_create(user=user, org=org, role=role)
    if created:
        record_event(Event.ROLE_GRANTED, user, org=org, data={"role": role.value, "org": org.code})
    user.forget_roles()
    return assignment


@transaction.atomic
def revoke_role(assignment: RoleAssignment) -> None:
    user, org, role = assignment.user, assignment.org, assignment.role
    assignment.delete()
    record_event(Event.ROLE_REVOKED, user, org=org, data={"role": role, "org": org.code})
    user.forget_roles()


@transaction.atomic
def issue_token(user: User) -> str:
    """A fresh REST API token (the previous one stops working)."""
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    record_event(Event.TOKEN_ISSUED, user, org=user.org)
    return token.key


@transaction.atomic
def unlock(user: User) -> None:
    from axes.utils import reset

    reset(username=user.username)
    record_event(Event.UNLOCKED, user, org=user.org)
