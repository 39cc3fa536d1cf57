import csv
import datetime as dt
import html
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from employer_portal.imports import service as import_service
from employer_portal.imports.files import (
    ERROR_HEADER,
    HEADERS,
    FileRefused,
    build_template_csv,
    build_template_xlsx,
    read_upload,
)
from employer_portal.models import ImportJob, ImportStatus
from enrolment.enums import EnrolmentStatus
from enrolment.models import Employee, Enrolment, PostalLetter, Request, RequestEvent
from mutuelle.models import OutboxMessage
from tests.enrolment.factories import EmployeeFactory, EnrolmentFactory, make_nir
from tests.mutuelle.factories import (
    ContractFactory,
    CorrespondentAccessFactory,
    InsuredGroupFactory,
)

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return html.unescape(response.content.decode())


def values(n: int = 1, **overrides) -> list:
    """One row in the template's column order."""
    data = {
        "civility": "Monsieur",
        "last_name": f"Martin{chr(65 + n % 26)}",
        "first_name": "Hélène" if overrides.get("civility") == "Madame" else "Jérôme",
        "birth_date": "12/10/1985",
        "nir": make_nir(n),
        "insurance_fund_code": "",
        "email": f"salarie{n}@example.fr",
        "phone": "",
        "address_floor": "",
        "address_building": "",
        "address_number": "",
        "address_street": "",
        "address_locality": "",
        "postal_code": "",
        "city": "",
        "country": "",
        "payroll_id": f"M{n:05d}",
        "hire_date": "01/09/2026",
        "alsace_moselle": "Non",
        "effective_date": "01/10/2026",
    }
    data.update(overrides)
    return list(data.values())


def xlsx_bytes(rows: list[list], headers: list | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers if headers is not None else HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], *, delimiter=";", encoding="utf-8-sig", headers=None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers if headers is not None else HEADERS)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode(encoding)


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Password hashing is not under test here; PBKDF2 would cost seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def setup(client):
    contract = ContractFactory(start_date=dt.date(2024, 1, 1))
    group = InsuredGroupFactory(contract=contract, name="Cadres")
    access = CorrespondentAccessFactory(company=contract.company)
    client.force_login(access.user)
    return contract, group, access.user


def upload(client, contract, group, content: bytes, name="salaries.xlsx", follow=True):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("employer_portal:import_start", args=[contract.company.pk])
    return client.post(
        url, {"group": group.pk, "file": SimpleUploadedFile(name, content)}, follow=follow
    )


# --- Templates ----------------------------------------------------------------------


def test_xlsx_template(client, setup):
    contract, _group, _user = setup
    url = reverse("employer_portal:import_template", args=[contract.company.pk, "xlsx"])
    response = client.get(url)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    assert HEADERS[0] == "Civilité*" and HEADERS[4] == "Numéro de sécurité sociale*"
    assert HEADERS[-1] == "Date d'effet du contrat*" and HEADERS[5] == "Organisme de rattachement"
    assert sheet["A1"].font.bold
    assert sheet["D2"].number_format == "DD/MM/YYYY"
    formulas = sorted(v.formula1 for v in sheet.data_validations.dataValidation)
    assert formulas == ['"M,Mme,Monsieur,Madame"', '"Oui,Non"']
    assert workbook.sheetnames == ["Salariés", "Mode d'emploi"]


def test_csv_template(client, setup):
    contract, _group, _user = setup
    url = reverse("employer_portal:import_template", args=[contract.company.pk, "csv"])
    content = client.get(url).content
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").strip().split(";") == HEADERS


def test_templates_are_accepted_back_empty():
    for content in (build_template_xlsx(), build_template_csv()):
        with pytest.raises(FileRefused, match="aucun salarié"):
            read_upload(io.BytesIO(content), size=len(content))


# --- The journey through the pages ----------------------------------------------------


