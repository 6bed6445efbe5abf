"""Every edit page of the product, opened for a demo record and posted back unchanged, saves without an error and
changes nothing.

This is the class behind "editing an activity fails": a date written in a format its own widget rejects, a
figure shown as 300.00 that the form then refuses as 应为整数, a masked value written over the stored one. The
pages come from the URL resolver (every `<app>:<model>_edit`), so a new edit page is walked as soon as it exists;
the records come from `jinguo load_demo`, as a new office sees them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jinguo.accounts.models import User
from jinguo.testing import form_data, signed_in_client

# Who edits what in the demo: the first of these users who may open the page edits it.
EDITORS = ["dongan", "dongan_leader", "sysadmin", "secadmin"]
# Fields that a save is expected to move forward.
MOVING = {"updated", "version", "last_login"}


def _edit_patterns(patterns=None, namespace=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _edit_patterns(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name and p.name.endswith("_edit") and "pk" in p.pattern.regex.groupindex:
            yield f"{namespace}{p.name}", p


def _model_of(pattern: URLPattern) -> type[models.Model]:
    owner = getattr(pattern.callback, "view_class", None)
    queryset = getattr(owner, "queryset", None)
    assert queryset is not None, f"{pattern.name}: the edit view declares no queryset"
    return queryset.model


def _snapshot(obj: models.Model) -> dict:
    """What the user can change through the page: the record's own fields, its many-to-many links, the person
    behind a registry entry (decrypted) and an activity's figures and partners."""
    obj = type(obj)._default_manager.get(pk=obj.pk)
    state = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name not in MOVING}
    for m2m in obj._meta.many_to_many:
        state[m2m.name] = sorted(getattr(obj, m2m.name).values_list("pk", flat=True))
    person = getattr(obj, "person", None)
    if person is not None:
        state["person"] = _snapshot(person)
    if hasattr(obj, "figures"):
        state["figures"] = sorted((f.measure_id, f.value) for f in obj.figures.all())
    if hasattr(obj, "partners"):
        state["partners"] = sorted(p.name for p in obj.partners.all())
    return state


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_edit_page_saves_unchanged_without_error_or_change(client, demo):
    walked, problems = [], []
    for name, pattern in _edit_patterns():
        model = _model_of(pattern)
        for user in User.objects.filter(username__in=EDITORS).order_by("pk"):  # fresh: a save moves `version`
            obj = model._default_manager.visible_to(user, "change").order_by("pk").first() \
                if hasattr(model._default_manager, "visible_to") else model._default_manager.order_by("pk").first()
            if obj is None:
                continue
            c = signed_in_client(user, client.__class__())
            url = reverse(name, kwargs={"pk": obj.pk})
            page = c.get(url)
            if page.status_code != 200:
                continue
            before = _snapshot(obj)
            data = form_data(page.content.decode())
            response = c.post(url, data)
            after = _snapshot(obj)
            walked.append(name)
            if response.status_code != 302:
                errors = response.context["form"].errors.as_text() if response.context and "form" in \
                    response.context else response.content.decode()[:500]
                problems.append(f"{name} ({url}) as {user.username}: {response.status_code}\n{errors}")
            elif before != after:
                changed = {k: (before[k], after.get(k)) for k in before if before[k] != after.get(k)}
                problems.append(f"{name} ({url}) as {user.username}: saved unchanged, but the record changed: "
                                f"{changed}")
            break
        else:
            problems.append(f"{name}: no demo record of {model.__name__} that a demo user may edit "
                            f"(add one to the demo data, or a user to EDITORS)")
    assert not problems, "\n\n".join(problems)
    assert {"ledger:activity_edit", "petitions:case_edit", "people:loan_edit", "people:beneficiary_edit"} <= set(walked)


@pytest.mark.django_db
def test_activity_edit_page_shows_the_stored_date_and_whole_figures(client, tree, users, make_activity):
    """The blocker as a clerk saw it: the stored date (not today's) in ISO form, and 300 people (not 300.00)."""
    activity = make_activity(tree["county"], "三八维权周宣传", "2025-03-05", participants=300,
                             condolence=Decimal("1800.50"))
    page = signed_in_client(users["staff"], client).get(reverse("ledger:activity_edit", args=[activity.pk]))
    data = form_data(page.content.decode())
    assert data["start_date"] == "2025-03-05"
    assert data["m_participants"] == "300"
    assert data["m_condolence"] == "1800.50"
    assert dt.date.fromisoformat(data["start_date"]) == activity.start_date
