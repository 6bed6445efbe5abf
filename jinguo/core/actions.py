"""Workflows as one action table each (Wagtail's `get_actions`/`on_action`, django-fsm's `@transition`).

Two declarations, each fact once:

- **On the service** (`services.py`): `@MACHINE.transition("accept", _("受理"), sources=…, event=…)` names the
  action, its label, the states it leaves from and the audit event it writes. The decorator guards the state
  before the service runs, so a service called from anywhere (a view, the API, a command, a test) refuses an
  action its record's state does not allow, with a `TransitionError` that names the state and what is allowed.
- **In the app's action table** (`actions.py`): a `Workflow` binds each transition to its page form, its API
  input serializer, the permission it needs on the record and how the page shows it. The page view
  (`WorkflowActionView`), the API (`WorkflowViewSetMixin` + `add_action_routes`) and the templates (the buttons
  of the record's state) all read it; none of them names an action in an if/elif ladder.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions as api_exceptions
from rest_framework import serializers, status
from rest_framework.decorators import action as api_action
from rest_framework.response import Response

from jinguo.core.models import EditConflict, check_version
from jinguo.core.scope import recheck_visible
from jinguo.core.views import conflict

Label = str | Promise


class TransitionError(ValidationError):
    """An action its record's state does not allow. A ValidationError, so a form-handling caller shows it as any
    refused input; the page says it as a message and the API answers 409 with the state and allowed actions."""

    def __init__(self, machine: StateMachine, obj: models.Model, name: str) -> None:
        allowed = "、".join(str(machine[a].label) for a in machine.allowed(obj)) or _("无")
        display = getattr(obj, f"get_{machine.field}_display", lambda: machine.state(obj))()
        super().__init__(_("%(noun)s当前状态为“%(status)s”，不能%(action)s。可执行的操作：%(allowed)s。") % {
            "noun": machine.noun, "status": display, "action": machine[name].label, "allowed": allowed})
        self.obj, self.action, self.machine = obj, name, machine

    def __str__(self) -> str:
        return self.messages[0]


class Refused(Exception):
    """A service declined without changing anything and has details to show (the rules a submission fails):
    the page shows the message, the API answers 400 with the message and `extra`."""

    def __init__(self, message: Label, extra: dict | None = None) -> None:
        super().__init__(str(message))
        self.extra = extra or {}


@dataclass(frozen=True)
class Transition:
    """One action of a state machine, declared on the service that performs it."""

    name: str
    label: Label
    sources: frozenset
    event: str  # the named audit event the service writes (a code of `audit.events.Event`)
    service: Callable[..., Any]


class StateMachine:
    """The transitions of one model's state field. `@machine.transition(...)` on each service registers it and
    guards the state before the service's body runs."""

    def __init__(self, noun: Label, *, field: str = "status") -> None:
        self.noun, self.field = noun, field
        self.transitions: dict[str, Transition] = {}

    def transition(self, name: str, label: Label, *, sources, event) -> Callable:
        def decorate(func: Callable) -> Callable:
            @functools.wraps(func)
            def guarded(obj, *args, **kwargs):
                self.guard(obj, name)
                return func(obj, *args, **kwargs)

            self.transitions[name] = Transition(name, label, frozenset(sources), str(event), guarded)
            return guarded

        return decorate

    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def __contains__(self, name: object) -> bool:
        return name in self.transitions

    def __iter__(self) -> Iterator[str]:
        return iter(self.transitions)

    def state(self, obj: models.Model) -> str:
        return getattr(obj, self.field)

    def allowed(self, obj: models.Model) -> list[str]:
        """The actions the record's state allows, in declaration order."""
        return self.allowed_in(self.state(obj))

    def allowed_in(self, state: str) -> list[str]:
        """The actions a record in `state` allows, in declaration order: the state alone decides (a list of plain
        values answers it without building a record per row)."""
        return [name for name, t in self.transitions.items() if state in t.sources]

    def guard(self, obj: models.Model, name: str) -> None:
        if self.state(obj) not in self.transitions[name].sources:
            raise TransitionError(self, obj, name)


def pick(*names: str, **renamed: str) -> Callable[[dict], dict]:
    """The service's keyword arguments from validated input: `names` as they are, `renamed` as argument=input
    (`pick("unit_name", sent_on="on")`). A name the input lacks is left to the service's default."""

    def args(data: dict) -> dict:
        return {**{name: data[name] for name in names if name in data},
                **{arg: data[key] for arg, key in renamed.items() if key in data}}

    return args


def _nothing(data: dict) -> dict:
    return {}