def test_start_page(client, setup, django_assert_max_num_queries):
    contract, _group, _user = setup
    provident = InsuredGroupFactory(
        contract=ContractFactory(company=contract.company, product_line="prevoyance")
    )
    with django_assert_max_num_queries(8):
        response = client.get(reverse("employer_portal:import_start", args=[contract.company.pk]))
    content = page(response)
    assert "(20,00 Mo restants)" in content
    assert f"Complémentaire santé — Cadres (contrat n° {contract.number})" in content
    # The prévoyance contract's groups are offered too: the group chooses the contract.
    assert f"Prévoyance — {provident.name} (contrat n° {provident.contract.number})" in content
    assert content.count("<option") == 3  # both contracts' groups, plus the empty choice


def test_upload_with_one_bad_row(client, setup, django_capture_on_commit_callbacks):
    contract, group, user = setup
    rows = [
        values(
            1,
            birth_date=dt.datetime(1985, 10, 12),
            nir=" ".join(make_nir(1)[i : i + 3] for i in range(0, 15, 3)),
        ),
        values(
            2,
            civility="mme",
            nir=make_nir(2, sex="2"),
            first_name="Zoé",
            email="",
            address_street="Rue de l'Église",
            postal_code=75015,
            city="Paris",
        ),
        values(3, nir=make_nir(3)[:-2] + "00"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, contract, group, xlsx_bytes(rows))
    content = page(response)
    assert "2 salariés validés" in content
    assert "1 salarié en erreur" in content
    assert "Le numéro de sécurité sociale est invalide" in content
    assert "Télécharger le fichier de rejet" in content and "Terminer" in content
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.DONE and job.valid_count == 2 and job.error_count == 1
    assert Enrolment.objects.filter(contract=contract, group=group).count() == 2
    zoe = Employee.objects.get(first_name="Zoé")
    assert zoe.civility == "MME" and zoe.postal_code == "75015"
    assert Request.objects.filter(created_by=user).count() == 2
    assert "fichier" in RequestEvent.objects.first().label
    assert OutboxMessage.objects.count() == 1  # Zoé has no e-mail: letters by post
    letters = PostalLetter.objects.filter(enrolment__employee=zoe)
    assert letters.count() == 2
    assert not PostalLetter.objects.exclude(enrolment__employee=zoe).exists()

    rejection = client.get(
        reverse("employer_portal:import_rejection", args=[contract.company.pk, job.pk])
    )
    assert rejection.status_code == 200
    # Named with the local (Paris) time shown on screen, not UTC.
    from django.utils import timezone

    local = timezone.localtime(job.created_at)
    assert f"fichier_de_rejet_{local:%Y%m%d_%H%M}.xlsx" in rejection["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(rejection.streaming_content))).active
    table = list(sheet.values)
    assert list(table[0]) == [*HEADERS, ERROR_HEADER]
    assert len(table) == 2
    assert table[1][1] == rows[2][1]
    assert "clé de contrôle" in table[1][-1]

    # Corrected and re-uploaded as is (with its « Nature de l'erreur » column).
    sheet["E2"] = make_nir(3)
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    response = upload(client, contract, group, buffer.getvalue())
    assert "1 salarié validé" in page(response)
    assert Enrolment.objects.count() == 3


def test_summary_page_queries(client, setup, django_assert_max_num_queries):
    contract, group, _user = setup
    upload(client, contract, group, xlsx_bytes([values(n, nir="x") for n in range(60)]))
    job = ImportJob.objects.get()
    assert job.error_count == 60 and len(job.preview) == 50
    with django_assert_max_num_queries(6):
        response = client.get(
            reverse("employer_portal:import_job", args=[contract.company.pk, job.pk])
        )
    assert "50 premières erreurs sur 60" in page(response)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (csv_bytes([values(1), values(2)]), "utf8-bom-semicolon.csv"),
        (csv_bytes([values(1), values(2)], encoding="utf-8"), "utf8-semicolon.csv"),
        (csv_bytes([values(1), values(2)], delimiter=","), "utf8-comma.csv"),
        (csv_bytes([values(1), values(2)], encoding="cp1252"), "excel-windows.csv"),
        (csv_bytes([values(1), values(2)], encoding="cp1252", delimiter=","), "w-comma.csv"),
    ],
)
def test_csv_encodings_and_separators(client, setup, content, name):
    contract, group, _user = setup
    response = upload(client, contract, group, content, name=name)
    assert "2 salariés validés" in page(response)
    assert Employee.objects.filter(first_name="Jérôme").count() == 2


