"""Content checks of uploaded proofs beyond their type: PDFs with active content are
refused, images are decoded and re-encoded (whatever trails or hides in the file —
HTML after a JPEG, metadata — is dropped)."""

import io

import pikepdf
from PIL import Image, UnidentifiedImageError

# Actions that run code, open other files or programs, or send data.
ACTIVE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/GoToE",
    "/GoToR",
    "/RichMediaExecute",
    "/Rendition",
}
# Markup a browser would render if it ever sniffed the file as a page.
HTML_MARKERS = (b"<html", b"<script", b"<body", b"<iframe", b"<svg", b"<!doctype html")
MAX_PIXELS = 40_000_000  # a 5 MB limit holds no larger honest photo or scan

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class UnsafeContent(Exception):
    """The file is refused; the message (French) says why."""


def _nested(obj):
    """``obj`` and the direct dictionaries and arrays inside it (indirect objects are
    reached on their own by ``pdf.objects``, so cycles are never followed)."""
    stack = [obj]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, pikepdf.Dictionary | pikepdf.Array):
            values = item.values() if isinstance(item, pikepdf.Dictionary) else list(item)
            stack.extend(
                v
                for v in values
                if isinstance(v, pikepdf.Dictionary | pikepdf.Array) and not v.is_indirect
            )


def _is_active(obj) -> bool:
    if not isinstance(obj, pikepdf.Dictionary):
        return False
    return (
        "/JS" in obj
        or obj.get("/S") in ACTIVE_ACTIONS
        or obj.get("/Type") in ("/EmbeddedFile", "/Filespec")
        or obj.get("/Subtype") in ("/FileAttachment", "/RichMedia")
    )


def pdf_check(data: bytes) -> None:
    """Raise :class:`UnsafeContent` for an unreadable PDF, one with active content
    (JavaScript, launch or submit actions, embedded files, XFA forms) or HTML inside."""
    lowered = data.lower()
    if any(marker in lowered for marker in HTML_MARKERS):
        raise UnsafeContent("contient du code HTML : ce n'est pas un PDF ordinaire")
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) == 0:
                raise UnsafeContent("ne contient aucune page")
            root = pdf.Root
            names = root.get("/Names", pikepdf.Dictionary())
            acroform = root.get("/AcroForm", pikepdf.Dictionary())
            if (
                "/AA" in root
                or _is_active(root.get("/OpenAction"))
                or "/JavaScript" in names
                or "/EmbeddedFiles" in names
                or "/XFA" in acroform
                or any(_is_active(item) for obj in pdf.objects for item in _nested(obj))
            ):
                raise UnsafeContent(
                    "contient du contenu actif (JavaScript, action automatique ou fichier "
                    "joint) : imprimez-le en PDF ou scannez-le, puis déposez ce nouveau fichier"
                )
    except pikepdf.PasswordError as exc:
        raise UnsafeContent("est protégé par un mot de passe") from exc
    except pikepdf.PdfError as exc:
        raise UnsafeContent("est un PDF endommagé ou illisible") from exc


def image_reencode(data: bytes, *, fmt: str) -> bytes:
    """The decoded pixels written again as ``fmt`` (JPEG or PNG), without metadata."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if fmt == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise UnsafeContent("est une image illisible ou trop grande") from exc
    return out.getvalue()
