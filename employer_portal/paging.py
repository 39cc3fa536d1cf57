from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

PER_PAGE = 25


class CountedPaginator(Paginator):
    """Counts the rows with a cheaper query that selects the same rows (the list's
    query joins what it sorts on; the count need not)."""

    def __init__(self, object_list, per_page, *, count_queryset: QuerySet):
        super().__init__(object_list, per_page)
        self.count_queryset = count_queryset

    @cached_property
    def count(self) -> int:
        return self.count_queryset.count()


def paginate(
    request, queryset, per_page: int = PER_PAGE, *, count_queryset: QuerySet | None = None
) -> tuple[Page, str]:
    """The requested page (out-of-range numbers give the nearest page) and the query
    string of the current filters, for the page links. ``count_queryset``: the same
    rows, found more cheaply, for the total."""
    paginator = (
        Paginator(queryset, per_page)
        if count_queryset is None
        else CountedPaginator(queryset, per_page, count_queryset=count_queryset)
    )
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()
