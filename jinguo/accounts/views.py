from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views import View
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from jinguo.accounts import policy, services
from jinguo.accounts.filters import RoleAssignmentFilterSet, UserFilterSet
from jinguo.accounts.forms import (
    ChangePasswordForm,
    LoginForm,
    OtpTokenForm,
    ResetPasswordForm,
    RoleAssignmentForm,
    UserForm,
)
from jinguo.accounts.models import ApiToken, RoleAssignment, User
from jinguo.accounts.policy import safe_next
from jinguo.accounts.tables import RoleAssignmentTable, UserTable
from jinguo.core import views as generic
from jinguo.core.roles import Role
from jinguo.core.scope import recheck_visible


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this when a locked account tries to sign in."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked.html", {"minutes": minutes}, status=429)


class LoginView(auth_views.LoginView):
    """Sign-in. Beyond the per-account lock (django-axes), one address that keeps failing — trying many accounts,
    as credential stuffing does — is throttled for a while: LOGIN_ADDRESS_LIMIT failures per LOGIN_ADDRESS_WINDOW."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if policy.address_throttled(request):
            return render(request, "accounts/locked.html",
                          {"minutes": settings.LOGIN_ADDRESS_WINDOW // 60, "by_address": True}, status=429)
        response = super().post(request, *args, **kwargs)
        if not request.user.is_authenticated:
            policy.count_failed_sign_in(request)
        return response


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(LoginRequiredMixin, View):
    template_name = "accounts/password_change.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ChangePasswordForm(request.user)})

    def post(self, request):
        form = ChangePasswordForm(request.user, request.POST)
        if form.is_valid():
            user = services.change_password(request.user, form.cleaned_data["new_password1"])
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            return redirect(safe_next(request, reverse("core:home")))
        return render(request, self.template_name, {"form": form}, status=400)


class OtpSetupView(LoginRequiredMixin, View):
    """Bind an authenticator app: show the secret as a QR code (drawn on the server), confirm with a code.

    Only the first one: once the account has a confirmed device, neither GET nor POST shows or confirms another —
    else a password alone (the setup page is open before the second factor) would bind the attacker's own phone."""

    template_name = "accounts/otp_setup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.totpdevice_set.filter(confirmed=True).exists():
            return redirect("accounts:otp_verify")
        return super().dispatch(request, *args, **kwargs)

    def device(self, request) -> TOTPDevice:
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        return device or TOTPDevice.objects.create(user=request.user, name=_("身份验证器"), confirmed=False)

    def render(self, request, form, status=200):
        import base64

        import segno

        device = self.device(request)
        qr = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
        secret = base64.b32encode(device.bin_key).decode()
        return render(request, self.template_name, {"form": form, "qr": qr, "secret": secret}, status=status)

    def get(self, request):
        return self.render(request, OtpTokenForm())

    def post(self, request):
        form = OtpTokenForm(request.POST)
        device = self.device(request)
        if form.is_valid() and services.confirm_device(request.user, device, form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, _("双因素认证已绑定。"))
            return redirect(safe_next(request, reverse("core:home")))
        form.add_error("token", _("动态口令不正确，请核对手机时间后重试。"))
        return self.render(request, form, status=400)


class OtpVerifyView(LoginRequiredMixin, View):
    template_name = "accounts/otp_verify.html"

    def get(self, request):
        return render(request, self.template_name, {"form": OtpTokenForm()})

    def post(self, request):
        form = OtpTokenForm(request.POST)
        token = form.cleaned_data["token"] if form.is_valid() else ""
        device = services.verify_second_factor(request.user, token)  # a wrong or missing code is audited
        if device is not None:
            otp_login(request, device)
            return redirect(safe_next(request, reverse("core:home")))
        form.add_error("token", _("动态口令不正确。"))
        return render(request, self.template_name, {"form": form}, status=400)


# --- User management (系统管理员) -------------------------------------------------------------------------------
class UserListView(generic.ObjectListView):
    queryset = User.objects.prefetch_related("role_assignments")
    table = UserTable
    filterset = UserFilterSet


class UserDetailView(generic.ObjectDetailView):
    queryset = User.objects.all()
    template_name = "accounts/user_detail.html"
    fields = ["username", "display_name", "org", "phone", "email", "is_active", "require_2fa",
              "must_change_password", "last_login", "password_changed_at"]

    def get_extra_context(self, obj) -> dict:
        from axes.models import AccessAttempt

        user = self.request.user
        return {
            "assignments": RoleAssignment.objects.visible_to(user, "view").filter(user=obj).select_related("org"),
            "locked": AccessAttempt.objects.filter(username=obj.username,
                                                   failures_since_start__gte=settings.AXES_FAILURE_LIMIT).exists(),
            "can_manage": user.has_role(Role.SYSTEM_ADMIN) and obj != user,
            "can_assign": user.has_role(Role.SECURITY_ADMIN) and obj != user,
        }


