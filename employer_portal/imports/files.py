"""The files of the bulk pre-affiliation: templates, reading an upload, rejection file.

Reading uses python-calamine for .xlsx (about 20× faster than openpyxl's read-only
mode), LibreOffice's .ods and Excel 97-2003's .xls (issue 11 §12), and the csv module
for .csv; writing uses openpyxl (templates, rejection file), or the streamed ODS writer
of ``mutuelle.spreadsheets`` for the rejection file of an .ods.
"""

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from enrolment.services.preaffiliation.fields import (
    FIELD_LABELS,
    OPTIONAL_COLUMNS,
    REQUIRED_FIELDS,
)
from mutuelle.spreadsheets import (
    ERROR_HEADER,
    FORMULA_PREFIXES,
    ODS_MIMETYPE,
    rejection_ods,
    rejection_xlsx,
)

from .xlsx_stream import ET, first_sheet_path, iter_sheet_rows

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# What the import page and the refusals name: every format read below.
ACCEPTED_FORMATS = ".xlsx, .ods, .xls ou .csv"
# Zip bombs: an xlsx or an ods of 20 MB holds at most a few hundred MB of XML; real
# files compress about 5–20×, so much higher ratios are refused before parsing.
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_ENTRY_RATIO = 150
MAX_ZIP_ENTRIES = 500
MAX_DATA_ROWS = 200_000
# Sheets whose XML is larger than this (about 30,000 rows of the template) are read
# row by row: calamine would hold the whole sheet in memory.
STREAM_ABOVE_BYTES = 32 * 1024 * 1024
# An .ods is read by calamine only (no row-by-row reader): its content above this size
# (about 60,000 rows of the template) is refused, which bounds the memory of a worker.
MAX_ODS_CONTENT_BYTES = 128 * 1024 * 1024

FIELDS = list(FIELD_LABELS)
HEADERS = [f"{label}*" if key in REQUIRED_FIELDS else label for key, label in FIELD_LABELS.items()]
DATE_FIELDS = {"birth_date", "hire_date", "effective_date"}


class FileRefused(Exception):
    """The whole file is refused; ``message`` says why, in French."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


# ---------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_REQUIRED_FILL = PatternFill("solid", fgColor="C00000")
_TEMPLATE_ROWS = 1000

INSTRUCTIONS = [
    "Modèle d'import des salariés (pré-affiliation)",
    "",
    "1. Une ligne par salarié, à partir de la ligne 2. Ne modifiez ni l'intitulé ni "
    "l'ordre des colonnes.",
    "2. Les colonnes marquées d'un astérisque (*) sont obligatoires.",
    "3. Civilité : M, Mme, Monsieur ou Madame.",
    "4. Dates au format JJ/MM/AAAA (date de naissance, date d'embauche, date d'effet).",
    "5. Numéro de sécurité sociale : 15 caractères, avec ou sans espaces (2A/2B pour la Corse).",
    "6. Sans adresse e-mail, l'adresse postale est obligatoire (libellé de la voie, code "
    "postal, ville) : le salarié recevra son identifiant et son mot de passe provisoire "
    "par deux courriers distincts.",
    "7. Téléphone portable (facultatif) : le mobile du salarié, 06 ou 07 (ou +33 6, +33 7). "
    "Le code de signature lui sera envoyé par SMS ; le salarié pourra le changer à l'étape "
    "« Mon profil », après confirmation par un code. Un fichier fait avec l'ancien modèle, "
    "sans cette colonne, reste accepté.",
    "8. Régime local Alsace-Moselle : Oui ou Non.",
    "9. La date d'effet ne peut précéder ni la date d'embauche ni le début du contrat.",
    "10. Nous vous recommandons d'indiquer le matricule pour croiser nos fichiers avec votre paie.",
    "11. Enregistrez au format .xlsx, .ods (LibreOffice), .xls (Excel 97-2003) ou .csv "
    "(séparateur point-virgule), 20 Mo au plus.",
    "",
    "Le groupe d'assurés se choisit au moment de l'import : un fichier par groupe.",
]


def build_template_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Salariés"
    sheet.append(HEADERS)
    for index, (key, header) in enumerate(zip(FIELDS, HEADERS, strict=True), start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL if key in REQUIRED_FIELDS else _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(header) + 4)
        cell_range = f"{letter}2:{letter}{_TEMPLATE_ROWS}"
        if key in DATE_FIELDS:
            for (row_cell,) in sheet[cell_range]:
                row_cell.number_format = "DD/MM/YYYY"
        elif key in {"nir", "postal_code", "insurance_fund_code", "payroll_id", "phone"}:
            # Text, so that Excel keeps leading zeros and all 15 digits.
            for (row_cell,) in sheet[cell_range]:
                row_cell.number_format = "@"
    sheet.freeze_panes = "A2"
    choices = {
        "civility": ('"M,Mme,Monsieur,Madame"', "Civilité : M, Mme, Monsieur ou Madame."),
        "alsace_moselle": ('"Oui,Non"', "Régime local Alsace-Moselle : Oui ou Non."),
    }
    for key, (formula, message) in choices.items():
        letter = get_column_letter(FIELDS.index(key) + 1)
        validation = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Valeur non autorisée",
            error=message,
        )
        validation.add(f"{letter}2:{letter}{_TEMPLATE_ROWS}")
        sheet.add_data_validation(validation)
    help_sheet = workbook.create_sheet("Mode d'emploi")
    for line in INSTRUCTIONS:
        help_sheet.append([line])
    help_sheet["A1"].font = Font(bold=True, size=14)
    help_sheet.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_template_csv() -> bytes:
    """`;`-separated UTF-8 with BOM: what French Excel opens correctly."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(HEADERS)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def _header_key(value) -> str:
    text = unicodedata.normalize("NFKD", str(value or "").replace("\xa0", " "))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.split()).casefold()


