"""{% claimreview_jsonld claim %}: the claim's ClaimReview as a <script type="application/ld+json">,
the same JSON-LD the API serves at /api/v1/claims/{id}/claimreview/. Empty without a verdict."""

from django import template
from django.utils.safestring import mark_safe

from claims import selectors
from claims.claimreview import CLAIMREVIEW_APPEARANCES, claimreview_jsonld, claimreview_url, jsonld_script

register = template.Library()


@register.simple_tag(takes_context=True)
def claimreview_jsonld_script(context, claim):
    # The claim page already has the current verdict; the appearances are always read (two
    # queries), so the page's query count does not depend on whether there is a verdict.
    verdict = context["current_verdict"] if "current_verdict" in context else selectors.current_verdict(claim)
    appearances = selectors.claimreview_appearances(claim, CLAIMREVIEW_APPEARANCES)
    if verdict is None:
        return ""
    if "wordings" in context and not hasattr(claim, "standing_wordings"):
        claim.standing_wordings = context["wordings"]  # the claim page has read them already
    data = claimreview_jsonld(
        claim=claim,
        verdict=verdict,
        appearances=appearances,
        claim_url=claimreview_url(claim, context["request"]),
    )
    # jsonld_script escapes <, > and &, so the text cannot end the script element.
    return mark_safe(f'<script type="application/ld+json">\n{jsonld_script(data)}\n</script>')  # noqa: S308
