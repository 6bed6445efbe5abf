from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from jinguo.accounts.models import RoleAssignment, User
from jinguo.core.forms import ScopedModelForm
from jinguo.core.roles import Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误。连续输错5次，账户将被锁定15分钟。"),
        "inactive": _("该账户已停用，请联系系统管理员。"),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})


class ChangePasswordForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("当前密码")
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password2"].label = _("确认新密码")
        self.fields["new_password1"].help_text = _(
            "至少8位，包含大写字母、小写字母、数字、符号中的至少三类，且不能包含用户名。")

    def clean_new_password1(self) -> str:
        password = self.cleaned_data["new_password1"]
        if self.user.check_password(password):
            raise forms.ValidationError(_("新密码不能与当前密码相同。"))
        return password


class OtpTokenForm(forms.Form):
    token = forms.CharField(label=_("动态口令"), max_length=6, min_length=6,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "autofocus": True}))


class UserForm(ScopedModelForm):
    """The system administrator's form: identity, home unit, status. Roles are the security administrator's."""

    class Meta:
        model = User
        fields = ["username", "display_name", "org", "phone", "email", "is_active", "require_2fa"]
        labels = {"username": _("用户名"), "email": _("电子邮箱"), "is_active": _("启用")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].required = True
        self.fields["username"].help_text = _("登录用，字母、数字和 @/./+/-/_ ")


class ResetPasswordForm(forms.Form):
    password = forms.CharField(label=_("新的初始密码"), widget=forms.PasswordInput, required=False,
                               help_text=_("留空则自动生成。用户下次登录时必须修改。"))

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if password:
            password_validation.validate_password(password, self.user)
        return password


class RoleAssignmentForm(ScopedModelForm):
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)

    class Meta:
        model = RoleAssignment
        fields = ["user", "org", "role"]

    def clean(self):
        cleaned = super().clean()
        if self.user is not None and cleaned.get("user") == self.user:
            raise forms.ValidationError(_("不能给自己分配或修改角色（三员分立）。"))
        return cleaned
