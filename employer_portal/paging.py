from django.core.paginator import Page, Paginator

PER_PAGE = 25


def paginate(request, queryset, per_page: int = PER_PAGE) -> tuple[Page, str]:
    """The requested page (out-of-range numbers give the nearest page) and the query
    string of the current filters, for the page links."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()
