"""CompactSelect writes the same markup as Django's Select, which it replaces in every filter bar for speed."""

import re

import pytest
from django import forms

from jinguo.core.forms import CompactSelect

CHOICES = [("", "全部"), ("a", "<b>粗</b>"), ("组", [("x", "X"), ("y", 'Y"')]), (3, "三")]


@pytest.mark.parametrize("value", ["x", None, 3, "", "a"])
def test_compact_select_renders_what_django_select_renders(value):
    attrs = {"id": "id_n", "required": True, "hx-get": "/a?b=1&c=2"}
    django_html = forms.Select(choices=CHOICES, attrs={"class": "c"}).render("n", value, attrs)
    ours = CompactSelect(choices=CHOICES, attrs={"class": "c"}).render("n", value, attrs)
    assert re.sub(r"\s+", "", ours) == re.sub(r"\s+", "", django_html)
    assert "<b>" not in ours  # labels are escaped


# The list table's loop as the template wrote it before `Table.render_body` replaced it.
TEMPLATE_LOOP = """{% for obj, cells in rows %}<tr>{% for col, value, keeps in cells %}<td{% if keeps %} class="text-nowrap"{% endif %}>{% if col.link and obj.get_absolute_url %}<a href="{{ obj.get_absolute_url }}">{{ value|default_if_none:"" }}</a>{% else %}{{ value|default_if_none:"" }}{% endif %}</td>{% endfor %}</tr>{% endfor %}"""  # noqa: E501


def test_table_body_renders_what_the_template_loop_rendered(settings):
    """Values of every kind (None, a date, an aware time, a number, a decimal, long text, text with markup, text
    already marked safe, a flag) come out of `Table.render_body` as the template showed them: localized, escaped
    unless safe, the link column linked, short values kept on one line."""
    import datetime as dt
    from decimal import Decimal

    from django.template import Context, Engine
    from django.utils import timezone
    from django.utils.safestring import mark_safe

    from jinguo.core.tables import Col, Table, keeps_on_one_line

    class Row:
        def __init__(self, pk, **values):
            self.pk, self.__dict__ = pk, {**values, "pk": pk}

        def get_absolute_url(self):
            return f"/r/{self.pk}/?a=1&b=2"

    class T(Table):
        columns = [Col("number", "编号", link=True), Col("on", "日期"), Col("at", "时间"), Col("n", "数"),
                   Col("money", "金额"), Col("text", "说明"), Col("safe", "标记"), Col("flag", "是否"),
                   Col("none", "空")]

    at = timezone.make_aware(dt.datetime(2025, 3, 8, 1, 30), dt.UTC)
    objects = [Row(1, number="431122-2025-00001", on=dt.date(2025, 3, 8), at=at, n=12345, money=Decimal("1234.50"),
                   text="<script>alert(1)</script>" + "长" * 30, safe=mark_safe("<b>安全</b>"), flag=True, none=None),
               Row(2, number="<i>2</i>", on=None, at=None, n=0, money=None, text="短", safe="", flag=False, none="")]
    table = T()
    rows = table.rows(objects)
    marked = [(obj, [(col, value, keeps_on_one_line(value)) for col, value in cells]) for obj, cells in rows]
    expected = Engine().from_string(TEMPLATE_LOOP).render(Context({"rows": marked}))
    assert table.render_body(rows).replace("\n", "") == expected
    assert "&lt;script&gt;" in expected and "<b>安全</b>" in expected and 'href="/r/1/?a=1&amp;b=2"' in expected


def test_compact_select_of_model_choices_renders_what_django_select_renders(tree, django_assert_max_num_queries):
    """A unit picker: the same options as Django's own rendering, read in one plain query (no server-side cursor)."""
    from jinguo.orgs.models import OrgUnit

    field = forms.ModelChoiceField(OrgUnit.objects.only("id", "name"), empty_label="全部")
    django_html = forms.Select(choices=field.choices, attrs={"class": "c"}).render("org", tree["county"].pk)
    ours_widget = CompactSelect(attrs={"class": "c"})
    ours_widget.choices = field.choices
    with django_assert_max_num_queries(1):
        ours = ours_widget.render("org", tree["county"].pk)
    assert re.sub(r"\s+", "", ours) == re.sub(r"\s+", "", django_html)
    assert ours.count("<option") == OrgUnit.objects.count() + 1 and " selected>东安县<" in ours


@pytest.mark.parametrize("widget", [
    forms.TextInput(attrs={"placeholder": '案件编号或"摘要"', "autofocus": True, "disabled": False}),
    forms.DateInput(attrs={"type": "date"}), forms.NumberInput(attrs={"min": 0, "step": "0.01"}),
    forms.EmailInput(), forms.URLInput(), forms.PasswordInput(render_value=True), forms.HiddenInput(),
    forms.TimeInput(), forms.DateTimeInput(), forms.SearchInput(), forms.TelInput()])
@pytest.mark.parametrize("value", [None, "", "a<b>&\"c'", 0, 12.5])
def test_plain_inputs_render_what_django_input_template_renders(widget, value, settings):
    """Inputs are written by `core.renderers.plain_input` instead of Django's input.html: the same markup, value and
    attributes escaped, the Bootstrap class added, for every input kind."""
    from django.template import engines

    from jinguo.core.renderers import BootstrapRenderer, style_widget

    renderer = BootstrapRenderer()
    attrs = {"id": "id_n", "required": True, "hx-get": "/a?b=1&c=2", "aria-invalid": "true"}
    ours = widget.render("n", value, attrs, renderer=renderer)
    context = widget.get_context("n", value, attrs)
    style_widget(context["widget"])
    template = engines["django"].from_string('{% include "django/forms/widgets/input.html" %}')
    assert ours == template.render(context)
    assert "form-control" in ours or widget.input_type == "hidden"
    assert "<b>" not in ours