_EXPECTED_KEYS = [_header_key(h) for h in HEADERS]
_EXPECTED_LOOSE = {_header_key(h).rstrip("*").strip(): h for h in HEADERS}
# A file made from the template before its optional columns were added: the same
# columns without them. The blank cells go back in at these positions.
_OPTIONAL_POSITIONS = tuple(i for i, key in enumerate(FIELDS) if key in OPTIONAL_COLUMNS)
_OLD_KEYS = [k for i, k in enumerate(_EXPECTED_KEYS) if i not in _OPTIONAL_POSITIONS]
_OPTIONAL_LOOSE = {_EXPECTED_KEYS[i].rstrip("*").strip() for i in _OPTIONAL_POSITIONS}


def check_header(header: list) -> tuple[int, ...]:
    """Refuse missing, renamed, reordered or extra columns (the rejection file's last
    column « Nature de l'erreur » is allowed so that it can be re-uploaded as is).

    Returns the positions of the optional columns that the file lacks (a file made from
    the previous template): empty cells are put there in every row."""
    found = [_header_key(h) for h in header]
    while found and not found[-1]:
        found.pop()
    if found and found[-1] == _header_key(ERROR_HEADER):
        found.pop()
    if found == _EXPECTED_KEYS:
        return ()
    if found == _OLD_KEYS:
        return _OPTIONAL_POSITIONS
    loose = [f.rstrip("*").strip() for f in found]
    missing = [h for k, h in _EXPECTED_LOOSE.items() if k not in loose and k not in _OPTIONAL_LOOSE]
    unknown = [str(header[i]).strip() for i, k in enumerate(loose) if k not in _EXPECTED_LOOSE]
    if unknown and missing:
        raise FileRefused(
            "Colonnes renommées ou inconnues : "
            + ", ".join(f"« {u} »" for u in unknown if u)
            + ". Colonnes attendues manquantes : "
            + ", ".join(f"« {m} »" for m in missing)
            + ". Utilisez le modèle sans modifier l'intitulé des colonnes."
        )
    if missing:
        raise FileRefused(
            "Colonnes manquantes : "
            + ", ".join(f"« {m} »" for m in missing)
            + ". Utilisez le modèle sans supprimer de colonne."
        )
    if unknown:
        raise FileRefused(
            "Colonnes non reconnues : "
            + ", ".join(f"« {u} »" for u in unknown if u)
            + ". Utilisez le modèle sans ajouter de colonne."
        )
    # An optional column left out does not shift the positions named in the message.
    expected_order = [k for k in _EXPECTED_LOOSE if k in loose or k not in _OPTIONAL_LOOSE]
    for position, (got, expected) in enumerate(zip(loose, expected_order, strict=False), 1):
        if got != expected:
            raise FileRefused(
                f"L'ordre des colonnes a été modifié : la colonne {position} devrait être "
                f"« {_EXPECTED_LOOSE[expected]} ». L'ordre des colonnes ne doit pas être "
                "modifié."
            )
    # Same names and order but a missing or added asterisk: the header was edited.
    raise FileRefused(
        "Les intitulés des colonnes ont été modifiés (astérisques des colonnes "
        "obligatoires). Utilisez le modèle sans modifier l'en-tête."
    )


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A password-protected xlsx is an OLE2 file too, holding this stream (UTF-16 name).
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
NOT_A_SPREADSHEET = "Ce fichier n'est ni un classeur (.xlsx, .ods, .xls) ni un fichier CSV."
PROTECTED = (
    "Ce classeur est protégé par un mot de passe : enregistrez-le sans mot de passe, "
    f"au format {ACCEPTED_FORMATS}."
)


