"""Bootstrap classes on every form widget, in one place.

Django renders each widget through the project's form renderer; this one adds the Bootstrap 5 class a widget needs
(`form-control`, `form-select`, `form-check-input`) and `is-invalid` where the bound field has errors (Django marks
such widgets `aria-invalid="true"`). Forms, filter sets and hand-written templates therefore need no per-form styling.
Widget templates that Bootstrap lays out differently (checkbox and radio lists) are overridden in
jinguo/templates/django/forms/widgets/.
"""

from django.forms.renderers import TemplatesSetting
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

CHECK_TYPES = {"checkbox", "radio"}
NO_CLASS_TYPES = {"hidden", "submit", "button", "image", "reset"}
MULTIPLE_INPUT_TEMPLATES = ("checkbox_select.html", "radio.html", "multiple_input.html")
# Django's widget templates that are only its input.html (none is overridden in jinguo/templates): written here
# directly, as that template writes them, instead of through two template includes per input.
PLAIN_INPUT_TEMPLATES = frozenset(f"django/forms/widgets/{kind}.html" for kind in (
    "input", "text", "date", "datetime", "time", "number", "email", "url", "password", "tel", "search", "hidden"))


def add_class(attrs: dict, *names: str) -> dict:
    """Append class names to an attrs dict (in place), keeping the ones already there and not doubling any."""
    present = str(attrs.get("class") or "").split()
    present += [name for name in names if name and name not in present]
    attrs["class"] = " ".join(present)
    return attrs


def bootstrap_class(template_name: str, input_type: str | None) -> str:
    """The Bootstrap class for a widget, from its template name and (for inputs) its type."""
    if input_type in NO_CLASS_TYPES:
        return ""
    if input_type in CHECK_TYPES:
        return "form-check-input"
    if template_name.endswith(("select.html", "select_date.html")) and "checkbox" not in template_name:
        return "form-select"
    if input_type == "range":
        return "form-range"
    return "form-control"


def style_widget(widget: dict) -> None:
    """Add the Bootstrap classes to one widget's context (and to each option of a checkbox or radio list)."""
    template_name = widget.get("template_name", "")
    attrs = widget.setdefault("attrs", {})
    invalid = str(attrs.get("aria-invalid", "")).lower() == "true"
    if template_name.endswith(MULTIPLE_INPUT_TEMPLATES):
        add_class(attrs, "form-check-list", "is-invalid" if invalid else "")
        for _group, options, _index in widget.get("optgroups", []):
            for option in options:
                add_class(option.setdefault("attrs", {}), "form-check-input", "is-invalid" if invalid else "")
        return
    if widget.get("subwidgets"):  # MultiWidget: each part is styled on its own
        for sub in widget["subwidgets"]:
            style_widget(sub)
        return
    for _group, options, _index in widget.get("optgroups", []):
        for option in options:  # Django's blank choice reads "---------"; say what to do instead
            if option.get("label") == "---------" and option.get("value") in ("", None):
                option["label"] = _("请选择")
    css = bootstrap_class(template_name, widget.get("type"))
    if css:
        add_class(attrs, css, "is-invalid" if invalid else "")


class BootstrapRenderer(TemplatesSetting):
    """TEMPLATES-based renderer (so jinguo/templates may override widget templates) that styles every widget."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if isinstance(widget, dict) and template_name == widget.get("template_name"):
            style_widget(widget)
            if template_name in PLAIN_INPUT_TEMPLATES:
                return plain_input(widget)
        return super().render(template_name, context, request=request)


def plain_input(widget: dict) -> str:
    """What django/forms/widgets/input.html (with attrs.html) writes for this widget context."""
    value = widget.get("value")
    parts = [f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"']
    if value is not None:
        parts.append(f' value="{conditional_escape(str(value))}"')
    for name, attr in widget["attrs"].items():
        if attr is not False:
            parts.append(f" {conditional_escape(name)}" if attr is True else
                         f' {conditional_escape(name)}="{conditional_escape(str(attr))}"')
    parts.append(">\n")  # the template file's last line break, kept
    return mark_safe("".join(parts))  # noqa: S308 — every value above is escaped
