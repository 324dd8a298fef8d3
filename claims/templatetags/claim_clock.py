"""{{ claim|claim_clock }} (claims.clock.claim_clock: from the row, no query) and
{{ duration|human_duration }} ("3 h 20 min")."""

from django import template

from claims import clock

register = template.Library()


@register.filter
def claim_clock(claim):
    return clock.claim_clock(claim)


@register.filter
def human_duration(duration):
    return clock.human_duration(duration)
