"""Base for jinguo commands: runs inside an audit context naming the command, turns validation errors into
clear Chinese messages and a non-zero exit."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jinguo.core.auditcontext import audit_context, for_command
from jinguo.core.scope import org_model


def validation_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(f"{field}：{'，'.join(msgs)}" if field != "__all__" else "，".join(msgs)
                        for field, msgs in exc.message_dict.items())
    return "；".join(exc.messages)


class JinguoCommand(BaseCommand):
    def execute(self, *args, **options):
        name = type(self).__module__.rsplit(".", 1)[-1]
        with audit_context(**for_command(name)):
            try:
                return super().execute(*args, **options)
            except ValidationError as exc:
                raise CommandError(validation_text(exc)) from exc

    def get_org(self, code: str):
        org = org_model().objects.filter(code=code).first()
        if org is None:
            raise CommandError(f"单位编码“{code}”不存在。")
        return org
