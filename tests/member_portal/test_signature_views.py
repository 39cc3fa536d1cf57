from html import unescape

import pytest
from django.urls import reverse

from enrolment.enums import EnrolmentStatus, PhoneSource
from enrolment.models import SignatureAttempt, SignatureEvidence
from enrolment.signature import membership_form as mf
from mutuelle.models import OutboxMessage
from tests.enrolment.factories import EnrolmentFactory
from tests.enrolment.signing import last_sms_code, prepare_attempt, send_code
from tests.mutuelle.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolment():
    return EnrolmentFactory(ready_to_sign=True)


@pytest.fixture
def employee_client(client, enrolment):
    client.login(username=enrolment.employee.user.username, password=PASSWORD)
    return client


def url(name, enrolment):
    return reverse(f"member_portal:{name}", args=[enrolment.pk])


def test_entry_url_without_argument_leads_to_the_enrolment(employee_client, enrolment):
    response = employee_client.get(reverse("member_portal:signature_entry"))
    assert response.status_code == 200
    assert "Bientôt terminé" in response.content.decode()
    assert url("signature_form", enrolment) in response.content.decode()


def test_other_users_get_404(client, enrolment):
    other = EnrolmentFactory(ready_to_sign=True)
    client.login(username=other.employee.user.username, password=PASSWORD)
    for name in ("signature_start", "signature_form", "signature_sms", "signature_dossier"):
        assert client.get(url(name, enrolment)).status_code == 404
    assert client.get(url("signature_form_pdf", enrolment)).status_code == 404


def test_anonymous_is_sent_to_login(client, enrolment):
    response = client.get(url("signature_form", enrolment))
    assert response.status_code == 302 and "/compte/login/" in response.url


