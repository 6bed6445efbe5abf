from django.shortcuts import redirect
from django.urls import reverse

# Pages a signed-in user may reach before changing an initial password or passing the second factor.
_ALWAYS_ALLOWED = ("accounts:logout", "accounts:password_change", "accounts:otp_verify", "accounts:otp_setup")


class AccessPolicyMiddleware:
    """Forced password change (initial or expired) and second factor, before anything else is served.

    API calls with a token are scripts: they skip the interactive steps but still carry the user's scope.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(("/static/", "/api/")):
            allowed = {reverse(name) for name in _ALWAYS_ALLOWED}
            if request.path not in allowed:
                if user.needs_second_factor and not user.is_verified():
                    has_device = user.totpdevice_set.filter(confirmed=True).exists()
                    return redirect("accounts:otp_verify" if has_device else "accounts:otp_setup")
                if user.must_change_password or user.password_expired:
                    return redirect("accounts:password_change")
        return self.get_response(request)
