import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from enrolment.enums import BankAccountPurpose, PhoneSource, Relationship
from enrolment.models import BankAccount, Beneficiary, SignatureAttempt
from enrolment.services import wizard
from mutuelle.models import OutboxMessage
from tests.enrolment.factories import make_nir
from tests.enrolment.signing import last_sms_code
from tests.mutuelle.factories import PASSWORD

from .helpers import add_offers, in_progress_enrolment, url

pytestmark = pytest.mark.django_db

IBAN_OK = "FR7630006000011234567890189"
BIC_OK = "AGRIFRPP"
IBAN_OK_2 = "FR1420041010050500013M02606"
BIC_OK_2 = "PSSTFRPPPAR"


@pytest.fixture
def member(client):
    # The employer declared this mobile: keeping it on the profile step needs no code.
    enrolment, user = in_progress_enrolment(wizard_step="profile", employee__phone="+33612345678")
    client.login(username=user.username, password=PASSWORD)
    return enrolment


def profile_data(enrolment, **overrides):
    e = enrolment.employee
    data = {
        "civility": "M",
        "last_name": e.last_name,
        "first_name": "Paul",
        "birth_date": "1985-10-12",
        "family_status": "marie",
        "address_number": "5",
        "address_street": "RUE DES ECOLES",
        "address_building": "",
        "postal_code": "75005",
        "city": "PARIS",
        "country": "FRANCE",
        "phone": "06 12 34 56 78",
        "teletransmission": "on",
        "nir": e.nir,
        "insurance_fund_code": "01 751 0000",
        "alsace_moselle": "non",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def child_data(**overrides):
    data = {
        "relationship": "enfant",
        "civility": "MME",
        "last_name": "Durand",
        "first_name": "Lou",
        "birth_date": "2015-06-01",
        "twin_rank": "1",
        "same_address": "on",
        "teletransmission": "on",
        "attached_to_member_nir": "member",
        "alsace_moselle": "non",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_welcome_then_start(client):
    enrolment, user = in_progress_enrolment(wizard_step="")
    client.login(username=user.username, password=PASSWORD)
    response = client.get(url("home"))
    assert response.url == url("welcome")
    page = client.get(url("welcome")).content.decode()
    assert "Bienvenue dans votre espace adhérent !" in page
    assert "Commencer" in page
    assert "Mes coordonnées bancaires" in page
    # Steps ahead are not reachable yet.
    assert client.get(url("wizard_bank")).url == url("welcome")
    assert client.post(url("welcome")).url == url("wizard_profile")
    enrolment.refresh_from_db()
    assert enrolment.wizard_step == "profile"


def test_welcome_dispensation_choice_only_when_enabled(client):
    enrolment, user = in_progress_enrolment(wizard_step="")
    # The enrolment factory derives the contract from the group: set the flag on it.
    enrolment.contract.dispensation_enabled = True
    enrolment.contract.save(update_fields=["dispensation_enabled"])
    client.login(username=user.username, password=PASSWORD)
    page = client.get(url("welcome")).content.decode()
    assert reverse("member_portal:dispensation_start") + "?adhesion=" in page


def test_welcome_no_dispensation_choice_when_disabled(client):
    enrolment, user = in_progress_enrolment(wizard_step="")
    enrolment.contract.dispensation_enabled = False
    enrolment.contract.save(update_fields=["dispensation_enabled"])
    client.login(username=user.username, password=PASSWORD)
    page = client.get(url("welcome")).content.decode()
    assert reverse("member_portal:dispensation_start") + "?adhesion=" not in page


def test_profile_prefilled_and_saved(client, member):
    page = client.get(url("wizard_profile")).content.decode()
    assert "RUE DES ECOLES" in page
    assert "Mon profil" in page and "Signature électronique" in page
    response = client.post(url("wizard_profile"), profile_data(member))
    assert response.url == url("wizard_beneficiaries")
    member.refresh_from_db()
    assert member.wizard_step == "beneficiaries"
    assert member.employee.family_status == "marie"
    assert str(member.employee.phone) == "+33612345678"


def test_new_mobile_on_the_profile_step_is_confirmed_by_a_code(
    client, member, django_capture_on_commit_callbacks
):
    refused = client.post(url("wizard_profile"), profile_data(member, phone="01 45 00 00 00"))
    assert "commençant par 06 ou 07" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("wizard_profile") + "?retour=recap", profile_data(member, phone="07 81 22 33 44")
        )
    attempt = SignatureAttempt.objects.get(subject="telephone-profil:+33781223344")
    code_url = url("wizard_profile_phone", attempt.pk) + "?retour=recap"
    assert response.url == code_url
    assert OutboxMessage.objects.get(channel="sms").recipient == "+33781223344"
    member.employee.refresh_from_db()
    # The rest of the profile is saved; the number waits for its code.
    assert member.employee.family_status == "marie"
    assert member.employee.phone == "+33612345678"
    page = client.get(code_url)
    assert "07 •• •• •• 44" in page.content.decode()
    assert page.context["stepper"][0]["current"] is True
    wrong = f"{(int(last_sms_code()) + 1) % 1_000_000:06d}"
    response = client.post(code_url, {"action": "verify", "code": wrong})
    assert "Il vous reste 4 essais" in response.content.decode()
    # Another employee cannot reach this code page.
    _other, other_user = in_progress_enrolment(wizard_step="profile")
    client.force_login(other_user)
    assert client.get(code_url).status_code == 404
    client.force_login(member.employee.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(code_url, {"action": "verify", "code": last_sms_code()})
    # Not yet at the recap: back to the next step.
    assert response.url == url("wizard_beneficiaries")
    member.employee.refresh_from_db()
    assert member.employee.phone == "+33781223344"
    assert member.employee.phone_source == PhoneSource.PROFILE
    assert member.employee.phone_confirmed_at is not None


def test_profile_soft_check_lists_missing_then_continue(client, member):
    data = profile_data(member, family_status="", phone="")
    response = client.post(url("wizard_profile"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Les champs suivants ont été mal renseignés" in body
    assert "Champ « situation familiale » non renseigné" in body
    assert "Champ « téléphone » non renseigné" in body
    assert "Souhaitez-vous continuer ?" in body
    member.refresh_from_db()
    assert member.wizard_step == "profile"  # nothing saved yet
    response = client.post(url("wizard_profile"), {**data, "confirmer": "1"})
    assert response.url == url("wizard_beneficiaries")


def test_profile_hard_errors_next_to_fields(client, member):
    response = client.post(
        url("wizard_profile"),
        profile_data(member, postal_code="7500", nir=make_nir(5, sex="2"), city="LYONVILLE"),
    )
    body = response.content.decode()
    assert "Le code postal doit comporter 5 chiffres." in body
    assert "ne correspond pas à la civilité" in body
    assert "LYONVILLE" in body  # what was typed is kept
    member.refresh_from_db()
    assert member.employee.city == "PARIS"


@pytest.mark.parametrize("soft_empty", [False, True])
def test_profile_wrong_nir_key_and_fund_code_are_field_errors(client, member, soft_empty):
    """A wrong NIR key used to crash the page (HTTP 500), with or without the soft check's
    « Oui, continuer »; a fund code of letters was accepted."""
    nir = member.employee.nir
    wrong_key = nir[:13] + f"{(int(nir[13:]) + 1) % 97:02d}"
    data = profile_data(member, nir=wrong_key, insurance_fund_code="abc")
    if soft_empty:
        data = {**data, "family_status": "", "phone": "", "confirmer": "1"}
    response = client.post(url("wizard_profile"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "clé de contrôle incorrecte" in body
    assert "code de 2 à 9 chiffres" in body
    member.refresh_from_db()
    assert member.wizard_step == "profile"


def test_beneficiary_fund_code_checked_like_the_profile(client, member):
    _at(member, "beneficiaries")
    response = client.post(
        url("wizard_beneficiary_add"),
        child_data(teletransmission="on", insurance_fund_code="caisse"),
    )
    assert "code de 2 à 9 chiffres" in response.content.decode()


def _at(enrolment, step):
    enrolment.wizard_step = step
    enrolment.save(update_fields=["wizard_step"])


def test_add_edit_remove_beneficiary(client, member):
    _at(member, "beneficiaries")
    page = client.get(url("wizard_beneficiaries")).content.decode()
    assert "Poursuivre sans bénéficiaire" in page
    response = client.post(url("wizard_beneficiary_add"), child_data())
    assert response.url == url("wizard_beneficiaries")
    child = Beneficiary.objects.get()
    assert child.attached_to_member_nir and child.nir == ""
    assert child.city == "PARIS"  # same address as the member
    response = client.post(
        url("wizard_beneficiary_edit", child.pk), child_data(first_name="Louise")
    )
    child.refresh_from_db()
    assert child.first_name == "Louise"
    # « Retirer » asks first: the GET only shows the confirmation.
    confirmation = client.get(url("wizard_beneficiary_remove", child.pk)).content.decode()
    assert "Retirer Louise Durand de mes bénéficiaires ?" in confirmation
    assert Beneficiary.objects.exists()
    client.post(url("wizard_beneficiary_remove", child.pk))
    assert not Beneficiary.objects.exists()
    assert client.post(url("wizard_beneficiaries")).url == url("wizard_offers")


def test_only_one_spouse(client, member):
    _at(member, "beneficiaries")
    spouse = {
        "relationship": "conjoint",
        "spouse_kind": "pacse",
        "civility": "MME",
        "last_name": "Martin",
        "first_name": "Claire",
        "birth_date": "1987-04-02",
        "same_address": "on",
        "teletransmission": "on",
        "attached_to_member_nir": "own",
        "nir": make_nir(77, sex="2", year=87, month=4),
        "alsace_moselle": "non",
    }
    assert client.post(url("wizard_beneficiary_add"), spouse).status_code == 302
    response = client.post(
        url("wizard_beneficiary_add"), {**spouse, "nir": make_nir(78, sex="2", year=87, month=4)}
    )
    assert "un seul est possible" in response.content.decode()
    assert Beneficiary.objects.filter(relationship=Relationship.SPOUSE).count() == 1
    no_kind = client.post(url("wizard_beneficiary_add"), {**spouse, "spouse_kind": ""})
    assert "marié(e), pacsé(e) ou concubin(e)" in no_kind.content.decode()


def test_spouse_cannot_be_attached_to_member_nir(client, member):
    _at(member, "beneficiaries")
    response = client.post(
        url("wizard_beneficiary_add"),
        {
            **child_data(),
            "relationship": "conjoint",
            "spouse_kind": "marie",
            "birth_date": "1987-04-02",
        },
    )
    assert "Seul un enfant peut être rattaché" in response.content.decode()


def test_twins_need_distinct_ranks(client, member):
    _at(member, "beneficiaries")
    client.post(url("wizard_beneficiary_add"), child_data(first_name="Léa"))
    same_rank = client.post(url("wizard_beneficiary_add"), child_data(first_name="Léo"))
    assert "rangs différents" in same_rank.content.decode()
    ok = client.post(url("wizard_beneficiary_add"), child_data(first_name="Léo", twin_rank="2"))
    assert ok.status_code == 302
    assert sorted(Beneficiary.objects.values_list("twin_rank", flat=True)) == [1, 2]


@pytest.mark.parametrize(
    ("birth_date", "student", "accepted"),
    [
        ("2003-03-02", False, True),  # 20 at the effective date 01/03/2024
        ("2003-03-01", False, False),  # 21 that very day: over the limit
        ("2003-03-01", True, True),  # student extension
        ("1998-03-02", True, True),  # 25
        ("1998-03-01", True, False),  # 26: over the student limit
    ],
)
def test_child_age_limits_at_effective_date(client, member, birth_date, student, accepted):
    _at(member, "beneficiaries")
    data = child_data(birth_date=birth_date, is_student_or_apprentice="on" if student else None)
    response = client.post(url("wizard_beneficiary_add"), data)
    assert (response.status_code == 302) is accepted
    if not accepted:
        assert "à la date d&#x27;effet (01/03/2024)" in response.content.decode()


def test_beneficiary_own_nir_checked(client, member):
    _at(member, "beneficiaries")
    response = client.post(
        url("wizard_beneficiary_add"),
        child_data(attached_to_member_nir="own", nir="1 85 10 75 001 001 00"),
    )
    assert "clé de contrôle incorrecte" in response.content.decode()
    response = client.post(url("wizard_beneficiary_add"), child_data(attached_to_member_nir="own"))
    assert "rattachez" in response.content.decode()


def test_offers_cards_costs_in_french_and_choice(client, member):
    _at(member, "offers")
    _base, option = add_offers(member)
    option.guarantee_table.save("t.pdf", ContentFile(b"%PDF-1.4 garanties"))
    Beneficiary.objects.create(
        enrolment=member,
        relationship=Relationship.CHILD,
        civility="MME",
        first_name="Lou",
        last_name="Durand",
        birth_date=dt.date(2015, 6, 1),
    )
    page = client.get(url("wizard_offers")).content.decode()
    assert "01/03/2024" in page
    assert "1\u00a0249,76\u00a0€" in page  # 1 234,56 + one child at 15,20
    assert "0,00\u00a0€" in page or "15,20\u00a0€" in page
    response = client.get(url("guarantee_table", option.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.post(url("wizard_offers"), {}).status_code == 200
    assert client.post(url("wizard_offers"), {"offer": option.pk}).url == url("wizard_bank")
    member.refresh_from_db()
    assert member.offer == option


def test_offer_of_another_group_refused(client, member):
    _at(member, "offers")
    add_offers(member)
    other, _ = in_progress_enrolment()
    foreign, _ = add_offers(other)
    response = client.post(url("wizard_offers"), {"offer": foreign.pk})
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.offer is None
    assert client.get(url("guarantee_table", foreign.pk)).status_code == 404


def _bank_data(**overrides):
    data = {
        "prestations-holder": "Paul Durand",
        "prestations-iban": "FR76 3000 6000 0112 3456 7890 189",
        "prestations-bic": "agrifrpp",
        "prelevement-same_as_benefits": "on",
        "prelevement-debit_frequency": "mensuelle",
        "prelevement-debit_day": "10",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _with_offer(member, paid=True):
    _at(member, "bank")
    base, option = add_offers(member)
    member.offer = option if paid else base
    member.save()


def test_bank_with_debit_same_rib(client, member):
    _with_offer(member)
    page = client.get(url("wizard_bank")).content.decode()
    assert "RIB identique pour les prélèvements" in page
    response = client.post(url("wizard_bank"), _bank_data())
    assert response.url == url("wizard_recap")
    member.refresh_from_db()
    assert member.debit_frequency == "mensuelle" and member.debit_day == 10
    assert member.sepa_mandate_reference.startswith("RUM-")
    accounts = {a.purpose: a for a in BankAccount.objects.filter(enrolment=member)}
    assert accounts[BankAccountPurpose.BENEFITS].iban == IBAN_OK
    assert accounts[BankAccountPurpose.CONTRIBUTIONS].iban == IBAN_OK
    reference = member.sepa_mandate_reference
    client.post(url("wizard_bank"), _bank_data())
    member.refresh_from_db()
    assert member.sepa_mandate_reference == reference  # created once


def test_bank_second_rib_and_beneficiary_rib(client, member):
    _with_offer(member)
    child = Beneficiary.objects.create(
        enrolment=member,
        relationship=Relationship.CHILD,
        civility="MME",
        first_name="Lou",
        last_name="Durand",
        birth_date=dt.date(2015, 6, 1),
    )
    data = _bank_data(
        **{
            "prelevement-same_as_benefits": None,
            "rib-prelevement-holder": "Paul Durand",
            "rib-prelevement-iban": IBAN_OK_2,
            "rib-prelevement-bic": BIC_OK_2,
            f"ben{child.pk}-own_rib": "on",
            f"ben{child.pk}-rib-holder": "Lou Durand",
            f"ben{child.pk}-rib-iban": "DE89370400440532013000",
            f"ben{child.pk}-rib-bic": "COBADEFFXXX",
        }
    )
    assert client.post(url("wizard_bank"), data).url == url("wizard_recap")
    assert BankAccount.objects.get(purpose="cotisations").iban == IBAN_OK_2
    assert BankAccount.objects.get(beneficiary=child).bic == "COBADEFFXXX"


def test_no_debit_part_when_nothing_is_debited(client, member):
    _with_offer(member, paid=False)
    page = client.get(url("wizard_bank")).content.decode()
    assert "Fréquence de prélèvement" not in page
    response = client.post(url("wizard_bank"), _bank_data())
    assert response.url == url("wizard_recap")
    member.refresh_from_db()
    assert member.debit_day is None and member.sepa_mandate_reference == ""
    assert not BankAccount.objects.filter(purpose="cotisations").exists()


def test_frequency_limited_to_contract(client, member):
    member.contract.debit_frequencies = ["annuelle", "mensuelle"]
    member.contract.debit_days = [5, 10]
    member.contract.save()
    _with_offer(member)
    page = client.get(url("wizard_bank")).content.decode()
    assert "Trimestrielle" not in page and "le 20 du mois" not in page
    response = client.post(url("wizard_bank"), _bank_data(**{"prelevement-debit_day": "20"}))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("iban", "bic", "message"),
    [
        ("FR7630006000011234567890188", BIC_OK, "clé de contrôle"),
        ("FR0630006000011234567890188", BIC_OK, "La clé RIB"),
        (IBAN_OK, "AGRI", "Le BIC est invalide"),
        (IBAN_OK, "COBADEFFXXX", "ne correspond pas à celui de l&#x27;IBAN"),
        ("DE89370400440532013000", BIC_OK, "ne correspond pas à celui de l&#x27;IBAN"),
    ],
)
def test_bank_vectors_refused_with_french_messages(client, member, iban, bic, message):
    _with_offer(member)
    response = client.post(
        url("wizard_bank"), _bank_data(**{"prestations-iban": iban, "prestations-bic": bic})
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert iban in body.replace(" ", "")  # kept for correction
    assert not BankAccount.objects.exists()


def _complete(member, client):
    _with_offer(member)
    client.post(url("wizard_bank"), _bank_data())
    member.refresh_from_db()


def test_recap_modifier_returns_to_recap(client, member):
    _complete(member, client)
    page = client.get(url("wizard_recap")).content.decode()
    assert "Récapitulatif" in page
    assert page.count(">Modifier<") == 4
    assert "FR76 •••• •••• •••• 0189" in page
    assert IBAN_OK not in page
    edit = url("wizard_profile") + "?retour=recap"
    assert edit in page
    response = client.post(edit, profile_data(member, city="LYON", postal_code="69001"))
    assert response.url == url("wizard_recap")
    assert "LYON" in client.get(url("wizard_recap")).content.decode()


def test_recap_validate_goes_to_signature(client, member):
    _complete(member, client)
    response = client.post(url("wizard_recap"))
    member.refresh_from_db()
    assert member.wizard_step == wizard.SIGNATURE_STEP
    assert response.url == reverse("member_portal:signature_entry")


def test_recap_validate_refused_when_incomplete(client, member):
    _at(member, "recap")
    response = client.post(url("wizard_recap"), follow=True)
    body = response.content.decode()
    assert "Il manque le choix de votre garantie" in body
    member.refresh_from_db()
    assert member.wizard_step == "recap"


def test_other_employee_ids_give_404(client, member):
    _at(member, "recap")
    other, _ = in_progress_enrolment()
    theirs = Beneficiary.objects.create(
        enrolment=other,
        relationship=Relationship.CHILD,
        civility="MME",
        first_name="Secret",
        last_name="Autre",
        birth_date=dt.date(2015, 6, 1),
    )
    assert client.get(url("wizard_beneficiary_edit", theirs.pk)).status_code == 404
    assert client.post(url("wizard_beneficiary_remove", theirs.pk)).status_code == 404
    assert client.get(url("wizard_beneficiary_remove", theirs.pk)).status_code == 404
    assert Beneficiary.objects.filter(pk=theirs.pk).exists()
    assert "Secret" not in client.get(url("wizard_recap")).content.decode()


def test_anonymous_is_sent_to_login(client):
    response = client.get(url("wizard_profile"))
    assert response.status_code == 302
    assert "/compte/login/" in response.url


# Exact queries of each wizard page: the same with one child as with five.
WIZARD_PAGE_QUERIES = {
    "wizard_profile": 4,
    "wizard_beneficiaries": 5,
    "wizard_offers": 6,
    "wizard_bank": 8,
    "wizard_recap": 8,
}


@pytest.mark.parametrize("children", [1, 5])
@pytest.mark.parametrize("name", WIZARD_PAGE_QUERIES)
def test_wizard_pages_query_count_does_not_grow(
    client, member, django_assert_num_queries, name, children
):
    _complete(member, client)
    for i in range(children):
        b = Beneficiary.objects.create(
            enrolment=member,
            relationship=Relationship.CHILD,
            civility="MME",
            first_name=f"Enfant{i}",
            last_name="Durand",
            birth_date=dt.date(2010 + i, 1, 1),
        )
        BankAccount.objects.create(
            enrolment=member,
            beneficiary=b,
            purpose="prestations",
            holder="X",
            iban=IBAN_OK,
            bic=BIC_OK,
        )
    assert client.get(url(name)).status_code == 200  # warm: session, content types
    with django_assert_num_queries(WIZARD_PAGE_QUERIES[name]):
        assert client.get(url(name)).status_code == 200
