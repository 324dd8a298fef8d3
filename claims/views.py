from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from . import selectors


@login_required
def claim_list(request):
    page = Paginator(selectors.claim_list(), 50).get_page(request.GET.get("page"))
    return render(request, "claims/claim_list.html", {"page": page})


@login_required
def claim_detail(request, pk):
    claim = get_object_or_404(selectors.claim_list(), pk=pk)
    return render(
        request,
        "claims/claim_detail.html",
        {"claim": claim, "timeline": selectors.claim_timeline(claim), "verdict": selectors.current_verdict(claim)},
    )
