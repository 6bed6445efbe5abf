import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from jinguo.accounts.policy import pending_step, session_second_factor_passed

# Pages a signed-in user may reach while a step is pending: the step's own page and signing out. Only the step's own:
# the password change before the second factor let a password alone replace the password (locking the owner out).
_ALWAYS_ALLOWED = ("accounts:logout",)


class AccessPolicyMiddleware:
    """Forced password change (initial or expired) and second factor, before any page is served.

    The API (under /api/) applies the same rule (`accounts.policy.pending_step`) in its default permission class
    `accounts.authentication.SignInGates`, which answers 403 with the step's message instead of redirecting.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(("/static/", "/api/")):
            step = pending_step(user, second_factor_passed=session_second_factor_passed(user))
            if step is not None and request.path not in {reverse(name) for name in (*_ALWAYS_ALLOWED, step.url_name)}:
                return redirect(step.url_name)
        return self.get_response(request)


def _now() -> float:
    return time.time()


class SessionRefreshMiddleware:
    """The idle logout (SESSION_COOKIE_AGE after the last request) without writing the session on every request:
    a signed-in session's expiry is pushed forward at most once per SESSION_REFRESH_SECONDS (60), so it ends
    between 29 and 30 minutes after the last request. Goes right after SessionMiddleware, which saves a session
    marked modified."""

    KEY = "_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if session.session_key is not None:
            now = int(_now())
            last = session.get(self.KEY)
            if session.keys() - {self.KEY} and (not isinstance(last, int) or not
                                               0 <= now - last < settings.SESSION_REFRESH_SECONDS):
                session[self.KEY] = now  # modified: SessionMiddleware saves it with a fresh expiry
        return self.get_response(request)
