"""The demo data declared once: companies' people, guarantees and costs, the demo
employees and the journey each one is taken through by ``seed_demo``."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from stdnum import luhn

from mutuelle.enums import CoverageLevel

DEMO_PASSWORD = "Demo-Mutuelle-2026!"  # noqa: S105 - documented demo login

CORRESPONDENT_BOTH = ("claire.martin@exemple.fr", "cmartin", "Claire", "Martin")
CORRESPONDENT_SECOND = ("hugo.bernard@exemple.fr", "hbernard", "Hugo", "Bernard")
BACK_OFFICE = ("gestion@mutuelle-avenir.exemple.fr", "gestionnaire", "Inès", "Garnier")
MEMBER_EMAIL = "sophie.lefebvre@exemple.fr"

# Employee's monthly share, per insured group: (member, spouse, child) for the base,
# each option and the surcomplémentaire supplement.
BASE_COSTS = {
    "Cadres": (Decimal("28.40"), Decimal("41.20"), Decimal("22.60")),
    "Non-cadres": (Decimal("19.90"), Decimal("38.50"), Decimal("21.10")),
}
LEVEL_SUPPLEMENT = {
    CoverageLevel.BASE: (Decimal("0"), Decimal("0"), Decimal("0")),
    CoverageLevel.BASE_OPT1: (Decimal("11.30"), Decimal("13.80"), Decimal("6.90")),
    CoverageLevel.BASE_OPT2: (Decimal("24.70"), Decimal("29.60"), Decimal("13.40")),
    CoverageLevel.BASE_SUR: (Decimal("8.50"), Decimal("9.90"), Decimal("4.20")),
    CoverageLevel.BASE_OPT1_SUR: (Decimal("19.80"), Decimal("23.70"), Decimal("11.10")),
    CoverageLevel.BASE_OPT2_SUR: (Decimal("33.20"), Decimal("39.50"), Decimal("17.60")),
}
# Guarantee rows: (section, label, value per level index 0 = base, 1 = option 1, 2 = option 2).
GUARANTEES = [
    ("Hospitalisation", "Frais de séjour", ("100 % BR", "150 % BR", "200 % BR")),
    ("Hospitalisation", "Chambre particulière (par jour)", ("45 €", "65 €", "90 €")),
    ("Soins courants", "Consultations généralistes (OPTAM)", ("100 % BR", "150 % BR", "200 % BR")),
    ("Soins courants", "Consultations spécialistes (OPTAM)", ("120 % BR", "170 % BR", "220 % BR")),
    ("Soins courants", "Pharmacie remboursée", ("100 % BR", "100 % BR", "100 % BR")),
    ("Optique", "Équipement 100 % Santé", ("Frais réels", "Frais réels", "Frais réels")),
    ("Optique", "Verres simples + monture", ("150 €", "250 €", "350 €")),
    ("Dentaire", "Prothèses 100 % Santé", ("Frais réels", "Frais réels", "Frais réels")),
    ("Dentaire", "Autres prothèses", ("125 % BR", "250 % BR", "350 % BR")),
    ("Dentaire", "Orthodontie acceptée", ("150 % BR", "250 % BR", "300 % BR")),
    ("Aides auditives", "Équipement 100 % Santé", ("Frais réels", "Frais réels", "Frais réels")),
    ("Aides auditives", "Autres équipements (par oreille)", ("400 €", "700 €", "1 000 €")),
    ("Médecines douces", "Ostéopathie, chiropraxie (par an)", ("—", "120 €", "200 €")),
]
SURCOMPLEMENTAIRE_ROWS = [
    ("Surcomplémentaire", "Dépassements d'honoraires hors OPTAM", "+ 100 % BR"),
    ("Surcomplémentaire", "Chambre particulière (supplément par jour)", "+ 30 €"),
]


def siret_for(siren8: str) -> str:
    siren = siren8 + luhn.calc_check_digit(siren8)
    base = siren + "0001"
    return base + luhn.calc_check_digit(base)


def nir_for(*, sex: str, birth: dt.date, department: str, commune: str, order: int) -> str:
    body = f"{sex}{birth.year % 100:02d}{birth.month:02d}{department}{commune}{order:03d}"
    return f"{body}{97 - int(body) % 97:02d}"


@dataclass
class DemoEmployee:
    key: str
    company: str  # "first" or "second"
    civility: str
    first_name: str
    last_name: str
    birth: dt.date
    target: str
    group: str = "Non-cadres"
    email: str = ""
    # The mobile the employer declares (the signature code goes to it); « » for none:
    # the employee then gives one on the profile step.
    phone: str = ""
    hired_days_ago: int = 40
    order: int = 1

    @property
    def nir(self) -> str:
        return nir_for(
            sex="1" if self.civility == "M" else "2",
            birth=self.birth,
            department="75",
            commune="111",
            order=self.order,
        )


EMPLOYEES = [
    DemoEmployee(
        "sophie",
        "first",
        "MME",
        "Sophie",
        "Lefebvre",
        dt.date(1986, 4, 17),
        "active",
        group="Cadres",
        email=MEMBER_EMAIL,
        # Hired over two years ago: two years of reimbursements to show.
        hired_days_ago=800,
        order=101,
    ),
    DemoEmployee(
        "lucas",
        "first",
        "M",
        "Lucas",
        "Moreau",
        dt.date(1994, 9, 3),
        "invited",
        email="lucas.moreau@exemple.fr",
        phone="06 11 22 33 01",
        hired_days_ago=12,
        order=102,
    ),
    DemoEmployee(
        "emma",
        "first",
        "MME",
        "Emma",
        "Girard",
        dt.date(1998, 2, 25),
        "invited",
        group="Cadres",
        email="emma.girard@exemple.fr",
        hired_days_ago=5,
        order=103,
    ),
    DemoEmployee(
        "hugo",
        "first",
        "M",
        "Théo",
        "Roux",
        dt.date(1990, 11, 8),
        "in_progress",
        email="theo.roux@exemple.fr",
        phone="06 11 22 33 02",
        hired_days_ago=20,
        order=104,
    ),
    DemoEmployee(
        "chloe",
        "first",
        "MME",
        "Chloé",
        "Fournier",
        dt.date(1992, 6, 14),
        "dispensation_requested",
        email="chloe.fournier@exemple.fr",
        hired_days_ago=25,
        order=105,
    ),
    DemoEmployee(
        "thomas",
        "first",
        "M",
        "Thomas",
        "Mercier",
        dt.date(1989, 1, 30),
        "expired",
        email="thomas.mercier@exemple.fr",
        hired_days_ago=90,
        order=106,
    ),
    DemoEmployee(
        "lea",
        "first",
        "MME",
        "Léa",
        "Blanc",
        dt.date(2001, 7, 9),
        "pre_affiliated",
        hired_days_ago=3,
        order=107,
    ),
    DemoEmployee(
        "nathan",
        "second",
        "M",
        "Nathan",
        "Guérin",
        dt.date(1985, 3, 21),
        "signed",
        group="Cadres",
        email="nathan.guerin@exemple.fr",
        phone="07 81 22 33 03",
        hired_days_ago=30,
        order=108,
    ),
    DemoEmployee(
        "manon",
        "second",
        "MME",
        "Manon",
        "Faure",
        dt.date(1991, 12, 2),
        "active",
        email="manon.faure@exemple.fr",
        phone="06 11 22 33 04",
        hired_days_ago=300,
        order=109,
    ),
    DemoEmployee(
        "jules",
        "second",
        "M",
        "Jules",
        "André",
        dt.date(1979, 5, 11),
        "terminated",
        email="jules.andre@exemple.fr",
        hired_days_ago=700,
        order=110,
    ),
    DemoEmployee(
        "camille",
        "second",
        "MME",
        "Camille",
        "Lambert",
        dt.date(1988, 8, 19),
        "portability",
        email="camille.lambert@exemple.fr",
        hired_days_ago=500,
        order=111,
    ),
    DemoEmployee(
        "ines",
        "second",
        "MME",
        "Inès",
        "Rousseau",
        dt.date(1996, 10, 5),
        "cancelled",
        email="ines.rousseau@exemple.fr",
        hired_days_ago=15,
        order=112,
    ),
    DemoEmployee(
        "louis",
        "second",
        "M",
        "Louis",
        "Chevalier",
        dt.date(1999, 4, 27),
        "invited",
        email="louis.chevalier@exemple.fr",
        hired_days_ago=8,
        order=113,
    ),
]


# Members enrolled outside the portal (paper, DSN), without an online account: anyone
# can try « Créer mon espace » with them (the README lists the first one). Loaded
# through ``manage.py import_members``'s service, in its CSV columns' order.
MEMBERS_WITHOUT_ACCOUNT = [
    {
        "member_number": "18004512",
        "company": "first",
        "contract": "CS-2024-00017",
        "group": "Non-cadres",
        "civility": "Madame",
        "last_name": "Lefèvre-Dupré",
        "first_name": "Élise",
        "birth_date": "14/06/1979",
        "nir": "279067511204507",
        "address_number": "27",
        "address_street": "RUE OBERKAMPF",
        "address_building": "",
        "postal_code": "75011",
        "city": "PARIS",
        "effective_date": "01/01/2024",
        "offer": "Base + Option 1",
    },
    {
        "member_number": "18004513",
        "company": "second",
        "contract": "CS-2025-00042",
        "group": "Cadres",
        "civility": "Monsieur",
        "last_name": "Bensaïd",
        "first_name": "Karim",
        "birth_date": "03/11/1986",
        "nir": "186116912308769",
        "address_number": "9",
        "address_street": "QUAI CLAUDE BERNARD",
        "address_building": "",
        "postal_code": "69007",
        "city": "LYON",
        "effective_date": "01/02/2025",
        "offer": "Base",
    },
]