def test_form_page_boxes_disabled_until_viewed(
    employee_client, enrolment, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        response = employee_client.get(url("signature_form", enrolment))
    html = response.content.decode()
    assert "Télécharger mon bulletin d'adhésion" in html
    assert enrolment.employee.last_name.upper() in html
    assert "LAMBERT Claire" in html  # beneficiaries' names are shown to the employee
    assert html.count("disabled") >= 2
    # Ticking without having read the form is refused by the server.
    fingerprint = response.context["fingerprint"]
    response = employee_client.post(
        url("signature_form", enrolment),
        {"certify": "on", "contract_document": "on", "fingerprint": fingerprint},
    )
    assert response.status_code == 200
    assert "consulter votre bulletin" in response.content.decode()
    assert SignatureAttempt.objects.get().consents_at is None


def test_pdf_download_counts_as_viewed(employee_client, enrolment):
    response = employee_client.get(url("signature_form_pdf", enrolment))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert SignatureAttempt.objects.get().form_viewed_at is not None
    response = employee_client.get(url("signature_form", enrolment))
    assert response.context["viewed"] is True


def test_scroll_mark_then_consents_then_sms(employee_client, enrolment):
    page = employee_client.get(url("signature_form", enrolment))
    fingerprint = page.context["fingerprint"]
    bad = employee_client.post(url("signature_form_viewed", enrolment), {"fingerprint": "x"})
    assert bad.status_code == 409
    ok = employee_client.post(url("signature_form_viewed", enrolment), {"fingerprint": fingerprint})
    assert ok.status_code == 200 and ok.json() == {"viewed": True}
    # One box only: French message next to the missing box, the ticked one kept.
    response = employee_client.post(
        url("signature_form", enrolment), {"certify": "on", "fingerprint": fingerprint}
    )
    html = response.content.decode()
    assert "Cochez cette case pour pouvoir signer." in html
    assert response.context["form"]["certify"].value() is True
    response = employee_client.post(
        url("signature_form", enrolment),
        {"certify": "on", "contract_document": "on", "fingerprint": fingerprint},
    )
    assert response.status_code == 302 and response.url == url("signature_sms", enrolment)
    page = unescape(employee_client.get(response.url).content.decode())
    # The code goes to the mobile on record: shown masked, with where it came from.
    assert "06 •• •• •• 78" in page
    assert "Déclaré par l'employeur à la pré-affiliation" in page
    assert 'name="tel-phone"' not in page


def test_sms_page_requires_consents(employee_client, enrolment):
    response = employee_client.get(url("signature_sms", enrolment))
    assert response.status_code == 302 and response.url == url("signature_form", enrolment)


def test_full_signature_through_the_pages(
    employee_client, enrolment, django_capture_on_commit_callbacks
):
    prepare_attempt(enrolment)
    sms_url = url("signature_sms", enrolment)
    # A number typed in the request is ignored: the code goes to the one on record.
    with django_capture_on_commit_callbacks(execute=True):
        response = employee_client.post(sms_url, {"action": "send", "tel-phone": "07 81 22 33 44"})
    assert response.status_code == 302
    assert OutboxMessage.objects.get(channel="sms").recipient == "+33612345678"
    page = employee_client.get(sms_url).content.decode()
    assert "06 •• •• •• 78" in page and "Je n'ai pas reçu le code" in page
    code = last_sms_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = employee_client.post(sms_url, {"action": "verify", "sms-code": wrong})
    assert "Il vous reste 4 essais" in response.content.decode()
    response = employee_client.post(sms_url, {"action": "verify", "sms-code": "12"})
    assert "exactement 6 chiffres" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = employee_client.post(
            sms_url,
            {"action": "verify", "sms-code": code},
            HTTP_USER_AGENT="Navigateur de test",
            REMOTE_ADDR="198.51.100.4",
        )
    assert response.status_code == 302 and response.url == url("signature_done", enrolment)
    evidence = SignatureEvidence.objects.get()
    assert evidence.ip_address == "198.51.100.4" and evidence.user_agent == "Navigateur de test"
    assert evidence.phone == "+33612345678" and evidence.phone_source == PhoneSource.EMPLOYER
    done = employee_client.get(response.url).content.decode()
    assert "Votre adhésion est terminée" in done and "Télécharger mon dossier" in done
    download = employee_client.get(url("signature_dossier", enrolment))
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # Read-only once signed: every signature page leads to the end page.
    for name in ("signature_start", "signature_form", "signature_sms", "signature_form_pdf"):
        response = employee_client.get(url(name, enrolment))
        assert response.status_code == 302 and response.url == url("signature_done", enrolment)
    response = employee_client.post(sms_url, {"action": "verify", "sms-code": code})
    assert response.url == url("signature_done", enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.SIGNED


def test_resend_link_and_limit(employee_client, enrolment):
    attempt = prepare_attempt(enrolment)
    send_code(attempt)
    sms_url = url("signature_sms", enrolment)
    for _ in range(3):
        assert employee_client.post(sms_url, {"action": "resend"}).status_code == 302
    response = employee_client.post(sms_url, {"action": "resend"})
    assert response.status_code == 200
    assert "trop de codes" in response.content.decode()
    assert OutboxMessage.objects.filter(channel="sms").count() == 4


def test_staff_get_the_dossier_from_the_admin_not_the_member_area(client, enrolment):
    attempt = prepare_attempt(enrolment)
    from enrolment.signature.services import signature_code_verify
    from tests.enrolment.signing import ORIGIN

    evidence = signature_code_verify(
        attempt=attempt, code=send_code(attempt), by=None, origin=ORIGIN
    )
    staff = UserFactory(staff=True, is_superuser=True)
    client.login(username=staff.username, password=PASSWORD)
    assert client.get(url("signature_dossier", enrolment)).status_code == 404
    admin_file = reverse("admin:enrolment_signatureevidence_file", args=[evidence.pk, "dossier"])
    response = client.get(admin_file)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    response.close()


def test_not_ready_page(employee_client):
    incomplete = EnrolmentFactory(ready_to_sign=True, offer=None)
    employee_client.logout()
    employee_client.login(username=incomplete.employee.user.username, password=PASSWORD)
    response = employee_client.get(url("signature_start", incomplete))
    assert response.status_code == 409
    assert "le choix de votre garantie" in response.content.decode()


def test_fingerprint_matches_page_and_pdf(employee_client, enrolment):
    page = employee_client.get(url("signature_form", enrolment))
    assert page.context["fingerprint"] == mf.fingerprint(
        mf.form_body_html(mf.load_enrolment(enrolment.pk))
    )


def test_recap_must_be_validated_first(client):
    enrolment = EnrolmentFactory(ready_to_sign=True, wizard_step="recap")
    client.login(username=enrolment.employee.user.username, password=PASSWORD)
    response = client.get(url("signature_start", enrolment))
    assert response.status_code == 409
    assert "la validation du récapitulatif" in response.content.decode()
    # The recap's « Valider » leads to the signature pages.
    response = client.post(reverse("member_portal:wizard_recap"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("member_portal:signature_entry")
    assert "Bientôt terminé" in response.content.decode()


def test_confirmation_mail_links_to_the_signature_end_page_the_member_space_registered(
    django_capture_on_commit_callbacks,
):
    from pathlib import Path

    from django.conf import settings

    from enrolment import signature as signature_package
    from tests.enrolment.signing import sign

    enrolment = EnrolmentFactory(ready_to_sign=True)
    with django_capture_on_commit_callbacks(execute=True):
        evidence = sign(enrolment)
    message = OutboxMessage.objects.get(key=f"signature-confirmation:{evidence.pk}")
    assert settings.SITE_URL + url("signature_done", enrolment) in message.body_text
    # The signature (enrolment, a lower layer) does not name the member space's URLs.
    package = Path(signature_package.__file__).parent
    sources = "".join(p.read_text() for p in package.glob("*.py"))
    assert "member_portal:" not in sources


def test_another_number_at_signature_needs_the_password_and_its_own_code(
    employee_client, enrolment, django_capture_on_commit_callbacks
):
    prepare_attempt(enrolment)
    sms_url = url("signature_sms", enrolment)
    page = employee_client.get(sms_url + "?numero=modifier").content.decode()
    assert 'name="tel-password"' in page and 'name="tel-phone"' in page
    data = {"action": "change", "tel-phone": "07 81 22 33 44", "tel-own_phone": "on"}
    # Every error in one pass, the typed number kept; no SMS without the password.
    response = employee_client.post(sms_url, {"action": "change", "tel-phone": "01 45 00 00 00"})
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert "commençant par 06 ou 07" in html and "Saisissez votre mot de passe." in html
    assert "Cochez cette case pour confirmer que ce numéro est le vôtre." in html
    assert 'value="01 45 00 00 00"' in html
    response = employee_client.post(sms_url, {**data, "tel-password": "Pas-le-bon-2026!"})
    assert "Le mot de passe saisi est incorrect." in unescape(response.content.decode())
    assert not OutboxMessage.objects.filter(channel="sms").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = employee_client.post(sms_url, {**data, "tel-password": PASSWORD})
    confirmation = SignatureAttempt.objects.get(subject="telephone-signature:+33781223344")
    code_url = reverse("member_portal:signature_phone", args=[enrolment.pk, confirmation.pk])
    assert response.url == code_url
    assert OutboxMessage.objects.get(channel="sms").recipient == "+33781223344"
    # Not on record until the code is typed back: the signature code still goes to the
    # employer's number.
    assert "06 •• •• •• 78" in employee_client.get(sms_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = employee_client.post(code_url, {"action": "verify", "code": last_sms_code()})
    assert response.url == url("signature_form", enrolment)
    enrolment.employee.refresh_from_db()
    assert enrolment.employee.phone == "+33781223344"
    assert enrolment.employee.phone_source == PhoneSource.SIGNATURE
    # The form shows the new number: read and ticked again, then signed with a code sent
    # to it.
    prepare_attempt(enrolment)
    page = unescape(employee_client.get(sms_url).content.decode())
    assert "07 •• •• •• 44" in page and "Modifié à la signature" in page
    with django_capture_on_commit_callbacks(execute=True):
        employee_client.post(sms_url, {"action": "send"})
    assert OutboxMessage.objects.filter(channel="sms").latest("id").recipient == "+33781223344"
    with django_capture_on_commit_callbacks(execute=True):
        response = employee_client.post(sms_url, {"action": "verify", "sms-code": last_sms_code()})
    assert response.url == url("signature_done", enrolment)
    evidence = SignatureEvidence.objects.get(attempt__subject="")
    assert evidence.phone == "+33781223344" and evidence.phone_source == PhoneSource.SIGNATURE


def test_no_number_on_record_asks_for_one(client):
    enrolment = EnrolmentFactory(ready_to_sign=True, employee__phone="")
    client.login(username=enrolment.employee.user.username, password=PASSWORD)
    prepare_attempt(enrolment)
    page = unescape(client.get(url("signature_sms", enrolment)).content.decode())
    assert "Aucun numéro de mobile n'est enregistré pour vous" in page
    assert 'name="tel-password"' in page
    response = client.post(url("signature_sms", enrolment), {"action": "send"})
    assert "Aucun numéro de mobile n'est enregistré" in unescape(response.content.decode())
    assert not OutboxMessage.objects.filter(channel="sms").exists()


def test_signature_phone_page_is_the_employees_own(client, enrolment):
    from enrolment.services.profile import signature_phone_change_start

    confirmation = signature_phone_change_start(
        enrolment=enrolment,
        user=enrolment.employee.user,
        password=PASSWORD,
        phone="07 81 22 33 44",
    )
    other = EnrolmentFactory(ready_to_sign=True)
    client.login(username=other.employee.user.username, password=PASSWORD)
    code_url = reverse("member_portal:signature_phone", args=[enrolment.pk, confirmation.pk])
    assert client.get(code_url).status_code == 404
    own = reverse("member_portal:signature_phone", args=[other.pk, confirmation.pk])
    assert client.get(own).status_code == 404


def test_password_tries_at_signature_are_limited(employee_client, enrolment, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reauthenticate": "2/m/user"}
    prepare_attempt(enrolment)
    data = {
        "action": "change",
        "tel-phone": "07 81 22 33 44",
        "tel-own_phone": "on",
        "tel-password": "Pas-le-bon-2026!",
    }
    for _ in range(2):
        response = employee_client.post(url("signature_sms", enrolment), data)
        assert "Le mot de passe saisi est incorrect." in unescape(response.content.decode())
    # The right password no longer goes through within the minute.
    response = employee_client.post(
        url("signature_sms", enrolment), {**data, "tel-password": PASSWORD}
    )
    assert "Trop d'essais" in unescape(response.content.decode())
    assert not OutboxMessage.objects.filter(channel="sms").exists()
