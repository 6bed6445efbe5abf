from django import template

register = template.Library()


@register.filter
def count_of(unit, key: str) -> int:
    """A subtree count annotated on the unit; 'units' excludes the unit itself."""
    value = getattr(unit, key, 0) or 0
    return value - 1 if key == "n_units" else value