class NoInput(forms.Form):
    """The page form of an action that takes nothing but the click."""


@dataclass(frozen=True)
class Action:
    """A transition as the page and the API offer it."""

    transition: Transition
    args: Callable[[dict], dict] = _nothing
    form: type[forms.Form] = NoInput
    serializer: type[serializers.Serializer] | None = None  # None: the API reads no body
    form_kwargs: Callable[[models.Model], dict] | None = None  # what the form needs of the record
    permission: str = "change"  # the `visible_to` action the user needs on the record
    denied: Label = ""  # the message when she lacks it (the workflow's own otherwise)
    confirm: Label = ""  # the page asks once more, with this warning
    style: str = "primary"  # the button's colour: primary, success, outline-danger … ("" for a plain button)
    icon: str = ""  # a Tabler icon name shown before the label
    on_page: bool = True
    check: Callable[[Any], None] | None = None  # looks at the service's result; raises Refused to report a decline

    @property
    def name(self) -> str:
        return self.transition.name

    @property
    def label(self) -> Label:
        return self.transition.label

    @property
    def sources(self) -> frozenset:
        return self.transition.sources

    @property
    def event(self) -> str:
        return self.transition.event

    def bind_form(self, obj: models.Model, data=None, *, prefix: bool = True) -> forms.Form:
        kwargs = self.form_kwargs(obj) if self.form_kwargs else {}
        return self.form(data, prefix=self.name if prefix else None, **kwargs)

    def run(self, obj: models.Model, *, actor, data: dict) -> Any:
        result = self.transition.service(obj, actor=actor, **self.args(data))
        if self.check is not None:
            self.check(result)
        return result


class Workflow:
    """The action table of one workflow: every transition of its machine, bound for the page and the API."""

    def __init__(self, machine: StateMachine, model: type[models.Model], actions: list[Action], *,
                 denied: Label, prefix_forms: bool = True, suggested: dict[str, str] | None = None) -> None:
        self.machine, self.model, self.denied, self.prefix_forms = machine, model, denied, prefix_forms
        self.actions = {a.name: a for a in actions}
        self.suggested = suggested or {}  # state → the action the page opens first
        if set(self.actions) != set(machine.transitions):
            raise ImproperlyConfigured(f"{model.__name__}'s action table and its services' transitions differ: "
                                       f"{sorted(set(self.actions) ^ set(machine.transitions))}")

    def __getitem__(self, name: str) -> Action:
        return self.actions[name]

    def __contains__(self, name: object) -> bool:
        return name in self.actions

    def __iter__(self) -> Iterator[Action]:
        return iter(self.actions.values())

    def allowed(self, obj: models.Model) -> list[Action]:
        """The actions the record's state allows, in the table's order (the order of the page's buttons)."""
        state = self.machine.state(obj)
        return [action for action in self.actions.values() if state in action.sources]

    def permitted(self, obj: models.Model, user, action: Action) -> bool:
        return self.model.objects.visible_to(user, action.permission).filter(pk=obj.pk).exists()

    def buttons(self, obj: models.Model, user) -> list[tuple[Action, forms.Form]]:
        """The page's actions for the record's state that the user may do, each with its blank form."""
        permitted: dict[str, bool] = {}  # one query per permission the actions need, not one per action
        shown = []
        for action in self.allowed(obj):
            if action.permission not in permitted:
                permitted[action.permission] = self.permitted(obj, user, action)
            if action.on_page and permitted[action.permission]:
                shown.append((action, action.bind_form(obj, prefix=self.prefix_forms)))
        return shown

    def bind_form(self, obj: models.Model, name: str, data=None) -> forms.Form:
        return self[name].bind_form(obj, data, prefix=self.prefix_forms)

    def perform(self, obj: models.Model, name: str, *, actor, data: dict, version: str | None = None) -> Any:
        """Run one action in one transaction: the version the page was drawn from, the user's permission on the
        record, the state (the service's guard), the service, and the re-check that she still sees the record."""
        action = self[name]
        with transaction.atomic():
            check_version(obj, version)
            if not self.permitted(obj, actor, action):
                raise PermissionDenied(str(action.denied or self.denied))
            result = action.run(obj, actor=actor, data=data)
            recheck_visible(obj, actor, "view")
        return result


def error_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)


