"""``make bench`` figures of the employer space (issue 3 §9).

BENCHMARKS lists callables returning ``{name: value}``:

- ``bench_import_10k``: ``import_10k_rows_s`` (a generated 10,000-row xlsx through the
  real service: parse, validate, persist, queue invitations) and
  ``import_10k_vs_parse_ratio`` (that time over python-calamine's bare read of the same
  file, measured in the same run).
- ``bench_import_20mb``: ``import_20mb_peak_mb``, the peak resident memory of a fresh
  process importing a generated ~20 MB xlsx (its own SQLite database, so the figure
  includes Python and Django themselves).
- ``bench_rejection_files_10k``: ``import_rejection_xlsx_10k_s`` and
  ``import_rejection_ods_10k_s``, writing a 10,000-row rejection file in each format.

The page figures (collaborateurs / demandes) are appended below by the employer-space
work.
"""

import datetime as dt
import gc
import os
import random
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings

from employer_portal.imports.files import HEADERS

FIRST_NAMES = ["Jérôme", "Hélène", "Camille", "Léa", "Hugo", "Chloé", "Nathan", "Inès", "Louis"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"]
_STREETS = [
    "rue de la République",
    "avenue Jean Jaurès",
    "boulevard Victor Hugo",
    "place du Marché",
]
_CITIES = [("75015", "Paris"), ("69003", "Lyon"), ("13008", "Marseille"), ("20000", "Ajaccio")]


def _nir(n: int, *, sex: str, birth: dt.date) -> str:
    body = f"{sex}{birth.year % 100:02d}{birth.month:02d}75{n % 1000:03d}{(n // 1000) % 1000:03d}"
    return f"{body}{97 - int(body) % 97:02d}"


_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Salariés" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/styles" Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="DD/MM/YYYY"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/></cellXfs></styleSheet>'
    ),
}
_COLUMNS = "ABCDEFGHIJKLMNOPQRST"
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _letters(n: int) -> str:
    text = ""
    while True:
        n, rest = divmod(n, 26)
        text = "abcdefghijklmnopqrstuvwxyz"[rest] + text
        if not n:
            return text


def _word(rng: random.Random) -> str:
    """A pronounceable random word: names and streets as varied as in a real file."""
    return "".join(
        rng.choice("bcdfglmnprstv") + rng.choice("aeiou") for _ in range(2 + rng.randrange(3))
    )


