from django import template

from claims import permissions, ratings

register = template.Library()


@register.filter
def may_retract(user, item) -> bool:
    """{% if user|may_retract:appearance %}: the rule of claims.permissions.may_retract."""
    return permissions.may_retract(user, item)


@register.filter
def rating_label(name: str) -> str:
    """{{ verdict.rating_name|rating_label }}: the rating's name in the interface's language."""
    return ratings.rating_label(name)