def sniff_format(head: bytes, filename: str = "") -> str:
    """« zip » (an xlsx or an ods: :func:`check_zip` tells), « xls » or « csv », from
    the content (never from the name alone)."""
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(OLE2_MAGIC):
        if _ENCRYPTED_PACKAGE in head:
            raise FileRefused(PROTECTED)
        return "xls"
    if head.startswith(UTF16_BOMS):
        # Excel's « Texte Unicode » (UTF-16, tab-separated): a CSV like the others.
        return "csv"
    if head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8", b"GIF8", b"\x1f\x8b", b"Rar!")):
        raise FileRefused(NOT_A_SPREADSHEET)
    if b"\x00" in head[:4096]:
        raise FileRefused(NOT_A_SPREADSHEET)
    return "csv"


def _zip_format(archive: zipfile.ZipFile, names: set[str]) -> str:
    """« xlsx » or « ods » from the archive's parts (an OpenDocument spreadsheet
    names its type in its ``mimetype`` entry)."""
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "mimetype" in names and "content.xml" in names:
        info = archive.getinfo("mimetype")
        if info.file_size <= 100 and archive.read(info).strip() == ODS_MIMETYPE.encode():
            return "ods"
    raise FileRefused(NOT_A_SPREADSHEET)


# The parts that calamine decompresses: the sheets, and the shared strings of an xlsx;
# all the data of an ods is in content.xml.
def _is_data_part(name: str) -> bool:
    return (
        name.startswith("xl/worksheets/")
        or name.endswith("sharedStrings.xml")
        or (name == "content.xml")
    )


def check_zip(fileobj) -> str:
    """Refuse corrupt archives and zip bombs from the central directory, before any
    decompression; then make sure every data part really has its declared size.
    Returns « xlsx » or « ods »."""
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRefused("Le classeur est illisible ou endommagé.") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise FileRefused("Le classeur contient un nombre anormal d'éléments.")
        fmt = _zip_format(archive, {info.filename for info in infos})
        if fmt == "ods" and archive.getinfo("content.xml").file_size > MAX_ODS_CONTENT_BYTES:
            raise FileRefused(
                "Ce classeur LibreOffice (.ods) est trop volumineux : enregistrez-le au "
                "format .xlsx ou découpez-le en plusieurs fichiers."
            )
        total = sum(info.file_size for info in infos)
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 1024 * 1024 and ratio > MAX_ENTRY_RATIO:
                raise FileRefused(
                    "Le classeur est anormalement compressé (bombe de décompression) : "
                    "il est refusé par sécurité."
                )
        if total > MAX_UNCOMPRESSED_BYTES:
            raise FileRefused(
                "Le contenu décompressé du classeur dépasse la taille autorisée : "
                "il est refusé par sécurité."
            )
        try:
            for info in infos:
                if _is_data_part(info.filename):
                    with archive.open(info) as entry:
                        while entry.read(1024 * 1024):
                            pass
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise FileRefused("Le classeur est illisible ou endommagé.") from exc
    return fmt