def _cell(ref: str, value) -> str:
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="1"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    if value == "":
        return ""
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def generate_import_xlsx(path: Path, rows: int, *, seed: int = 42) -> None:
    """A valid file of ``rows`` distinct employees (half without e-mail, half with a
    mobile), written as raw SpreadsheetML: openpyxl would take minutes for the 20 MB one."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    hire = dt.date(2025, 9, 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in _XLSX_PARTS.items():
            archive.writestr(name, content)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<sheetData>"
            )
            header = "".join(_cell(f"{c}1", h) for c, h in zip(_COLUMNS, HEADERS, strict=True))
            sheet.write(f'<row r="1">{header}</row>'.encode())
            for n in range(1, rows + 1):
                birth = dt.date(
                    1960 + rng.randrange(40), 1 + rng.randrange(12), 1 + rng.randrange(28)
                )
                sex = "1" if n % 2 else "2"
                first = rng.choice(FIRST_NAMES)
                last = f"{rng.choice(LAST_NAMES)}-{_word(rng)}{_letters(n)}".title()
                code, city = rng.choice(_CITIES)
                email = f"{_word(rng)}.{_letters(n)}@{_word(rng)}.fr" if n % 2 else ""
                building = f"Résidence {_word(rng).title()}" if n % 3 == 0 else ""
                # A mobile on half the rows (with and without e-mail), written as people
                # type it; derived from n, so the other columns stay those of earlier runs.
                phone = f"06 1{n % 8} {n // 10000 % 100:02d} {n // 100 % 100:02d} {n % 100:02d}"
                phone = phone if n % 4 < 2 else ""
                values = [
                    "Monsieur" if sex == "1" else "Madame",
                    last,
                    first,
                    birth,
                    _nir(n, sex=sex, birth=birth),
                    f"01 {rng.randrange(1000):03d} {rng.randrange(10000):04d}",
                    email,
                    phone,
                    "",
                    building,
                    str(1 + rng.randrange(200)),
                    f"{rng.choice(_STREETS)} {_word(rng).title()}",
                    "",
                    code,
                    city,
                    "France",
                    f"M{rng.randrange(10**8):08d}",
                    hire,
                    "Non",
                    hire,
                ]
                line = n + 1
                cells = "".join(
                    _cell(f"{c}{line}", v) for c, v in zip(_COLUMNS, values, strict=True)
                )
                sheet.write(f'<row r="{line}">{cells}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")


def _fixtures(suffix: str):
    from stdnum import luhn

    from mutuelle.enums import ProductLine
    from mutuelle.models import Company, Contract, InsuredGroup

    siren = f"{abs(hash(suffix)) % 10**8:08d}"
    siren += luhn.calc_check_digit(siren)
    siret = siren + "0001" + luhn.calc_check_digit(siren + "0001")
    company = Company.objects.create(
        legal_name=f"Banc d'essai {suffix}", siret=siret, postal_code="75002"
    )
    contract = Contract.objects.create(
        company=company,
        number=f"BENCH-{suffix}",
        product_line=ProductLine.HEALTH,
        start_date=dt.date(2024, 1, 1),
    )
    group = InsuredGroup.objects.create(contract=contract, name="Non-cadres")
    return company, contract, group


def _queue_in_memory() -> None:
    """Invitations are really queued (not run: that is the worker's time, not the
    import's), in an in-memory broker so that no real queue is touched."""
    from mutuelle.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    app.conf.broker_transport_options = {}


def run_import(path: Path, *, company, contract, group) -> "object":
    from django.core.files import File

    from employer_portal.imports.service import import_job_create, import_job_run

    with path.open("rb") as handle:
        job = import_job_create(
            company=company,
            contract=contract,
            group=group,
            upload=File(handle, name=path.name),
            by=None,
        )
    return import_job_run(job=job)


def _timed_read(path: Path) -> float:
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return time.perf_counter() - start


def bench_import_10k() -> dict:
    _queue_in_memory()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "salaries_10k.xlsx"
        generate_import_xlsx(path, 10_000)
        # The bare read in the import's conditions: no automatic garbage collection (the
        # import suspends it), best of three.
        gc.disable()
        try:
            parse_s = min(_timed_read(path) for _ in range(3))
        finally:
            gc.enable()
        company, contract, group = _fixtures("10k")
        start, cpu_start = time.perf_counter(), time.process_time()
        job = run_import(path, company=company, contract=contract, group=group)
        import_s = time.perf_counter() - start
        import_cpu_s = time.process_time() - cpu_start
    if job.valid_count != 10_000:
        raise RuntimeError(f"Benchmark file not fully imported: {job.valid_count} valid")
    # CPU time too: on a shared, busy machine the wall clock mostly measures waiting.
    return {
        "import_10k_rows_s": import_s,
        "import_10k_cpu_s": import_cpu_s,
        "import_10k_vs_parse_ratio": import_s / parse_s,
    }


_CHILD = textwrap.dedent(
    """
    import os, resource, sys
    from pathlib import Path
    import django
    django.setup()
    from django.conf import settings
    # As the main benchmark process: DEBUG off, as in production (with it on, the text
    # of every query is kept, parameters included).
    settings.DEBUG = False
    from benchmarks import employer
    employer._queue_in_memory()
    company, contract, group = employer._fixtures("20mb")
    job = employer.run_import(Path(sys.argv[1]), company=company, contract=contract, group=group)
    # VmHWM: this program's peak. ru_maxrss would keep the parent's size from before
    # the exec (Linux carries it over), the benchmark process itself when it is large.
    try:
        status = Path("/proc/self/status").read_text()
        peak_kb = int(status.split("VmHWM:")[1].split()[0])
    except (OSError, IndexError):
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(job.refusal_reason or job.preview[:1], file=sys.stderr)
    print(job.valid_count, job.error_count, peak_kb)
    """
)


def bench_import_20mb() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "salaries_20mb.xlsx"
        rows = int(os.environ.get("BENCH_20MB_ROWS", "0")) or 175_000
        generate_import_xlsx(path, rows)
        size_mb = path.stat().st_size / (1024 * 1024)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
            "VAR_DIR": folder,
            "PRIVATE_MEDIA_ROOT": str(Path(folder) / "private"),
        }
        # Migrated by another process: the peak is the import's (a worker does not
        # migrate; loading every migration costs more than the import itself).
        subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "migrate", "-v0"],
            env=env,
            cwd=settings.BASE_DIR,
            check=True,
        )
        result = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", _CHILD, str(path)],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
    valid, _errors, peak_kb = (int(x) for x in result.stdout.split()[-3:])
    if valid != rows:
        raise RuntimeError(f"Benchmark file not fully imported ({valid}/{rows}): {result.stderr}")
    return {"import_20mb_file_mb": round(size_mb, 1), "import_20mb_peak_mb": peak_kb / 1024}


# ---------------------------------------------------------------------------
# « Mes collaborateurs » and « Mes demandes » with 10,000 employees
# ---------------------------------------------------------------------------