class UserEditView(generic.ObjectEditView):
    queryset = User.objects.all()
    form_class = UserForm
    template_name = "accounts/user_edit.html"

    def save(self, form):
        if form.instance.pk is None:
            data = form.cleaned_data
            user, self.initial_password = services.create_user(
                data["username"], org=data["org"], display_name=data["display_name"],
                **{name: data[name] for name in services.USER_DETAILS if name in data})
            messages.warning(self.request, _("初始密码：%(pw)s（只显示这一次，请告知本人；首次登录须修改）") % {
                "pw": self.initial_password})
            return user
        return form.save()


class UserActionView(LoginRequiredMixin, View):
    """Reset password / unlock: the system administrator's actions on one account."""

    def post(self, request, pk, action):
        user = get_object_or_404(User.objects.visible_to(request.user, "change"), pk=pk)
        if user == request.user:
            raise PermissionDenied(_("不能对自己的账户执行此操作。"))
        if action == "reset":
            form = ResetPasswordForm(request.POST, user=user)
            if not form.is_valid():
                messages.error(request, "；".join(form.errors["password"]))
                return redirect(user.get_absolute_url())
            password = services.reset_password(user, form.cleaned_data["password"] or None, actor=request.user)
            messages.warning(request, _("已重置密码。新的初始密码：%(pw)s（只显示这一次）") % {"pw": password})
        elif action == "unlock":
            services.unlock(user)
            messages.success(request, _("已解除锁定。"))
        else:
            raise PermissionDenied
        return redirect(user.get_absolute_url())


# --- Role assignment (安全管理员) --------------------------------------------------------------------------------
class RoleAssignmentListView(generic.ObjectListView):
    queryset = RoleAssignment.objects.all()
    table = RoleAssignmentTable
    filterset = RoleAssignmentFilterSet
    template_name = "accounts/roleassignment_list.html"


class RoleAssignmentAddView(LoginRequiredMixin, View):
    template_name = "core/object_edit.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            generic.require_scope(request.user, RoleAssignment, "add")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        form = RoleAssignmentForm(initial=request.GET.dict(), user=request.user)
        return render(request, self.template_name, {"form": form, "model_name": RoleAssignment._meta.verbose_name})

    def post(self, request):
        form = RoleAssignmentForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    assignment = services.grant_role(form.cleaned_data["user"], form.cleaned_data["org"],
                                                     Role(form.cleaned_data["role"]))
                    recheck_visible(assignment, request.user, "add")
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已分配角色：%(a)s") % {"a": assignment})
                return redirect(assignment.user.get_absolute_url())
        return render(request, self.template_name, {"form": form, "model_name": RoleAssignment._meta.verbose_name},
                      status=400)


class RoleAssignmentDeleteView(generic.ObjectDeleteView):
    queryset = RoleAssignment.objects.all()
    success_url_name = "accounts:roleassignment_list"

    def post(self, request, pk):
        assignment = get_object_or_404(self.get_queryset(), pk=pk)
        services.revoke_role(assignment, actor=request.user)
        messages.success(request, _("已撤销角色。"))
        return redirect(reverse_lazy("accounts:roleassignment_list"))


# --- The user's own API tokens ----------------------------------------------------------------------------------
class ApiTokenListView(LoginRequiredMixin, View):
    """My API tokens: prefix, created, expires, last used; issue one (its key shown on this answer only, never
    stored) or revoke one. Reached only past the sign-in gates, like every page."""

    template_name = "accounts/apitoken_list.html"

    def render(self, request, *, new_key: str = "", error: str = "", status: int = 200):
        tokens = ApiToken.objects.filter(user=request.user).order_by("-created")
        return render(request, self.template_name, {"tokens": tokens, "new_key": new_key, "error": error,
                                                    "days": settings.API_TOKEN_DAYS}, status=status)

    def get(self, request):
        return self.render(request)

    def post(self, request):
        name = request.POST.get("name", "").strip()
        if len(name) > ApiToken._meta.get_field("name").max_length:
            return self.render(request, error=_("用途：最多50个字。"), status=400)
        try:
            key = services.issue_token(request.user, name=name)
        except ValidationError as exc:
            return self.render(request, error="；".join(exc.messages), status=400)
        return self.render(request, new_key=key)


class ApiTokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk):
        token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
        services.revoke_token(token)
        messages.success(request, _("已吊销令牌 %(prefix)s…") % {"prefix": token.prefix})
        return redirect("accounts:apitoken_list")
