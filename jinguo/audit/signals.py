"""What the audit app subscribes to: core's change recording (`core.changelog`: every save and delete of an
audited record, core's imports, exports and attachments) and the login security events (等保2.0 8.1.4.3 审计:
登录成功与失败). Connected when `AuditConfig.ready()` imports this module; each receiver writes in the sender's
transaction.
"""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from jinguo.audit.models import AuditEntry
from jinguo.audit.services import record_change, record_event
from jinguo.core import changelog
from jinguo.core.auditcontext import audit_context, for_user
from jinguo.core.events import Event
from jinguo.core.net import client_ip


@receiver(changelog.object_changed, dispatch_uid="audit.object_changed")
def _object_changed(sender, instance, action, before, after, **kwargs) -> AuditEntry | None:
    return record_change(instance, action, before, after)


@receiver(changelog.event_recorded, dispatch_uid="audit.event_recorded")
def _event_recorded(sender, code, obj, org, note, data, object_repr, **kwargs) -> AuditEntry:
    return record_event(code, obj, org=org, note=note, data=data, object_repr=object_repr)


def _history(obj):
    """A record's own entries, newest first, without the unmasking entries (those are the audit page's)."""
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).exclude(
        kind=AuditEntry.Kind.ACCESS)


changelog.provide_history(_history)


def _ip(request) -> str | None:
    return client_ip(request) if request is not None else None


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    with audit_context(**for_user(user, source="web", ip=_ip(request), request_id=getattr(request, "id", None))):
        record_event(Event.LOGIN, user, org=user.org)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        with audit_context(**for_user(user, source="web", ip=_ip(request), request_id=getattr(request, "id", None))):
            record_event(Event.LOGOUT, user, org=user.org)


def _account(username: str):
    """The account a failed sign-in named, if it exists: its unit decides which audit administrator sees the entry.
    An unknown name has no unit; the entry then goes to the audit administrators of the top-level units."""
    if not username:
        return None
    model = get_user_model()
    return model._default_manager.filter(**{model.USERNAME_FIELD: username}).select_related("org").first()


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    account = _account(username)
    with audit_context(source="web", ip=_ip(request), actor_name=username, actor_id=None):
        record_event(Event.LOGIN_FAILED, account, org=getattr(account, "org", None), object_repr=username)


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs) -> None:
    username = str(username or "")[:150]
    account = _account(username)
    with audit_context(source="web", ip=ip_address, actor_name=username, actor_id=None):
        record_event(Event.LOCKED_OUT, account, org=getattr(account, "org", None), object_repr=username)
