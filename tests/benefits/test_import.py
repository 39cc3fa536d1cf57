import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from benefits.enums import ImportStatus
from benefits.models import ReimbursementLine, SettlementImport
from benefits.services.settlements import settlement_import_create, settlement_import_run
from benefits.settlement_files import COLUMNS, ERROR_COLUMN, build_csv, decode
from enrolment.enums import EnrolmentStatus
from tests.benefits.factories import covered_member, settlement

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return covered_member()


def run(content: bytes) -> SettlementImport:
    job = settlement_import_create(content=content, filename="decomptes.csv")
    return settlement_import_run(settlement_import=job)


def rejection_rows(job) -> list[list[str]]:
    with job.rejection_file.open("rb") as handle:
        text = decode(handle.read())
    return [line.split(";") for line in text.strip().splitlines()]


def test_lines_are_matched_computed_and_recorded(member):
    spouse, child = member.beneficiaries.order_by("relationship")
    rows = [
        settlement(member),
        settlement(
            member,
            spouse,
            code_acte="PHARMACIE",
            secteur="",
            frais_reels=Decimal("12.40"),
            base_remboursement=Decimal("12.40"),
            taux_ro=65,
            montant_ro=Decimal("8.06"),
            participation_forfaitaire=Decimal("0"),
        ),
        settlement(
            member,
            child,
            code_acte="CONSULT_SPE",
            secteur="NON_OPTAM",
            frais_reels=Decimal("80.00"),
            tiers_payant=True,
            professionnel="Dr Petit",
        ),
    ]
    job = run(build_csv(rows))
    assert job.status == ImportStatus.DONE
    assert (job.imported_count, job.rejected_count, job.known_count) == (3, 0, 0)
    lines = {line.reference: line for line in ReimbursementLine.objects.all()}
    member_line = lines[rows[0]["reference"]]
    assert member_line.beneficiary is None
    assert member_line.mutuelle_share == Decimal("9.00")
    assert member_line.out_of_pocket == Decimal("2.00")
    assert lines[rows[1]["reference"]].beneficiary == spouse
    assert lines[rows[1]["reference"]].mutuelle_share == Decimal("4.34")
    child_line = lines[rows[2]["reference"]]
    assert child_line.beneficiary == child
    # Option 1, non-OPTAM specialist: 180 % × 30 = 54 − 21 = 33.
    assert child_line.mutuelle_share == Decimal("33.00")
    assert child_line.guarantee_row.fee_sector == "NON_OPTAM"
    assert child_line.professional.name == "Dr Petit"
    assert child_line.computation["rate"] == "180.00"
    assert job.mutuelle_total == Decimal("46.34")


def test_windows_1252_file_is_read(member):
    content = build_csv([settlement(member, professionnel="Clinique Sainte-Thérèse")])
    job = run(content.decode("utf-8").encode("cp1252"))
    assert job.imported_count == 1
    assert ReimbursementLine.objects.get().professional_name == "Clinique Sainte-Thérèse"


@pytest.mark.parametrize(
    "header",
    [COLUMNS[:-1], [*COLUMNS[1:], COLUMNS[0]], [*COLUMNS, "extra"], [c.upper() for c in COLUMNS]],
)
def test_file_with_another_header_is_refused_whole(member, header):
    body = build_csv([settlement(member)]).decode().splitlines()[1]
    job = run((";".join(header) + "\r\n" + body + "\r\n").encode())
    assert job.status == ImportStatus.REFUSED
    assert "exactement ces colonnes" in job.refusal_reason
    assert not ReimbursementLine.objects.exists()


def refusal_cases(member):
    _spouse, child = member.beneficiaries.order_by("relationship")
    other = covered_member()
    return {
        "unknown member": (
            settlement(member, numero_adherent="99999999"),
            "Numéro d'adhérent inconnu",
        ),
        "nir of somebody else": (
            settlement(member, nir_beneficiaire=other.employee.nir),
            "Aucun bénéficiaire",
        ),
        "birth date differs": (
            settlement(member, date_naissance_beneficiaire=dt.date(1985, 10, 13)),
            "Aucun bénéficiaire",
        ),
        "twin rank differs": (settlement(member, child, rang_gemellaire=2), "Aucun bénéficiaire"),
        "before cover": (settlement(member, date_soins=dt.date(2024, 2, 28)), "pas couvert"),
        "act not in grid": (settlement(member, code_acte="ACUPUNCTURE"), "absent du tableau"),
        "negative amount": (settlement(member, frais_reels="-30,00"), "montant négatif"),
        "ro above fr": (settlement(member, montant_ro=Decimal("31.00")), "dépasse les frais réels"),
        "bad date": (settlement(member, date_soins="2026-03-12"), "JJ/MM/AAAA"),
        "dot decimal": (settlement(member, frais_reels="30.00"), "virgule"),
        "bad sector": (settlement(member, secteur="S2"), "secteur"),
        "bad rate": (settlement(member, taux_ro="70,5"), "taux_ro"),
        "tiers payant without professional": (
            settlement(member, tiers_payant=True, professionnel=""),
            "professionnel",
        ),
        "missing value": (settlement(member, nir_beneficiaire=""), "Valeur manquante"),
        "future care": (settlement(member, date_soins=dt.date(2099, 1, 1)), "futur"),
    }


