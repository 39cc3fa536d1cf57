"""The spaces' pages by name in templates of the lower layers (see mutuelle/pages.py):
``{% page_url "member.card" %}`` in an e-mail, ``{% page_path "member.home" %}`` on a page."""

from django import template

from mutuelle import pages

register = template.Library()


@register.simple_tag
def page_url(page: str, *args) -> str:
    return pages.page_url(page, *args)


@register.simple_tag
def page_path(page: str, *args) -> str:
    return pages.page_path(page, *args)
