import datetime as dt
from decimal import Decimal

from benefits.settlement_files import build_csv
from demo.grids import demo_grid_seed
from enrolment.enums import EnrolmentStatus
from tests.enrolment.factories import EnrolmentFactory

CARE_DATE = dt.date(2026, 3, 12)


def covered_member(**kwargs):
    """An active member (Base + Option 1, demo grid) with a spouse and a child attached
    to the member's NIR, and a benefits account."""
    enrolment = EnrolmentFactory(ready_to_sign=True, **kwargs)
    enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.save(update_fields=["status"])
    demo_grid_seed(offer=enrolment.offer)
    return enrolment


_counter = iter(range(1, 10**9))


def settlement(enrolment, person=None, **values) -> dict:
    """A settlement row for ``person`` (a Beneficiary, or the member when None): a GP
    consultation at 30 € by default."""
    employee = enrolment.employee
    if person is None:
        nir, birth, twin = employee.nir, employee.birth_date, ""
    else:
        nir = employee.nir if person.attached_to_member_nir else person.nir
        birth, twin = person.birth_date, person.twin_rank
    row = {
        "reference": f"SS-{next(_counter):08d}",
        "numero_adherent": enrolment.member_number,
        "nir_beneficiaire": nir,
        "date_naissance_beneficiaire": birth,
        "rang_gemellaire": twin,
        "date_soins": CARE_DATE,
        "code_acte": "CONSULT_GEN",
        "secteur": "OPTAM",
        "quantite": 1,
        "frais_reels": Decimal("30.00"),
        "base_remboursement": Decimal("30.00"),
        "taux_ro": 70,
        "montant_ro": Decimal("19.00"),
        "participation_forfaitaire": Decimal("2.00"),
        "tiers_payant": False,
        "professionnel": "Dr Anne Morel",
    }
    row.update(values)
    return row


def settlement_file(rows) -> bytes:
    return build_csv(rows)