def test_every_refusal_goes_to_the_rejection_file_and_valid_lines_are_imported(member):
    cases = refusal_cases(member)
    good = settlement(member)
    job = run(build_csv([good, *(row for row, _ in cases.values())]))
    assert (job.imported_count, job.rejected_count) == (1, len(cases))
    assert list(ReimbursementLine.objects.values_list("reference", flat=True)) == [
        good["reference"]
    ]
    rows = rejection_rows(job)
    assert rows[0] == [*COLUMNS, ERROR_COLUMN]
    by_reference = {row[0]: row[-1] for row in rows[1:]}
    for name, (row, message) in cases.items():
        assert message in by_reference[row["reference"]], name
    # The rejected rows keep their values as uploaded.
    assert rows[1][: len(COLUMNS)] != []


def test_terminated_member_is_covered_until_the_end_date(member):
    member.status = EnrolmentStatus.TERMINATED
    member.end_date = dt.date(2026, 3, 10)
    member.save()
    job = run(build_csv([settlement(member, date_soins=dt.date(2026, 3, 10)), settlement(member)]))
    assert (job.imported_count, job.rejected_count) == (1, 1)


def test_same_file_twice_changes_nothing(member, capsys):
    content = build_csv([settlement(member), settlement(member, code_acte="PHARMACIE", secteur="")])
    first = run(content)
    assert first.imported_count == 2
    before = list(ReimbursementLine.objects.values_list("pk", "mutuelle_share"))
    second = run(content)
    assert (second.imported_count, second.rejected_count, second.known_count) == (0, 0, 2)
    assert list(ReimbursementLine.objects.values_list("pk", "mutuelle_share")) == before


def test_duplicate_reference_inside_the_file_is_rejected(member):
    row = settlement(member)
    job = run(build_csv([row, dict(row)]))
    assert (job.imported_count, job.rejected_count) == (1, 1)
    assert "plus haut dans le fichier" in rejection_rows(job)[1][-1]


def test_all_or_nothing_when_recording_fails(member, monkeypatch):
    from benefits.services import settlements

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(settlements, "_professionals", explode)
    with pytest.raises(RuntimeError):
        run(build_csv([settlement(member), settlement(member, tiers_payant=True)]))
    assert not ReimbursementLine.objects.exists()
    assert SettlementImport.objects.get().status == ImportStatus.RUNNING


def test_allowances_are_consumed_across_files_in_care_order(member):
    soft = {
        "code_acte": "MEDECINES_DOUCES",
        "secteur": "",
        "frais_reels": Decimal("60.00"),
        "base_remboursement": Decimal("0"),
        "taux_ro": 0,
        "montant_ro": Decimal("0"),
        "participation_forfaitaire": Decimal("0"),
    }
    days = [dt.date(2026, 1, 5), dt.date(2026, 2, 5), dt.date(2026, 3, 5)]
    run(build_csv([settlement(member, date_soins=day, **soft) for day in days]))
    job = run(
        build_csv(
            [
                settlement(member, date_soins=dt.date(2026, 3, 9), **soft),
                settlement(member, date_soins=dt.date(2026, 3, 10), **soft),
            ]
        )
    )
    shares = list(
        ReimbursementLine.objects.order_by("care_date").values_list("mutuelle_share", flat=True)
    )
    # Option 1: 40 € a session, 4 sessions a calendar year.
    assert shares == [Decimal("40.00")] * 4 + [Decimal("0.00")]
    assert job.mutuelle_total == Decimal("40.00")
    last = ReimbursementLine.objects.order_by("care_date").last()
    assert last.computation["count_left"] == 0


def test_command_prints_the_exact_summary_and_rejection_path(member, tmp_path, capsys):
    path = tmp_path / "decomptes.csv"
    path.write_bytes(build_csv([settlement(member), settlement(member, numero_adherent="1")]))
    call_command("import_ss_settlements", str(path))
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "1 ligne(s) importée(s), 1 rejetée(s), 0 déjà connue(s) ; remboursement mutuelle : 9,00 €"
    )
    assert out[1].startswith("Fichier de rejet (stockage privé) : ") and out[1].endswith(
        "rejet.csv"
    )
    call_command("import_ss_settlements", str(path))
    assert capsys.readouterr().out.startswith(
        "0 ligne(s) importée(s), 1 rejetée(s), 1 déjà connue(s) ; remboursement mutuelle : 0,00 €"
    )
    with pytest.raises(CommandError, match="Fichier refusé"):
        bad = tmp_path / "bad.csv"
        bad.write_bytes(b"a;b\r\n1;2\r\n")
        call_command("import_ss_settlements", str(bad))
