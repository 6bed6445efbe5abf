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
