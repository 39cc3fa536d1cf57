"""The one way to make a PDF: a Django template rendered by WeasyPrint.

The template gets ``mutuelle`` (the brand settings) and ``fonts`` (``file://`` URLs of
the fonts shipped in ``static/fonts``, never the machine's fonts) so a document looks
the same on every server. WeasyPrint may only read the project's static files: any
other file, and every network URL, stops the rendering (a template never makes the
server fetch what a user typed).

Every PDF is tagged PDF/UA-1 (RGAA 13.3): a structure tree, ``/MarkInfo``, the
language from ``<html lang>`` and the title from ``<title>``, shown by the reader in
place of the file name. A template without a language or a title is refused: a screen
reader user would get an untitled document in an unknown language.
"""

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

FONT_FILES = {
    "regular": "fonts/DejaVuSans.ttf",
    "bold": "fonts/DejaVuSans-Bold.ttf",
}


PDF_VARIANT = "pdf/ua-1"
_LANG = re.compile(r"<html[^>]*\slang=[\"']?[a-z]{2}", re.IGNORECASE)
_TITLE = re.compile(r"<title>\s*[^<\s][^<]*</title>", re.IGNORECASE)


class UntitledDocument(ValueError):
    """A PDF template without ``<html lang>`` or a non-empty ``<title>``."""


class ResourceRefused(FatalURLFetchingError):
    """A PDF template asked for something outside the project's static files."""


def _static_roots() -> list[Path]:
    return [Path(folder).resolve() for folder in (*settings.STATICFILES_DIRS, settings.STATIC_ROOT)]


class StaticFilesFetcher(URLFetcher):
    """Reads ``file://`` URLs inside the static folders; refuses everything else."""

    def __init__(self):
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True)

    def fetch(self, url, headers=None):
        scheme, host, location, _query, _fragment = urlsplit(url)
        if scheme != "file" or host not in {"", "localhost"}:
            raise ResourceRefused(f"Ressource refusée dans un PDF : {url}")
        path = Path(url2pathname(location)).resolve()
        if not any(path.is_relative_to(root) for root in _static_roots()):
            raise ResourceRefused(f"Ressource refusée dans un PDF : {url}")
        return super().fetch(url, headers)


@lru_cache(maxsize=1)
def font_urls() -> dict[str, str]:
    urls = {}
    for key, relative in FONT_FILES.items():
        found = finders.find(relative)
        if not found:
            raise FileNotFoundError(f"Police introuvable : static/{relative}")
        urls[key] = Path(found).resolve().as_uri()
    return urls


def render_pdf(template: str, context: dict) -> bytes:
    # Every document carries the mutuelle's name and legal notice.
    html = render_to_string(
        template, {"mutuelle": settings.MUTUELLE, **context, "fonts": font_urls()}
    )
    if not _LANG.search(html) or not _TITLE.search(html):
        raise UntitledDocument(f"{template} : <html lang> et <title> sont obligatoires.")
    return HTML(
        string=html,
        base_url=(settings.BASE_DIR / "static").as_uri() + "/",
        url_fetcher=StaticFilesFetcher(),
    ).write_pdf(font_config=FontConfiguration(), pdf_variant=PDF_VARIANT)
