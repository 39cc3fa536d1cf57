from html import unescape

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from enrolment.enums import EnrolmentStatus, PostalLetterKind
from enrolment.models import Employee, Enrolment, PostalLetter, ProvisionalPassword
from mutuelle.models import OutboxMessage
from tests.enrolment.factories import EnrolmentFactory, make_nir

pytestmark = pytest.mark.django_db


def url(name, company, *args):
    return reverse(f"employer_portal:{name}", args=[company.pk, *args])


def text(response) -> str:
    return unescape(response.content.decode())


def pdf_text(letter) -> str:
    with letter.file.open("rb") as handle:
        return PdfReader(handle).pages[0].extract_text()


def employee_data(group, n=1, **overrides):
    data = {
        "civility": "MME",
        "first_name": "Émilie",
        "last_name": f"Lefèvre{chr(64 + n)}",
        "birth_date": "12/05/1990",
        "nir": make_nir(n, sex="2", year=90, month=5),
        "insurance_fund_code": "751",
        "address_number": "12",
        "address_street": "rue de l'Église",
        "postal_code": "75011",
        "city": "Paris",
        "country": "FRANCE",
        "email": f"emilie{n}@example.fr",
        "payroll_id": f"M{n:04d}",
        "group": str(group.pk),
        "hire_date": "01/03/2024",
        "alsace_moselle": "non",
        "effective_date": "01/03/2024",
    }
    data.update(overrides)
    return data


def test_choice_page_leads_to_form_or_file(hr, company):
    page = text(hr.get(url("add_employees", company)))
    assert "Sous quelle forme désirez-vous les renseigner ?" in page
    assert "Fichier Excel ou structuré" in page
    response = hr.post(url("add_employees", company), {"mode": "formulaire"})
    assert response.url == url("preaffiliation_form", company)
    response = hr.post(url("add_employees", company), {"mode": "fichier"})
    assert response.url == reverse("employer_portal:import_start", args=[company.pk])
    refused = text(hr.post(url("add_employees", company), {"mode": "courrier"}))
    assert "Sélectionnez un choix valide" in refused


def test_form_marks_required_fields(hr, company, group):
    page = text(hr.get(url("preaffiliation_form", company)))
    # Nine fields and the legend « * champs obligatoires ».
    assert page.count('class="required-mark" aria-hidden="true">*') == 10
    assert "Adresse postale" in page and "Régime local Alsace-Moselle" in page


def test_errors_shown_next_to_fields_and_typed_values_kept(hr, company, group):
    data = employee_data(group, nir="185057512345678", email="", address_street="")
    response = hr.post(url("preaffiliation_form", company), data)
    page = text(response)
    assert "clé de contrôle" in page
    assert "Sans adresse e-mail, le libellé de la voie est obligatoire" in page
    assert 'value="185057512345678"' in page
    assert 'value="Émilie"' in page
    assert not Employee.objects.exists()
    assert "preaffiliation:" + str(company.pk) not in hr.session or not hr.session[
        f"preaffiliation:{company.pk}"
    ].get("drafts")


def test_nir_inconsistent_with_civility_is_an_error(hr, company, group):
    data = employee_data(group, civility="M")
    page = text(hr.post(url("preaffiliation_form", company), data))
    assert "ne correspond pas à la civilité" in page


def test_duplicate_on_contract_refused(hr, company, group):
    existing = EnrolmentFactory(group=group, employee__company=company)
    data = employee_data(group, nir=existing.employee.nir, civility="M", birth_date="12/10/1985")
    page = text(hr.post(url("preaffiliation_form", company), data))
    assert "déjà affilié ou en cours d'affiliation sur ce contrat" in page


def test_same_person_twice_in_one_batch_refused(hr, company, group):
    hr.post(
        url("preaffiliation_form", company),
        employee_data(group, address_street="", address_number="", postal_code="", city=""),
    )
    page = text(
        hr.post(
            url("preaffiliation_form", company),
            employee_data(
                group,
                first_name="Autre",
                address_street="",
                address_number="",
                postal_code="",
                city="",
            ),
        )
    )
    assert "figure déjà dans votre saisie" in page


def test_full_journey_address_check_review_modify_delete_validate(
    hr, company, group, django_capture_on_commit_callbacks
):
    # First employee: the address differs from its postal form → address check page.
    response = hr.post(url("preaffiliation_form", company), employee_data(group, 1))
    assert response.url == url("preaffiliation_address", company)
    page = text(hr.get(response.url))
    assert "Adresse indiquée" in page and "Adresse mise en forme, non vérifiée" in page
    assert "suggérée" not in page
    assert "12 RUE DE L EGLISE" in page and "12 rue de l'Église" in page
    no_choice = text(hr.post(url("preaffiliation_address", company), {}))
    assert "Choisissez l'adresse à retenir." in no_choice
    response = hr.post(url("preaffiliation_address", company), {"address": "suggeree"})
    assert response.url == url("preaffiliation_review", company)
    # Second and third employees, already in postal form (no address page).
    postal = {"address_street": "RUE DES LILAS", "city": "PARIS"}
    for n in (2, 3):
        response = hr.post(url("preaffiliation_form", company), employee_data(group, n, **postal))
        assert response.url == url("preaffiliation_review", company)
    review = text(hr.get(url("preaffiliation_review", company)))
    assert "Vérifier les informations saisies" in review
    assert review.count(">Modifier</a>") == 3 and review.count(">Supprimer</a>") == 3
    assert "12 RUE DE L EGLISE" in review
    assert not Employee.objects.exists()  # nothing in the database before « Valider »
    # Modify the second one (its form is prefilled), then delete the third.
    form = text(hr.get(url("preaffiliation_form", company) + "?modifier=1"))
    assert 'value="LefèvreB"' in form
    hr.post(
        url("preaffiliation_form", company),
        {**employee_data(group, 2, **postal), "first_name": "Claire", "modifier": "1"},
    )
    # « Supprimer » asks first: the GET only shows the confirmation.
    confirmation = text(hr.get(url("preaffiliation_delete", company, 2)))
    assert "Supprimer Émilie LefèvreC de la saisie ?" in confirmation
    assert "LefèvreC" in text(hr.get(url("preaffiliation_review", company)))
    deleted = hr.post(url("preaffiliation_delete", company, 2), follow=True)
    assert "LefèvreC a été retiré(e) de la saisie" in text(deleted)
    review = text(hr.get(url("preaffiliation_review", company)))
    assert "Claire" in review and "LefèvreC" not in review
    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post(url("preaffiliation_submit", company), follow=True)
    assert "2 salariés pré-affiliés" in text(response)
    enrolments = Enrolment.objects.filter(employee__company=company)
    assert enrolments.count() == 2
    assert set(enrolments.values_list("status", flat=True)) == {EnrolmentStatus.INVITED}
    assert Employee.objects.get(first_name="Émilie").address_street == "RUE DE L EGLISE"
    assert OutboxMessage.objects.filter(key__startswith="invitation:").count() == 2
    assert f"preaffiliation:{company.pk}" not in hr.session


