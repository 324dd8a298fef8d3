from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from . import selectors


@login_required
def source_detail(request, pk):
    source = get_object_or_404(selectors.source_list(), pk=pk)
    return render(
        request,
        "sources/source_detail.html",
        {"source": source, "appearances": selectors.source_appearances(source)},
    )
