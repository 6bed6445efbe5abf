"""Response headers Django's SecurityMiddleware does not set: a Content-Security-Policy without inline scripts, and a
Permissions-Policy that turns off what the platform never uses."""

from django.conf import settings

DEFAULT_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",  # no inline scripts and no eval, anywhere: templates load static files only
    "style-src": "'self' 'unsafe-inline'",  # style attributes (htmx indicators, ECharts, Swagger UI)
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def content_security_policy() -> str:
    policy = {**DEFAULT_CSP, **getattr(settings, "CONTENT_SECURITY_POLICY", {})}
    return "; ".join(f"{directive} {value}" for directive, value in policy.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # Every page, API answer, export and attachment reaches here (static files are answered by WhiteNoise before
        # this middleware): case pages, evidence photos, exports of the registries. None may stay in the browser's or
        # a proxy's cache on a shared office PC (等保 剩余信息保护); a view that set its own policy keeps it.
        response.headers.setdefault("Cache-Control", "no-store, private")
        return response
