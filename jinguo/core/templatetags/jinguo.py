from django import template

from jinguo.core import links
from jinguo.core.numbers import plain_number

register = template.Library()


@register.filter
def plain(value) -> str:
    """A figure without trailing zeros: 500.00 → 500, 1234.50 → 1234.5."""
    return plain_number(value)


@register.filter
def money(value) -> str:
    from jinguo.core.numbers import money as fmt

    return fmt(value)


@register.filter
def money_or_blank(value) -> str:
    from jinguo.core.numbers import money as fmt

    return "" if value in (None, "") else fmt(value)


@register.filter
def index(sequence, position: int):
    try:
        return sequence[int(position)]
    except (IndexError, TypeError, ValueError):
        return ""


@register.simple_tag
def period_picker(value, name: str = "period") -> str:
    """The period picker (year select + 全年/上半年/… select) for a hand-written filter form:
    `{% period_picker period %}`; the statistics pages read what it posts (core.views.chosen_org_and_period)."""
    from jinguo.core.forms import PeriodWidget

    return PeriodWidget().render(name, value)


@register.simple_tag
def page_url(name: str) -> str:
    """`{% url name %}` for a page without arguments, kept (`core.links.page_url`): the base template links the same
    few pages on every page."""
    return links.page_url(name)
