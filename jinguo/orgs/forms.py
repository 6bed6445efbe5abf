from django import forms
from django.utils.translation import gettext_lazy as _

from jinguo.core.forms import ScopedModelForm
from jinguo.core.models import CodeItem
from jinguo.orgs.models import Level, OrgUnit, level_from_code


class OrgUnitForm(ScopedModelForm):
    """Add or edit a unit. The parent must be a unit the user manages; the level defaults from the code shape."""

    level = forms.ChoiceField(label=_("级别"), choices=[("", _("按编码判断")), *Level.choices], required=False)

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "level", "parent", "agency_type", "is_active"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency_type"].queryset = CodeItem.objects.of("agency_type")
        self.fields["parent"].required = False
        self.fields["parent"].error_messages["invalid_choice"] = _("上级单位不存在，或不在您的管辖范围内。")

    def clean_level(self) -> str:
        level = self.cleaned_data.get("level")
        if level:
            return level
        guessed = level_from_code((self.data.get(self.add_prefix("code")) or "").strip())
        if guessed is None:
            raise forms.ValidationError(_("无法从编码判断级别，请选择级别。"))
        return guessed