PAGE_EMPLOYEES = 10_000
PAGE_REQUESTS = 20


def _company_with_employees(count: int):
    """A company with ``count`` employees in every situation, written in bulk."""
    from django.utils import timezone

    from enrolment.enums import REQUEST_STATUS_OF_ENROLMENT, EnrolmentStatus, RequestType
    from enrolment.models import Employee, Enrolment, Request
    from mutuelle.models import CorrespondentAccess, User

    company, contract, group = _fixtures("pages")
    statuses = [
        EnrolmentStatus.ACTIVE,
        EnrolmentStatus.ACTIVE,
        EnrolmentStatus.INVITED,
        EnrolmentStatus.IN_PROGRESS,
        EnrolmentStatus.SIGNED,
        EnrolmentStatus.DISPENSED,
        EnrolmentStatus.PORTABILITY,
        EnrolmentStatus.TERMINATED,
    ]
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    now = timezone.now()
    employees = Employee.objects.bulk_create(
        [
            Employee(
                company=company,
                civility="M" if i % 2 else "MME",
                first_name=rng.choice(FIRST_NAMES),
                last_name=f"{rng.choice(LAST_NAMES)}{i:05d}",
                birth_date=dt.date(1970 + i % 30, 1 + i % 12, 1 + i % 28),
                hire_date=dt.date(2020, 1, 1),
                email=f"salarie{i}@example.fr",
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                employee=employee,
                contract=contract,
                group=group,
                status=statuses[i % len(statuses)],
                effective_date=dt.date(2024, 1, 1),
                invited_at=now,
                expires_at=now + dt.timedelta(days=60),
            )
            for i, employee in enumerate(employees)
        ],
        batch_size=2000,
    )
    Request.objects.bulk_create(
        [
            Request(
                company=company,
                employee=e.employee,
                enrolment=e,
                type=RequestType.AFFILIATION,
                status=REQUEST_STATUS_OF_ENROLMENT[e.status],
            )
            for e in enrolments
        ],
        batch_size=2000,
    )
    user = User.objects.create_user(username="rh-bench", email="rh-bench@example.fr")
    CorrespondentAccess.objects.create(user=user, company=company)
    return company, user


def _measure_page(client, url: str, runs: int = PAGE_REQUESTS) -> tuple[int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up: templates compiled, caches filled
    # The query log is a bounded deque: full after the bulk set-up, it would count 0.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    # Counted now: each request below empties the query log when it starts.
    count = len(queries)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return count, timings[len(timings) // 2]


def bench_list_pages() -> dict:
    """Query counts and median times (20 requests through the test client) of the two
    list pages, first page, with 10,000 employees; also a search and a filter."""
    from django.test import Client
    from django.urls import reverse

    company, user = _company_with_employees(PAGE_EMPLOYEES)
    client = Client()
    client.force_login(user)
    employees = reverse("employer_portal:employees", args=[company.pk])
    requests_url = reverse("employer_portal:requests", args=[company.pk])
    collab_q, collab_ms = _measure_page(client, employees)
    demandes_q, demandes_ms = _measure_page(client, requests_url)
    _, search_ms = _measure_page(client, employees + "?q=martin&status=active")
    _, filter_ms = _measure_page(client, requests_url + "?status=en_attente&type=affiliation")
    return {
        "collaborateurs_page_queries": collab_q,
        "collaborateurs_page_ms": collab_ms,
        "demandes_page_queries": demandes_q,
        "demandes_page_ms": demandes_ms,
        "collaborateurs_search_ms": search_ms,
        "demandes_filtered_ms": filter_ms,
    }


def bench_rejection_files_10k() -> dict:
    """Writing the rejection file of 10,000 refused rows: as .xlsx (openpyxl, write-only)
    and as .ods (the streamed writer used for files received from LibreOffice)."""
    from employer_portal.imports.files import build_rejection_file

    row = [
        "Madame", "Lefèvre", "Chloé", dt.date(1985, 10, 12), "285107510100055", "",
        "chloe@example.fr", "", "", "12", "rue de la Paix", "", "75002", "Paris", "France",
        "M00001", dt.date(2026, 9, 1), "Non", dt.date(2026, 10, 1),
    ]  # fmt: skip
    rows = [(row, "Le numéro de sécurité sociale est invalide.")] * 10_000
    figures = {}
    for fmt in ("xlsx", "ods"):
        start = time.perf_counter()
        build_rejection_file(rows, fmt=fmt)
        figures[f"import_rejection_{fmt}_10k_s"] = time.perf_counter() - start
    return figures


BENCHMARKS = [
    bench_import_10k,
    bench_import_20mb,
    bench_list_pages,
    bench_rejection_files_10k,
]
