from django import template

from claims import permissions

register = template.Library()


@register.filter
def may_retract(user, item) -> bool:
    """{% if user|may_retract:appearance %}: the rule of claims.permissions.may_retract."""
    return permissions.may_retract(user, item)
