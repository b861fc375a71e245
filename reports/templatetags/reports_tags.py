from django import template

register = template.Library()


@register.filter
def with_brackets(values, brackets):
    """Pairs (bracket, value) for a row's counts per age bracket."""
    return list(zip(brackets, values, strict=False))