def test_file_named_csv_but_xlsx_is_read_by_content(client, setup):
    contract, group, _user = setup
    response = upload(client, contract, group, xlsx_bytes([values(1)]), name="faux.csv")
    assert "1 salarié validé" in page(response)


# --- Whole-file refusals ---------------------------------------------------------------


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (30 * 1024 * 1024))
    return buffer.getvalue()


def zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("document.txt", "bonjour")
    return buffer.getvalue()


def reordered() -> list:
    headers = list(HEADERS)
    headers[1], headers[2] = headers[2], headers[1]
    return headers


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7 blabla", "ni un classeur (.xlsx, .ods, .xls) ni un fichier CSV"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "ni un classeur (.xlsx, .ods, .xls) ni un fichier CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel 97-2003 (.xls) est illisible"),
        (b"PK\x03\x04" + b"\x00" * 200, "illisible ou endommagé"),
        (zip_without_workbook(), "ni un classeur (.xlsx, .ods, .xls) ni un fichier CSV"),
        (zip_bomb(), "bombe de décompression"),
        (b"", "Le fichier est vide"),
    ],
)
def test_refused_at_upload(client, setup, content, message):
    contract, group, _user = setup
    response = upload(client, contract, group, content, follow=False)
    assert response.status_code == 200
    assert message in page(response)
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("inline", [True, False])
def test_zip_checked_once_per_upload(
    client, setup, monkeypatch, inline, django_capture_on_commit_callbacks
):
    """The form checks the archive; the job (inline or by the worker) does not
    decompress it again before calamine reads it."""
    from employer_portal.imports import files

    contract, group, _user = setup
    calls = []
    check_zip = files.check_zip
    monkeypatch.setattr(files, "check_zip", lambda f: calls.append(1) or check_zip(f))
    if not inline:
        monkeypatch.setattr(import_service, "INLINE_MAX_BYTES", 0)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, contract, group, xlsx_bytes([values(1)]), follow=False)
    assert "1 salarié validé" in page(client.get(response.url))
    assert ImportJob.objects.get().file_format == "xlsx"
    assert len(calls) == 1


def test_command_checks_the_zip_once(setup, tmp_path, monkeypatch, capsys):
    from employer_portal.imports import files

    contract, _group, _user = setup
    calls = []
    check_zip = files.check_zip
    monkeypatch.setattr(files, "check_zip", lambda f: calls.append(1) or check_zip(f))
    path = tmp_path / "salaries.xlsx"
    path.write_bytes(xlsx_bytes([values(1)]))
    call_command("import_affiliations", str(path), contract=contract.number, group="Cadres")
    assert "1 validé(s)" in capsys.readouterr().out
    assert len(calls) == 1


def test_over_20_mb_refused(client, setup):
    contract, group, _user = setup
    content = csv_bytes([values(1)]) + b"\r\n" * (20 * 1024 * 1024)
    response = upload(client, contract, group, content, name="gros.csv", follow=False)
    assert "20 Mo" in page(response)
    assert not Employee.objects.exists()


def renamed() -> list:
    headers = list(HEADERS)
    headers[4] = "NIR"
    return headers


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            xlsx_bytes([values(1)[:-1]], headers=HEADERS[:-1]),
            "Colonnes manquantes : « Date d'effet du contrat* »",
        ),
        (xlsx_bytes([values(1)], headers=renamed()), "Colonnes renommées ou inconnues : « NIR »"),
        (xlsx_bytes([values(1)], headers=reordered()), "la colonne 2 devrait être « Nom* »"),
        (
            xlsx_bytes([[*values(1), "x"]], headers=[*HEADERS, "Commentaire"]),
            "Colonnes non reconnues : « Commentaire »",
        ),
        (xlsx_bytes([]), "aucun salarié"),
        (xlsx_bytes([["", "  ", None]]), "aucun salarié"),
        (csv_bytes([], headers=reordered()), "L'ordre des colonnes a été modifié"),
        (csv_bytes([values(1)]).replace("é".encode(), b"\x81"), "encodage du fichier CSV"),
        (b"", "vide"),
    ],
)
def test_refused_after_reading(client, setup, content, message):
    contract, group, _user = setup
    if not content:
        with pytest.raises(FileRefused, match=message):
            read_upload(io.BytesIO(content), size=0)
        return
    response = upload(client, contract, group, content, follow=False)
    assert message in page(response)
    assert ImportJob.objects.get().status == ImportStatus.REFUSED
    assert not Employee.objects.exists()


