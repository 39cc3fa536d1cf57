"""``{% include "includes/pagination.html" %}`` reads the page numbers to show here:
the first and last pages, two on each side of the current one, « … » between."""

from django import template
from django.core.paginator import Page

register = template.Library()


@register.filter
def page_links(page: Page) -> list:
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