def test_submit_revalidates_and_keeps_drafts_on_error(hr, company, group):
    data = employee_data(group, address_street="RUE DES LILAS", city="PARIS")
    hr.post(url("preaffiliation_form", company), data)
    # Meanwhile another correspondent declares the same person.
    from enrolment.services.preaffiliation import enrolment_pre_affiliate

    data.pop("group")
    enrolment_pre_affiliate(
        company=company, contract=group.contract, group=group, rows=[data], by=None
    )
    response = hr.post(url("preaffiliation_submit", company), follow=True)
    page = text(response)
    assert "Aucun salarié n'a été enregistré" in page
    assert "déjà affilié ou en cours d'affiliation" in page
    assert Enrolment.objects.count() == 1


def test_without_email_two_letters_and_provisional_account(
    hr, company, group, django_capture_on_commit_callbacks
):
    data = employee_data(group, email="", address_street="RUE DES LILAS", city="PARIS")
    hr.post(url("preaffiliation_form", company), data)
    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post(url("preaffiliation_submit", company), follow=True)
    assert "deux courriers distincts" in text(response)
    enrolment = Enrolment.objects.get()
    assert enrolment.status == EnrolmentStatus.INVITED  # invited by post, 60-day clock
    letters = {letter.kind: letter for letter in PostalLetter.objects.all()}
    assert set(letters) == {PostalLetterKind.IDENTIFIER, PostalLetterKind.PASSWORD}
    identifier, letter_2 = (pdf_text(letters[kind]) for kind in ("identifiant", "mot_de_passe"))
    assert enrolment.member_number in identifier
    password = letter_2.split("Mot de passe provisoire :")[1].split()[0]
    user = enrolment.employee.user
    assert user.username == enrolment.member_number
    assert authenticate(username=user.username, password=password) == user
    assert password not in user.password
    assert ProvisionalPassword.objects.filter(user=user).exists()
    assert not OutboxMessage.objects.exists()  # nobody to e-mail
    # At first login the account must change its password before anything else.
    client = Client()
    login = client.post(
        reverse("account_login"), {"login": user.username, "password": password}, follow=True
    )
    assert login.redirect_chain[-1][0] == reverse("account_change_password")
    assert client.get(reverse("member_portal:home")).url == reverse("account_change_password")
    client.post(
        reverse("account_change_password"),
        {
            "oldpassword": password,
            "password1": "Nouveau-Secret-42",
            "password2": "Nouveau-Secret-42",
        },
    )
    assert not ProvisionalPassword.objects.filter(user=user).exists()
    assert client.get(reverse("member_portal:home")).get("Location") != reverse(
        "account_change_password"
    )


def test_letters_admin_download_is_staff_only(
    admin_client, client, company, group, hr, django_capture_on_commit_callbacks
):
    data = employee_data(group, email="", address_street="RUE DES LILAS", city="PARIS")
    hr.post(url("preaffiliation_form", company), data)
    with django_capture_on_commit_callbacks(execute=True):
        hr.post(url("preaffiliation_submit", company))
    letter = PostalLetter.objects.first()
    listing = admin_client.get(reverse("admin:enrolment_postalletter_changelist"))
    assert "Télécharger le PDF" in text(listing)
    path = reverse("admin:enrolment_postalletter_download", args=[letter.pk])
    response = admin_client.get(path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    response.close()
    assert hr.get(path).status_code == 302  # a correspondent is sent to the admin login


def test_file_import_also_posts_letters_to_employees_without_email(
    hr, company, group, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.employer_portal.test_import import csv_bytes, values

    dates = {"hire_date": "01/03/2024", "effective_date": "01/03/2024"}
    rows = [
        values(
            1, email="", address_street="RUE DES LILAS", postal_code="75011", city="PARIS", **dates
        ),
        values(2, **dates),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        hr.post(
            reverse("employer_portal:import_start", args=[company.pk]),
            {"group": group.pk, "file": SimpleUploadedFile("s.csv", csv_bytes(rows))},
        )
    assert Enrolment.objects.filter(employee__company=company).count() == 2
    letters = PostalLetter.objects.all()
    assert {letter.enrolment.employee.email for letter in letters} == {""}
    assert letters.count() == 2
