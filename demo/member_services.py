"""Demo data of « Mes services » and « Contact & aide »: agencies, partner health
professionals, and one answered conversation of the demo member. Idempotent."""

from conversations.enums import Topic
from conversations.services import conversation_answer, conversation_open
from directory.enums import Specialty
from directory.models import Agency, PartnerProfessional
from enrolment.enums import COVERED_STATES
from enrolment.models import Enrolment
from mutuelle.enums import ProductLine

HOURS = "Lundi au vendredi : 9 h – 12 h 30 et 13 h 30 – 18 h\nSamedi : 9 h – 12 h"

AGENCIES = [
    ("Agence Paris Bastille", "18", "RUE DE LA ROQUETTE", "75011", "Paris", "+33143550101"),
    ("Agence Lyon Part-Dieu", "27", "RUE SERVIENT", "69003", "Lyon", "+33478620202"),
    ("Agence Lille Centre", "5", "RUE FAIDHERBE", "59000", "Lille", "+33320550303"),
    ("Agence Ajaccio", "2", "COURS NAPOLEON", "20000", "Ajaccio", "+33495210404"),
]
PARTNERS = [
    ("Optique Oberkampf", Specialty.OPTICIAN, "41", "RUE OBERKAMPF", "75011", "Paris"),
    ("Audition Voltaire", Specialty.HEARING, "112", "BOULEVARD VOLTAIRE", "75011", "Paris"),
    ("Cabinet dentaire des Lilas", Specialty.DENTIST, "9", "RUE DES LILAS", "75019", "Paris"),
    (
        "Ostéopathie Croix-Rousse",
        Specialty.OSTEOPATH,
        "3",
        "PLACE DE LA CROIX ROUSSE",
        "69004",
        "Lyon",
    ),
    ("Optique Grand Place", Specialty.OPTICIAN, "14", "RUE NEUVE", "59000", "Lille"),
]
BENEFITS = {
    Specialty.OPTICIAN: "Tiers payant, 15 % de remise sur les montures hors 100 % Santé",
    Specialty.HEARING: "Tiers payant, essai gratuit de 30 jours",
    Specialty.DENTIST: "Tiers payant, devis transmis à la mutuelle sous 48 h",
    Specialty.OSTEOPATH: "Tarif négocié de 55 € la séance",
}


def seed_directory() -> None:
    for name, number, street, code, city, phone in AGENCIES:
        Agency.objects.get_or_create(
            name=name,
            defaults={
                "address_number": number,
                "address_street": street,
                "postal_code": code,
                "city": city,
                "phone": phone,
                "opening_hours": HOURS,
            },
        )
    for name, specialty, number, street, code, city in PARTNERS:
        PartnerProfessional.objects.get_or_create(
            name=name,
            defaults={
                "specialty": specialty,
                "address_number": number,
                "address_street": street,
                "postal_code": code,
                "city": city,
                "opening_hours": HOURS,
                "network_benefits": BENEFITS.get(specialty, ""),
            },
        )


def seed_member_conversation(*, member_email: str, advisor) -> None:
    """The demo member asked about her card and an advisor answered (through the
    services, so the outbox holds the « une réponse vous attend » e-mail)."""
    enrolment = (
        Enrolment.objects.filter(
            employee__user__email=member_email,
            status__in=COVERED_STATES,
            contract__product_line=ProductLine.HEALTH,
        )
        .select_related("employee__user")
        .first()
    )
    if enrolment is None or enrolment.conversations.exists():
        return
    conversation = conversation_open(
        enrolment=enrolment,
        by=enrolment.employee.user,
        topic=Topic.CARD,
        subject="Carte pour l'opticien",
        body="Bonjour, mon opticien me demande ma carte de tiers payant : où la trouver ?",
        submission_key="demo-card-question",
    )
    conversation_answer(
        conversation=conversation,
        by=advisor,
        body="Bonjour, votre carte est dans « Mon contrat », bouton « Afficher ma carte "
        "mutualiste » : vous pouvez la montrer à l'écran ou la télécharger en PDF.",
    )
