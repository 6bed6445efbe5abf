import uuid

from jinguo.core.auditcontext import audit_context, for_user
from jinguo.core.net import client_ip

__all__ = ["AuditContextMiddleware", "client_ip"]


class AuditContextMiddleware:
    """Every write during a request is attributed to its user, client address and a request id (also sent back).

    The request id is ours, made here: an X-Request-ID the client sends is not trusted to name our records.
    The address is `core.net.client_ip`: REMOTE_ADDR, or behind a trusted proxy the client that proxy saw.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = uuid.uuid4().hex
        source = "api" if request.path.startswith("/api/") else "web"
        with audit_context(**for_user(request.user, source=source, ip=client_ip(request), request_id=request.id)):
            response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response
