import uuid

from jinguo.audit.context import audit_context, for_user


def client_ip(request) -> str | None:
    """The peer address. Behind nginx the proxy overwrites X-Real-IP; REMOTE_ADDR is the fallback."""
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Every write during a request is attributed to its user, IP and a request id (also sent back)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = request.META.get("HTTP_X_REQUEST_ID", "")[:64] or uuid.uuid4().hex
        source = "api" if request.path.startswith("/api/") else "web"
        with audit_context(**for_user(request.user, source=source, ip=client_ip(request), request_id=request.id)):
            response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response
