"""Jurisdiction scope: the one door through which views, API, exports, form choices and reports fetch records.

A user's role assignments name org units; each covers the unit's whole subtree, which the materialised
`OrgUnit.path` turns into one indexed prefix match on the org table, and records into `org_id IN (those ids)`.
Superuser flags grant nothing here: there is no back door.

The org tree's model belongs to the orgs app, above core (DESIGN.md layers): orgs names it here from
`OrgsConfig.ready()` (`register_org_model`), and core reaches it through `org_model()`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Protocol

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models, transaction

from jinguo.core.sql import AnyOf, Keys


class User(Protocol):
    """What scope asks of a user (`accounts.User`): whether she is signed in and active, and her role
    assignments as (role, org path) pairs."""

    is_authenticated: bool
    is_active: bool

    def role_paths(self) -> Iterable[tuple[str, str]]: ...


_org_model: list[type[models.Model]] = []


def register_org_model(model: type[models.Model]) -> None:
    """Name the org tree's model (a materialised `path`, `parent`, `level`, `code`, `name`): `OrgsConfig.ready()`."""
    _org_model[:] = [model]


def org_model() -> type[models.Model]:
    """The org tree's model (`orgs.OrgUnit`), as the orgs app registered it."""
    if not _org_model:
        raise ImproperlyConfigured("No org tree registered (core.scope.register_org_model): is jinguo.orgs installed?")
    return _org_model[0]


def scope_paths(user, roles: Iterable[str]) -> list[str]:
    """Org paths (subtree roots) where `user` holds any of `roles`; nested roots collapse into their ancestor."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    wanted = frozenset(roles)
    paths = sorted({path for role, path in user.role_paths() if role in wanted})
    roots: list[str] = []
    for path in paths:  # sorted, so an ancestor comes before its descendants
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    return roots


def subtree_ids(roots: Iterable[str]) -> list[int]:
    """Primary keys of the units in the subtrees at `roots`: one indexed prefix scan of the (small) org table, kept
    in this process for the org tree's version (`tree_version`), so a request does not read the tree again.

    Records are filtered on `org_id IN (…)` with these ids rather than joined to the org table for a prefix
    match: an OR of prefix matches across a join serves no index, so counting one city's cases among a
    province's scanned them all; a list of ids lets the database combine index scans on the records' own columns.
    """
    return list(subtree_keys(roots).values)


def subtree_keys(roots: Iterable[str]) -> Keys:
    """`subtree_ids` as the kept `core.sql.Keys`, for filters (`AnyOf(field, subtree_keys(roots))`): bound to a
    query as one prepared parameter instead of value by value."""
    key = (tree_version(), tuple(sorted(set(roots))))
    keys = _subtrees.get(key)
    if keys is None:
        condition = _under(key[1])
        keys = Keys(org_model().objects.filter(condition).values_list("pk", flat=True) if condition else ())
        if len(_subtrees) >= _SUBTREES_KEPT:
            _subtrees.clear()
        _subtrees[key] = keys
    return keys


# --- The org tree's version ----------------------------------------------------------------------------------------
# Every write to the tree (a unit added, moved, removed; bulk paths included: orgs.models.OrgUnitQuerySet) gives it a
# new random version in the shared cache, once when it happens and again when its transaction commits, so a process
# that read the tree in between (seeing the old rows) cannot keep them under the new version. A version missing from
# the cache (evicted, cleared) is replaced by a new one: a cache never brings back an old tree, it only costs a read.
_TREE_VERSION_KEY = "jinguo:org-tree-version"
_SUBTREES_KEPT = 512
_subtrees: dict[tuple[str, tuple[str, ...]], Keys] = {}


def tree_version() -> str:
    """The org tree's current version (an opaque token, new after every write to the tree)."""
    version = cache.get(_TREE_VERSION_KEY)
    if version is None:
        cache.add(_TREE_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(_TREE_VERSION_KEY) or uuid.uuid4().hex  # a cache that keeps nothing: never reuse
    return version


def tree_changed() -> None:
    """The org tree was written: a new version now, and another when the writing transaction commits."""

    def bump() -> None:
        cache.set(_TREE_VERSION_KEY, uuid.uuid4().hex, timeout=None)

    bump()
    transaction.on_commit(bump)


def _under(roots: Iterable[str]) -> models.Q:
    """Org units at or below any of `roots` (an empty Q for no roots)."""
    condition = models.Q()
    for root in roots:
        condition |= models.Q(path__startswith=root)
    return condition


def ancestor_paths(path: str) -> list[str]:
    """The paths of the units above the one at `path` ("/43/4311/431122/" → ["/43/", "/43/4311/"])."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))]


class ScopedQuerySet(models.QuerySet):
    """QuerySet whose `visible_to(user, action)` keeps only rows inside the user's subtrees for that action.

    The model declares `scope_org_field` (the lookup to the owning org unit; "" for OrgUnit itself) and
    `scope_roles` ({action: roles allowed}).
    """

    org_scoped = True  # forms offer only the visible rows as choices (core.forms.ScopedModelForm)

    def visible_to(self, user: User | None, action: str = "view") -> ScopedQuerySet:
        model = self.model
        if not model.scope_org_field:  # the org tree itself: the subtrees by their paths
            roots = scope_paths(user, self._roles(action))
            return self.filter(_under(roots)) if roots else self.none()
        units = self.units_for(user, action)
        return self.none() if units is None else self.in_units(units)

    def _roles(self, action: str) -> Iterable[str]:
        roles = self.model.scope_roles.get(action)
        if roles is None:
            raise ValueError(f"{self.model.__name__} declares no scope for action {action!r}")
        return roles

    def units_for(self, user: User | None, action: str = "view") -> Keys | None:
        """The units whose rows `visible_to(user, action)` keeps (None: no role for it anywhere)."""
        roots = scope_paths(user, self._roles(action))
        return subtree_keys(roots) if roots else None

    def in_units(self, units: Keys) -> ScopedQuerySet:
        """The rows that belong to `units` (`units_for`): what this class's `visible_to` keeps, for units already
        worked out, so a query compiled once (core.sql.CompiledQuery) can take each user's units as its parameter. A
        queryset that shows more than its units' rows (articles addressed to them) adds that in its own
        `visible_to`, and its callers go through that."""
        return self.filter(AnyOf(self.model.scope_org_field or "pk", units))


def recheck_visible(obj: models.Model, user: User, action: str = "change") -> None:
    """Inside the writing transaction: refuse (and so roll back) a write whose result the user cannot see.

    Nobody can move a record into a county they cannot see, whatever the form or API let through.
    """
    recheck_visible_many([obj], user, action)


def recheck_visible_many(objs: list[models.Model], user: User, action: str = "change") -> None:
    """`recheck_visible` for records of one model written together (bulk imports): one query for all of them."""
    assert transaction.get_connection().in_atomic_block, "recheck_visible must run inside the write transaction"
    pks = {obj.pk for obj in objs}
    visible = type(objs[0])._default_manager.visible_to(user, action).filter(pk__in=pks).count()
    if visible != len(pks):
        raise PermissionDenied("所选单位不在您的管辖范围内。")


class GlobalQuerySet(models.QuerySet):
    """Records that belong to no unit (code tables): holding one of the action's roles anywhere is enough."""

    def visible_to(self, user: User | None, action: str = "view") -> GlobalQuerySet:
        roles = self.model.scope_roles.get(action)
        if roles is None:
            raise ValueError(f"{self.model.__name__} declares no scope for action {action!r}")
        return self.all() if scope_paths(user, roles) else self.none()