def _strip_neutralised(value):
    """Undo the rejection file's protection (a quote before = + - @) on re-upload."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_PREFIXES:
        return value[1:]
    return value


@dataclass
class ParsedFile:
    format: str
    header: list
    rows: list[tuple[int, list]]  # (line number in the file, cell values)


@dataclass
class UploadRows:
    """An upload whose header is checked; ``rows`` yields (line number, values) of the
    non-empty rows, lazily, and raises FileRefused if there is none."""

    format: str
    header: list
    estimated_rows: int
    rows: Iterator[tuple[int, list]]


def _data_rows(rows: Iterator[list], missing: tuple[int, ...] = ()) -> Iterator[tuple[int, list]]:
    """``missing``: positions of the optional columns the file lacks (see
    :func:`check_header`), given an empty cell in each row."""
    width = len(FIELDS) - len(missing)
    padding = [""] * width
    count = 0
    for line, values in enumerate(rows, start=2):
        values = values[:width]
        if not any(v.strip() if v.__class__ is str else v is not None for v in values):
            continue
        count += 1
        if count > MAX_DATA_ROWS:
            raise FileRefused(
                f"Le fichier contient plus de {MAX_DATA_ROWS:,} salariés : "
                "découpez-le en plusieurs fichiers.".replace(",", " ")
            )
        if any(v.__class__ is str and v[:1] == "'" for v in values):
            values = [_strip_neutralised(v) for v in values]
        if len(values) < width:
            values = values + padding[len(values) :]
        for position in missing:
            values.insert(position, "")
        yield line, values
    if not count:
        raise FileRefused("Le fichier ne contient aucun salarié (aucune ligne sous l'en-tête).")


def open_xlsx(fileobj) -> UploadRows:
    """Read an xlsx that :func:`check_upload` has accepted: with calamine (fast), or
    row by row when the sheet is large (bounded memory, see ``xlsx_stream``)."""
    fileobj.seek(0)
    try:
        archive = zipfile.ZipFile(fileobj)
        sheet_size = archive.getinfo(first_sheet_path(archive)).file_size
    except (zipfile.BadZipFile, KeyError, ValueError, ET.ParseError) as exc:
        raise FileRefused("Le fichier Excel est illisible ou endommagé.") from exc
    if sheet_size > STREAM_ABOVE_BYTES:
        return _open_xlsx_streaming(archive, estimated_rows=sheet_size // 600)
    return open_with_calamine(fileobj, "xlsx")


_UNREADABLE = {
    "xlsx": "Le fichier Excel est illisible ou endommagé.",
    "ods": "Le classeur LibreOffice (.ods) est illisible ou endommagé.",
    "xls": "Le classeur Excel 97-2003 (.xls) est illisible, endommagé ou protégé par un "
    "mot de passe : enregistrez-le sans mot de passe au format .xlsx.",
}


def open_with_calamine(fileobj, fmt: str) -> UploadRows:
    """The first sheet of an xlsx, ods or xls, read by calamine (the same values for
    the three: text, float, date). An .xls holds 65,536 rows at most and an .ods has
    passed :func:`check_zip`, so the sheet held in memory stays bounded."""
    fileobj.seek(0)
    try:
        workbook = CalamineWorkbook.from_filelike(fileobj)
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.iter_rows()
        header = next(rows, None)
    except Exception as exc:  # calamine raises its own error types for bad files
        raise FileRefused(_UNREADABLE[fmt]) from exc
    if header is None:
        raise FileRefused("Le fichier est vide.")
    missing = check_header(header)
    return UploadRows(fmt, header, max(0, sheet.height - 1), _data_rows(rows, missing))


def _open_xlsx_streaming(archive: zipfile.ZipFile, *, estimated_rows: int) -> UploadRows:
    rows = _streamed(archive)
    header = next(rows, None)
    if header is None:
        raise FileRefused("Le fichier est vide.")
    missing = check_header(header)
    return UploadRows("xlsx", header, estimated_rows, _data_rows(rows, missing))


def _streamed(archive: zipfile.ZipFile) -> Iterator[list]:
    try:
        yield from iter_sheet_rows(archive)
    except (zipfile.BadZipFile, KeyError, ValueError, IndexError, ET.ParseError) as exc:
        raise FileRefused("Le fichier Excel est illisible ou endommagé.") from exc


def decode_csv(data: bytes) -> str:
    """UTF-16 with its BOM (Excel's « Texte Unicode »), UTF-8 (with or without BOM),
    else Windows-1252 as French Excel writes it."""
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileRefused("Le fichier « Texte Unicode » (UTF-16) est endommagé.") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            "L'encodage du fichier CSV n'est pas reconnu : enregistrez-le en « CSV UTF-8 » "
            "ou « CSV (séparateur : point-virgule) »."
        ) from exc


def _csv_rows(reader) -> Iterator[list]:
    try:
        yield from reader
    except csv.Error as exc:
        raise FileRefused(f"Le fichier CSV est mal formé ({exc}).") from exc


def open_csv(data: bytes) -> UploadRows:
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    # « ; » (French Excel), « , » or a tab (« Texte Unicode »): the most frequent in the
    # header, « ; » on a tie.
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = _csv_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header = next(reader, None)
    if header is None:
        raise FileRefused("Le fichier est vide.")
    missing = check_header(header)
    return UploadRows("csv", header, max(0, text.count("\n") - 1), _data_rows(reader, missing))


def check_upload(fileobj, *, size: int) -> str:
    """The whole-file checks, before any parsing: size, type read from the content, and
    for an xlsx or an ods the zip checks (:func:`check_zip`). Returns « xlsx », « ods »,
    « xls » or « csv ».

    They run once per file: at upload (the form), or when the job reads a file that no
    form has checked (command line)."""
    if size > MAX_UPLOAD_BYTES:
        raise FileRefused("Le fichier dépasse la taille maximale autorisée de 20 Mo.")
    if size == 0:
        raise FileRefused("Le fichier est vide.")
    fileobj.seek(0)
    fmt = sniff_format(fileobj.read(8192))
    if fmt == "zip":
        fileobj.seek(0)
        fmt = check_zip(fileobj)
    elif fmt == "xls":
        # Any OLE2 file starts like an .xls (a .doc, an .msg…): refused at upload, not
        # later by the job, unless calamine finds a workbook in it.
        fileobj.seek(0)
        try:
            CalamineWorkbook.from_filelike(fileobj)
        except Exception as exc:  # calamine raises its own error types for bad files
            raise FileRefused(_UNREADABLE["xls"]) from exc
    fileobj.seek(0)
    return fmt


def open_upload(fileobj, *, size: int, checked_format: str = "") -> UploadRows:
    """Open an uploaded file whatever its name says; FileRefused explains a refusal.

    ``checked_format`` is what :func:`check_upload` returned when the file was checked
    at upload: its archive is then not decompressed a second time."""
    fmt = checked_format or check_upload(fileobj, size=size)
    fileobj.seek(0)
    if fmt == "xlsx":
        return open_xlsx(fileobj)
    if fmt in {"ods", "xls"}:
        return open_with_calamine(fileobj, fmt)
    return open_csv(fileobj.read())


def read_upload(fileobj, *, size: int) -> ParsedFile:
    """:func:`open_upload`, all rows read at once (small files, tests)."""
    upload = open_upload(fileobj, size=size)
    return ParsedFile(upload.format, upload.header, list(upload.rows))


def row_as_dict(values: list) -> dict:
    return dict(zip(FIELDS, values, strict=True))


# ---------------------------------------------------------------------------
# Rejection file
# ---------------------------------------------------------------------------


# The rejection file is written in the format received when there is a writer for it:
# an .ods gets an .ods back; an .xls or a .csv gets an .xlsx (every Excel since 2007
# opens it; the .xls format is limited to 65,536 rows and its writers are unmaintained).
REJECTION_FORMATS = {"ods": "ods"}
REJECTION_CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": ODS_MIMETYPE,
}


def rejection_format(upload_format: str) -> str:
    return REJECTION_FORMATS.get(upload_format, "xlsx")


def build_rejection_file(rows: Iterable[tuple[list, str]], *, fmt: str = "xlsx") -> bytes:
    """Same columns as the template plus « Nature de l'erreur »; values as uploaded."""
    write = rejection_ods if fmt == "ods" else rejection_xlsx
    return write(rows, headers=HEADERS, sheet_title="Salariés en erreur")
