"""Hostile text for the notification templates: a company, a person and an address
holding & ' < and ", wherever a template reads a value."""

import re
from decimal import Decimal
from pathlib import Path

from django.conf import settings

HOSTILE = 'Boulangerie Martin & Fils <l\'Été> "SARL"'
ESCAPES = ("&amp;", "&#x27;", "&#39;", "&lt;", "&gt;", "&quot;")
TEMPLATES = sorted((Path(settings.BASE_DIR) / "templates" / "notifications").glob("*.txt"))


DATE_PARTS = {"day", "month", "year", "hour", "minute", "second", "microsecond"}


class Hostile(str):
    """Any attribute, item or iteration of it is hostile text again."""

    def __new__(cls):
        return super().__new__(cls, HOSTILE)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name in DATE_PARTS:  # so that |date:"d/m/Y" renders
            return 1
        if name == "tzinfo":
            return None
        if name == "pk":  # so that a link to the object is a link
            return 7
        return Hostile()

    def __getitem__(self, key):
        return self.__getattr__(key) if isinstance(key, str) else Hostile()

    def __iter__(self):
        return iter([Hostile()])


def hostile_context(source: str) -> dict:
    """Every name the template reads holds hostile text."""
    names = set(re.findall(r"{[{%][^}]*?\b([a-z_]+)[.|\s}]", source))
    # Objects a page link is built from (``{% page_url "member.conversation" conversation.pk %}``).
    names |= set(re.findall(r"\b([a-z_]+)\.pk\b", source))
    context = {name: Hostile() for name in names}
    # Amounts go through |euros: give the objects holding them a real number.
    for name in re.findall(r"([a-z_]+)\.amount\|euros", source):
        context[name] = {"amount": Decimal("12.5"), **{k: Hostile() for k in ("due_date",)}}
    return context