class WorkflowActionView(LoginRequiredMixin, View):
    """POST one action of a workflow from the record's page: the action's form validates, the table performs it,
    and the page comes back with a message. Set `workflow`, `queryset` (read with `visible_to(user,
    lookup_action)`); override the hooks `invalid`, `confirm`, `refused`, `done`, `success_url`."""

    workflow: Workflow
    queryset: models.QuerySet
    lookup_action = "view"
    success_message = gettext_lazy("已%(action)s。")

    def post(self, request, pk, action):
        obj = get_object_or_404(self.queryset.all().visible_to(request.user, self.lookup_action), pk=pk)
        if action not in self.workflow:
            raise PermissionDenied
        form = self.workflow.bind_form(obj, action, request.POST)
        if not form.is_valid():
            return self.invalid(request, obj, action, form)
        if self.workflow[action].confirm and request.POST.get("confirmed") != "1":
            return self.confirm(request, obj, action, form)
        try:
            self.workflow.perform(obj, action, actor=request.user, data=form.cleaned_data,
                                  version=request.POST.get("version"))
        except EditConflict:
            return conflict(request, obj)
        except TransitionError as exc:
            messages.error(request, str(exc))
        except Refused as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            return self.refused(request, obj, action, form, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("您没有进行此操作的权限。"))
        else:
            self.done(request, obj, action)
        return redirect(self.success_url(obj))

    def invalid(self, request, obj, action: str, form: forms.Form) -> HttpResponse:
        messages.error(request, "；".join(f"{form.fields[k].label}：{'，'.join(v)}" if k in form.fields
                                         else "，".join(v) for k, v in form.errors.items()))
        return redirect(self.success_url(obj))

    def confirm(self, request, obj, action: str, form: forms.Form) -> HttpResponse:
        return self.invalid(request, obj, action, form)

    def refused(self, request, obj, action: str, form: forms.Form, exc: ValidationError) -> HttpResponse:
        messages.error(request, error_text(exc))
        return redirect(self.success_url(obj))

    def done(self, request, obj, action: str) -> None:
        messages.success(request, self.success_message % {"action": self.workflow[action].label})

    def success_url(self, obj) -> str:
        return obj.get_absolute_url()


class WorkflowViewSetMixin:
    """The API side of a workflow: `POST /api/<records>/{id}/<action>/` validates the action's serializer,
    performs it through the table and answers the record (200), 400 with the field errors, 403, or 409 with the
    state and the allowed actions. Routes are added by `add_action_routes`."""

    workflow: Workflow

    def perform_action(self, request, name: str) -> Response:
        obj = self.get_object()
        action = self.workflow[name]
        data: dict = {}
        if action.serializer is not None:
            incoming = action.serializer(data=request.data)
            incoming.is_valid(raise_exception=True)
            data = dict(incoming.validated_data)
        try:
            self.workflow.perform(obj, name, actor=request.user, data=data)
        except TransitionError as exc:
            return Response({"detail": str(exc), "status": exc.machine.state(exc.obj),
                             "allowed_actions": [a.name for a in self.workflow.allowed(exc.obj)]},
                            status=status.HTTP_409_CONFLICT)
        except Refused as exc:
            return Response({"detail": str(exc), **exc.extra}, status=status.HTTP_400_BAD_REQUEST)
        except ValidationError as exc:
            raise api_exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict")
                                                 else {"detail": exc.messages}) from None
        except PermissionDenied as exc:
            raise api_exceptions.PermissionDenied(str(exc) or None) from None
        fresh = self.queryset.filter(pk=obj.pk).first() or obj
        return Response(self.get_serializer_class()(fresh, context=self.get_serializer_context()).data)


def add_action_routes(viewset: type, response: type[serializers.Serializer]) -> type:
    """One `@action` route per entry of the viewset's workflow (`return` is served by a method `return_`)."""
    for entry in viewset.workflow:
        method = f"{entry.name}_" if entry.name in ("return",) else entry.name
        title = entry.name.title().replace("_", "")
        handler = _action_handler(entry.name, method, str(entry.label))
        handler = api_action(detail=True, methods=["post"], url_path=entry.name.replace("_", "-"),
                             url_name=entry.name)(handler)
        handler = extend_schema(request=entry.serializer, responses={200: response, 409: inline_serializer(
            f"{viewset.workflow.model.__name__}{title}Conflict", {
                "detail": serializers.CharField(), "status": serializers.CharField(),
                "allowed_actions": serializers.ListField(child=serializers.CharField())})})(handler)
        setattr(viewset, method, handler)
    return viewset


def _action_handler(name: str, method: str, doc: str) -> Callable:
    def handler(self, request, pk=None):
        return self.perform_action(request, name)

    handler.__name__ = handler.__qualname__ = method  # DRF maps the route to the method by this name
    handler.__doc__ = doc
    return handler