def test_header_tolerates_case_and_spaces():
    content = csv_bytes([values(1)], headers=[f" {h.upper()} " for h in HEADERS])
    assert len(read_upload(io.BytesIO(content), size=len(content)).rows) == 1


# --- Row errors ----------------------------------------------------------------------


def test_each_row_error_goes_to_the_rejection_file(client, setup):
    contract, group, _user = setup
    enrolled = EmployeeFactory(company=contract.company, nir=make_nir(9))
    EnrolmentFactory(employee=enrolled, contract=contract, group=group, invited=True)
    rows = [
        values(1, civility="Docteur"),
        values(2, last_name=""),
        values(3, birth_date="31/02/1985"),
        values(4, email="", address_street=""),
        values(5, alsace_moselle="Peut-être"),
        values(6, effective_date="01/12/2023", hire_date="01/06/2023"),
        values(7, postal_code="99999", city="Nulle part", address_street="Rue"),
        values(8, nir=make_nir(8)),
        values(10, nir=make_nir(8)),
        values(9),
        values(11, last_name='=HYPERLINK("http://x")'),
        values(12, civility="Madame"),
    ]
    response = upload(client, contract, group, csv_bytes(rows), name="erreurs.csv")
    assert "0 salarié validé" in page(response)
    job = ImportJob.objects.get()
    with job.rejection_file.open("rb") as handle:
        sheet = load_workbook(handle).active
    errors = [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert errors[0] == "La civilité doit être M, Mme, Monsieur ou Madame."
    assert errors[1] == "Le nom est obligatoire."
    assert "format JJ/MM/AAAA" in errors[2]
    assert "Sans adresse e-mail, le libellé de la voie est obligatoire" in errors[3]
    assert "Oui ou Non" in errors[4]
    assert "début du contrat" in errors[5]
    assert "aucun département" in errors[6]
    assert "aussi ligne 10" in errors[7] and "aussi ligne 9" in errors[8]
    assert "déjà affilié ou en cours d'affiliation" in errors[9]
    assert "lettres" in errors[10]
    assert "civilité" in errors[11]
    # Formula injection neutralised, and undone on re-upload.
    assert sheet.cell(row=12, column=2).value == '\'=HYPERLINK("http://x")'
    assert sheet.cell(row=12, column=2).data_type == "s"
    assert not Employee.objects.exclude(pk=enrolled.pk).exists()


# --- All or nothing, idempotence -------------------------------------------------------


def test_crash_mid_import_persists_nothing(client, setup, monkeypatch):
    contract, group, _user = setup

    from enrolment.services.preaffiliation import create as preaffiliation

    real_insert = preaffiliation.bulk_insert

    def crash_on_history(model, fields, rows, **options):
        # Employees, enrolments and requests are already inserted when this fails.
        if model is RequestEvent:
            raise RuntimeError("disque plein")
        return real_insert(model, fields, rows, **options)

    monkeypatch.setattr(preaffiliation, "bulk_insert", crash_on_history)
    with pytest.raises(RuntimeError):
        upload(client, contract, group, xlsx_bytes([values(1), values(2)]))
    assert not Employee.objects.exists()
    assert not Enrolment.objects.exists() and not Request.objects.exists()
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and "aucun salarié" in job.refusal_reason


def test_same_file_twice_creates_no_duplicate(client, setup):
    contract, group, _user = setup
    content = xlsx_bytes([values(1), values(2)])
    upload(client, contract, group, content)
    response = upload(client, contract, group, content)
    assert "0 salarié validé" in page(response)
    assert "2 salariés en erreur" in page(response)
    assert Employee.objects.count() == 2 and Enrolment.objects.count() == 2


def test_finished_job_is_not_run_again(setup):
    contract, group, _user = setup
    from django.core.files.base import ContentFile

    job = import_service.import_job_create(
        company=contract.company,
        contract=contract,
        group=group,
        upload=ContentFile(xlsx_bytes([values(1)]), name="a.xlsx"),
        by=None,
    )
    import_service.import_job_run(job=job)
    import_service.import_job_run(job=job)
    assert Enrolment.objects.count() == 1


# --- Large files: Celery job and progress page -------------------------------------------


def test_large_file_runs_as_a_job_with_progress(
    client, setup, monkeypatch, django_capture_on_commit_callbacks
):
    contract, group, _user = setup
    monkeypatch.setattr(import_service, "INLINE_MAX_BYTES", 0)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(client, contract, group, xlsx_bytes([values(n) for n in range(1, 6)]))
    assert "Traitement de votre fichier en cours" in page(response)
    job = ImportJob.objects.get()
    status_url = reverse("employer_portal:import_job_status", args=[contract.company.pk, job.pk])
    assert client.get(status_url).json() == {
        "status": "pending",
        "finished": False,
        "percent": 0,
        "processed": 0,
        "total": 0,
    }
    for callback in callbacks:
        callback()
    assert client.get(status_url).json()["finished"] is True
    response = client.get(reverse("employer_portal:import_job", args=[contract.company.pk, job.pk]))
    assert "5 salariés validés" in page(response)


# --- Tenant isolation -----------------------------------------------------------------


def test_other_company_gets_404(client, setup):
    contract, group, _user = setup
    upload(client, contract, group, xlsx_bytes([values(1), values(2, nir="x")]))
    job = ImportJob.objects.get()
    intruder = CorrespondentAccessFactory()
    other_company = intruder.company
    client.logout()
    client.force_login(intruder.user)
    for name in ("import_job", "import_job_status", "import_rejection"):
        assert (
            client.get(
                reverse(f"employer_portal:{name}", args=[contract.company.pk, job.pk])
            ).status_code
            == 404
        )
        assert (
            client.get(
                reverse(f"employer_portal:{name}", args=[other_company.pk, job.pk])
            ).status_code
            == 404
        )
    assert (
        client.get(reverse("employer_portal:import_start", args=[contract.company.pk])).status_code
        == 404
    )
    # A group of another company cannot be chosen.
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("employer_portal:import_start", args=[other_company.pk]),
        {"group": group.pk, "file": SimpleUploadedFile("a.xlsx", xlsx_bytes([values(3)]))},
    )
    assert "Sélectionnez un choix valide" in page(response)
    assert not ImportJob.objects.filter(company=other_company).exists()


