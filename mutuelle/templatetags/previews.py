"""``{{ body|preview }}``: a document (membership form, mandate) shown inside a page.

Its headings become styled paragraphs: the page has one ``h1`` and its own outline, the
document's titles do not join it (RGAA 9.1). The PDF keeps the real headings.
"""

import re

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

_HEADING = re.compile(r"<(/?)h([1-6])\b([^>]*)>")


def _replace(match: re.Match) -> str:
    closing, level, attrs = match.groups()
    return "</p>" if closing else f'<p class="preview-h{level}"{attrs}>'


@register.filter
def preview(html: str) -> str:
    """``html`` (rendered by our own templates, already escaped) without headings."""
    return mark_safe(_HEADING.sub(_replace, str(html)))  # noqa: S308
