"""Two years of realistic reimbursements for the demo family (``seed_demo``), produced
as the Sécurité sociale would send them: one settlement file a month imported through
the import service, then that month's credit transfers generated and marked sent.
The current month stays unpaid (the back office can try the payment batch on it).

Deterministic and idempotent: references are stable per month, so a second run imports
nothing; batches are found again by their execution date.
"""

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from benefits.models import Professional
from benefits.services.payments import payment_batch_generate, payment_batch_mark_sent
from benefits.services.settlements import settlement_import_create, settlement_import_run
from benefits.settlement_files import build_csv
from enrolment.models import Enrolment

PHARMACY = "Pharmacie du Marché, Paris 11e"
CLINIC = "Clinique des Lilas, Paris 20e"
PROFESSIONALS = {
    PHARMACY: ("FR7620041010050012345678924", "PSSTFRPPPAR"),
    CLINIC: ("FR7614505000010800112233435", "CEPAFRPP145"),
}
CENT = Decimal("0.01")


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _act(code, fr, br="0", rate=0, *, pf="0", quantity=1, sector="", tiers=False, pro=""):
    fr, br, pf = _money(fr), _money(br), _money(pf)
    ro = max(Decimal("0"), _money(br * rate / 100) - pf)
    return {
        "code_acte": code,
        "secteur": sector,
        "quantite": quantity,
        "frais_reels": fr,
        "base_remboursement": br,
        "taux_ro": rate,
        "montant_ro": min(ro, fr),
        "participation_forfaitaire": pf if br else Decimal("0"),
        "tiers_payant": tiers,
        "professionnel": pro,
    }


def _month_events(rng: random.Random, month: dt.date) -> list[tuple]:
    """(person key, day of month, act values) for one month of a family's care."""
    events = []
    adult_pf = "2"
    if rng.random() < 0.7:
        events.append(
            (
                "member",
                _act(
                    "CONSULT_GEN", "30", "30", 70, pf=adult_pf, sector="OPTAM", pro="Dr Anne Morel"
                ),
            )
        )
        price = rng.choice(["12.40", "23.57", "8.92"])
        events.append(("member", _act("PHARMACIE", price, price, 65, tiers=True, pro=PHARMACY)))
    if rng.random() < 0.45:
        fees = rng.choice(["60", "80"])
        events.append(
            (
                "spouse",
                _act(
                    "CONSULT_SPE",
                    fees,
                    "30",
                    70,
                    pf=adult_pf,
                    sector="NON_OPTAM",
                    pro="Dr Karim Haddad, cardiologue",
                ),
            )
        )
    for child in ("twin1", "twin2"):
        if rng.random() < 0.45:
            events.append(
                (
                    child,
                    _act(
                        "CONSULT_GEN",
                        "30",
                        "30",
                        70,
                        sector="OPTAM",
                        pro="Dr Lucie Perrin, pédiatre",
                    ),
                )
            )
            events.append((child, _act("PHARMACIE", "9.85", "9.85", 65, tiers=True, pro=PHARMACY)))
    if rng.random() < 0.3:
        events.append(
            (
                "member",
                _act("AUXILIAIRES", "48", "32.25", 60, pro="Cabinet de kinésithérapie Voltaire"),
            )
        )
    if month.month in (3, 9) and rng.random() < 0.8:
        events.append(
            (
                rng.choice(["member", "spouse"]),
                _act("DENTAIRE_SOINS", "56", "40", 70, pro="Dr Paul Chevalier"),
            )
        )
    if month.month in (2, 4, 6, 10, 11):
        events.append(("member", _act("MEDECINES_DOUCES", "60", pro="Julie Roux, ostéopathe")))
    return [(who, rng.randint(1, 27), values) for who, values in events]


# One-off episodes, by months before today: glasses, a hospital stay, orthodontics.
EPISODES = {
    20: [
        ("spouse", _act("HOSP_FRAIS_SEJOUR", "3612", "3612", 100, tiers=True, pro=CLINIC)),
        ("spouse", _act("HOSP_FORFAIT_JOURNALIER", "60", quantity=3, tiers=True, pro=CLINIC)),
        ("spouse", _act("CHAMBRE_PARTICULIERE", "255", quantity=3, pro=CLINIC)),
        (
            "spouse",
            _act(
                "HOSP_HONORAIRES",
                "650",
                "313.50",
                100,
                sector="NON_OPTAM",
                pro="Dr Marc Lefort, chirurgien",
            ),
        ),
    ],
    14: [("member", _act("OPTIQUE_ADULTE", "420", "0.09", 60, pro="Optique Oberkampf"))],
    9: [("twin1", _act("ORTHODONTIE", "720", "193.50", 100, pro="Dr Inès Barre, orthodontiste"))],
    5: [("twin2", _act("OPTIQUE_ENFANT", "180", "12.04", 60, pro="Optique Oberkampf"))],
    3: [("twin1", _act("ORTHODONTIE", "720", "193.50", 100, pro="Dr Inès Barre, orthodontiste"))],
}


def _months_back(today: dt.date, months: int) -> dt.date:
    index = today.year * 12 + today.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def demo_history_seed(*, enrolment: Enrolment, staff, today: dt.date, months: int = 24) -> int:
    """Import ``months`` months of settlements for ``enrolment``'s family; returns the
    number of lines imported by this run."""
    for name, (iban, bic) in PROFESSIONALS.items():
        Professional.objects.get_or_create(name=name, defaults={"iban": iban, "bic": bic})
    employee = enrolment.employee
    people = {"member": (employee.nir, employee.birth_date, "")}
    children = []
    for beneficiary in enrolment.beneficiaries.all():
        nir = employee.nir if beneficiary.attached_to_member_nir else beneficiary.nir
        entry = (nir, beneficiary.birth_date, beneficiary.twin_rank)
        if beneficiary.relationship == "conjoint":
            people["spouse"] = entry
        else:
            children.append(entry)
    for key, entry in zip(("twin1", "twin2"), children, strict=False):
        people[key] = entry
    imported = 0
    for back in range(months, -1, -1):
        month = _months_back(today, back)
        # Not security: a reproducible demo history.
        rng = random.Random(f"{enrolment.member_number}-{month:%Y%m}")  # noqa: S311
        events = _month_events(rng, month)
        events += [(who, rng.randint(1, 27), values) for who, values in EPISODES.get(back, [])]
        rows = []
        for number, (who, day, values) in enumerate(events, start=1):
            care_date = month.replace(day=day)
            if who not in people or care_date > today or care_date < enrolment.effective_date:
                continue
            nir, birth, twin = people[who]
            rows.append(
                {
                    "reference": f"DEMO-{enrolment.member_number}-{month:%Y%m}-{number:02d}",
                    "numero_adherent": enrolment.member_number,
                    "nir_beneficiaire": nir,
                    "date_naissance_beneficiaire": birth,
                    "rang_gemellaire": twin,
                    "date_soins": care_date,
                    **values,
                }
            )
        if not rows:
            continue
        job = settlement_import_create(
            content=build_csv(rows), filename=f"decomptes-{month:%Y-%m}.csv", by=staff
        )
        imported += settlement_import_run(settlement_import=job).imported_count
        if back > 0:
            paid_on = min(_months_back(today, back - 1) + dt.timedelta(days=2), today)
            batch = payment_batch_generate(execution_date=paid_on)
            if batch is not None:
                payment_batch_mark_sent(batch=batch, by=staff)
    return imported
