import copy
import io

import pytest
from django.contrib.staticfiles import finders
from pypdf import PdfReader

from mutuelle.pdf import ResourceRefused, StaticFilesFetcher, render_pdf


@pytest.fixture
def pdf_template(settings, tmp_path):
    """A template folder of the test's own, first in the search path."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates

    def write(body: str) -> str:
        (tmp_path / "doc.html").write_text(
            "<!DOCTYPE html><html lang='fr'><head><title>Essai</title><style>"
            "@font-face { font-family: ProjectFont; src: url('{{ fonts.regular }}'); }"
            "body { font-family: ProjectFont; }</style></head><body>" + body + "</body></html>"
        )
        return "doc.html"

    return write


def test_render_pdf_makes_a_pdf_with_the_project_fonts_and_brand(pdf_template, settings):
    pdf = render_pdf(pdf_template("<p>{{ mutuelle.name }} — {{ who }}</p>"), {"who": "Élodie"})
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert f"{settings.MUTUELLE['name']} — Élodie" in page.extract_text()
    fonts = {str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    # Embedded under the @font-face family: the shipped file was read, not a system font.
    assert any(name.endswith("+ProjectFont") for name in fonts), fonts


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/hostname",
        "http://127.0.0.1:9/image.png",
        "https://example.org/style.css",
        "ftp://127.0.0.1/x",
        "file://remote-host/static/fonts/DejaVuSans.ttf",
    ],
)
def test_a_template_cannot_read_outside_the_static_files(pdf_template, url):
    template = pdf_template(f'<img src="{url}" alt="">')
    with pytest.raises(ResourceRefused):
        render_pdf(template, {})


def test_the_fetcher_reads_static_files_only(tmp_path):
    fetcher = StaticFilesFetcher()
    font = finders.find("fonts/DejaVuSans.ttf")
    response = fetcher.fetch(f"file://{font}")
    assert response is not None
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    with pytest.raises(ResourceRefused):
        fetcher.fetch(outside.as_uri())
    # A path that climbs out of the static folder is judged once resolved.
    with pytest.raises(ResourceRefused):
        fetcher.fetch(f"file://{font}/../../../pyproject.toml")