def test_anonymous_redirected_to_login(client, setup):
    contract, _group, _user = setup
    client.logout()
    response = client.get(reverse("employer_portal:import_start", args=[contract.company.pk]))
    assert response.status_code == 302 and "login" in response.url


# --- Management command ----------------------------------------------------------------


def test_command(setup, tmp_path, capsys):
    contract, _group, _user = setup
    path = tmp_path / "salaries.csv"
    path.write_bytes(csv_bytes([values(1), values(2), values(3, nir="123")]))
    call_command("import_affiliations", str(path), contract=contract.number, group="Cadres")
    out = capsys.readouterr().out
    assert "2 validé(s), 1 en erreur" in out
    assert "rejet.xlsx" in out
    assert (
        Enrolment.objects.filter(
            status__in=[EnrolmentStatus.PRE_AFFILIATED, EnrolmentStatus.INVITED]
        ).count()
        == 2
    )


def test_command_errors(setup, tmp_path):
    contract, _group, _user = setup
    path = tmp_path / "vide.csv"
    path.write_bytes(csv_bytes([]))
    with pytest.raises(CommandError, match="aucun salarié"):
        call_command("import_affiliations", str(path), contract=contract.number, group="Cadres")
    with pytest.raises(CommandError, match="Groupe « X » introuvable"):
        call_command("import_affiliations", str(path), contract=contract.number, group="X")
    with pytest.raises(CommandError, match="Contrat introuvable"):
        call_command("import_affiliations", str(path), contract="NOPE", group="Cadres")


# --- Large files: bounded memory -------------------------------------------------------


def _rejection_table(client, contract, job) -> list:
    response = client.get(
        reverse("employer_portal:import_rejection", args=[contract.company.pk, job.pk])
    )
    return list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)


def test_streamed_sheet_in_small_chunks_same_outcome(client, setup, monkeypatch):
    """A sheet read row by row (as a large one is), spooled to a file and created in
    rounds of two rows: NIRs given twice refuse both lines, the rejection file is in
    line order."""
    from employer_portal.imports import files

    contract, group, _user = setup
    monkeypatch.setattr(files, "STREAM_ABOVE_BYTES", 0)
    monkeypatch.setattr(import_service, "SPOOL_CHUNK", 2)
    # The first chunk stays in memory, then every chunk goes to the spool's file.
    monkeypatch.setattr(import_service, "SPOOL_IN_MEMORY", 2)
    rows = [values(n) for n in range(1, 8)]
    rows[4] = values(5, nir=make_nir(2))  # line 6 repeats line 3's NIR
    rows[5] = values(6, nir="123")  # line 7: invalid
    response = upload(client, contract, group, xlsx_bytes(rows))
    assert "4 salariés validés" in page(response)
    assert "3 salariés en erreur" in page(response)
    job = ImportJob.objects.get()
    table = _rejection_table(client, contract, job)
    assert [row[1] for row in table[1:]] == [rows[1][1], rows[4][1], rows[5][1]]
    assert "aussi ligne 6" in table[1][-1] and "aussi ligne 3" in table[2][-1]
    assert [p["line"] for p in job.preview] == [3, 6, 7]
    assert Enrolment.objects.filter(contract=contract).count() == 4


def test_employee_declared_meanwhile_is_reported_not_fatal(client, setup, monkeypatch):
    """Between the check and the creation someone else declares one of the employees:
    that row goes to the rejection file, the others are created."""
    contract, group, _user = setup
    EnrolmentFactory(
        contract=contract, employee=EmployeeFactory(company=contract.company, nir=make_nir(2))
    )
    # The first pass does not see it (as if it were declared after that pass).
    monkeypatch.setattr(import_service, "open_nir_hashes", lambda **kwargs: set())
    response = upload(client, contract, group, xlsx_bytes([values(n) for n in range(1, 4)]))
    assert "2 salariés validés" in page(response)
    job = ImportJob.objects.get()
    table = _rejection_table(client, contract, job)
    assert "déjà affilié ou en cours d'affiliation" in table[1][-1]
    assert Enrolment.objects.filter(contract=contract).count() == 3


def test_streamed_reader_gives_calamine_values():
    from python_calamine import CalamineWorkbook

    from employer_portal.imports.xlsx_stream import iter_sheet_rows

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Texte", "Nombre", "Date", "Date et heure", "Booléen", "Vide", "Fin"])
    sheet.append(["Zoé", 75015, dt.date(1985, 10, 12), dt.datetime(2026, 1, 2, 3, 4), True])
    sheet.append([])
    sheet["B4"] = 1.5
    sheet["G4"] = "=1+1"
    sheet["D4"] = 45000
    sheet["D4"].number_format = "DD/MM/YYYY"
    sheet["A5"] = "Ligne 5"
    buffer = io.BytesIO()
    workbook.save(buffer)
    expected = CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue()))
    expected = expected.get_sheet_by_index(0).to_python()
    streamed = list(iter_sheet_rows(zipfile.ZipFile(buffer)))
    width = len(expected[0])
    assert [row + [""] * (width - len(row)) for row in streamed] == expected
