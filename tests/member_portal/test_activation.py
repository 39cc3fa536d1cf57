import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from enrolment.enums import EnrolmentStatus, LinkKind
from enrolment.models import Request, SingleUseLink
from enrolment.services.invitation import enrolment_invite
from mutuelle.models import OutboxMessage, User
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import CorrespondentAccessFactory, UserFactory

from .helpers import invitation_path, url

pytestmark = pytest.mark.django_db
GOOD = "Soleil-Levant-2026!"


@pytest.fixture
def invited(django_capture_on_commit_callbacks):
    enrolment = EnrolmentFactory(employee__email="paul.pro@entreprise.example.fr")
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_invite(enrolment=enrolment)
    enrolment.refresh_from_db()
    return enrolment


def _post(client, path, **extra):
    data = {
        "birth_date": "12/10/1985",  # the factory's (the employer's declaration)
        "has_personal_email": "non",
        "password1": GOOD,
        "password2": GOOD,
        **extra,
    }
    return client.post(path, data)


def test_link_page_shows_employer_email_and_form(client, invited):
    response = client.get(invitation_path(invited))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Espace personnel" in body
    assert "paul.pro@entreprise.example.fr" in body
    assert "Je dispose d&#x27;une adresse e-mail personnelle" in body
    # Opening the link changes nothing.
    assert not SingleUseLink.objects.filter(used_at__isnull=False).exists()
    invited.refresh_from_db()
    assert invited.status == EnrolmentStatus.INVITED


def test_activation_with_employer_email(client, invited, django_capture_on_commit_callbacks):
    path = invitation_path(invited)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, path, commercial_consent="on")
    assert response.status_code == 302
    assert response.url == url("home")
    user = User.objects.get(email="paul.pro@entreprise.example.fr")
    assert user.username == f"adh{invited.member_number}"
    assert user.check_password(GOOD)
    invited.refresh_from_db()
    assert invited.status == EnrolmentStatus.IN_PROGRESS
    assert invited.employee.user == user
    assert invited.employee.commercial_consent is True
    request = Request.objects.get(enrolment=invited)
    assert request.events.filter(label="Compte activé par le salarié", actor=user).exists()
    # Logged in: home sends to the welcome step.
    assert client.get(url("home")).url == url("welcome")
    # Single use: the same link now says so, and posting again creates nothing.
    client.logout()
    again = client.get(path)
    assert again.status_code == 410
    assert "déjà été utilisé" in again.content.decode()
    assert _post(client, path).status_code == 410
    assert User.objects.count() == 1


def test_activation_with_personal_email_needs_confirmation(
    client, invited, django_capture_on_commit_callbacks
):
    path = invitation_path(invited)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client,
            path,
            has_personal_email="oui",
            personal_email="paul@perso.example.fr",
            personal_email_confirm="paul@perso.example.fr",
        )
    assert response.status_code == 302
    user = User.objects.get()
    # Not the login until confirmed.
    assert user.email == "paul.pro@entreprise.example.fr"
    confirmation = SingleUseLink.objects.get(kind=LinkKind.EMAIL_CONFIRMATION)
    assert confirmation.email == "paul@perso.example.fr"
    assert len(confirmation.key_hash) == 64
    message = OutboxMessage.objects.get(key=f"email-confirmation:{confirmation.pk}")
    assert message.recipient == "paul@perso.example.fr"
    link = next(x for x in message.body_text.splitlines() if "/confirmer-email/" in x)
    confirm_path = link.split("8000", 1)[1].strip()
    assert confirmation.key_hash not in confirm_path
    # GET does not use the link up (mail scanners open links).
    assert client.get(confirm_path).status_code == 200
    user.refresh_from_db()
    assert user.email == "paul.pro@entreprise.example.fr"
    response = client.post(confirm_path)
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email == "paul@perso.example.fr"
    assert client.post(confirm_path).status_code == 410
    client.logout()
    assert client.login(username="paul@perso.example.fr", password=GOOD)


def test_confirmation_link_expires(client, invited, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _post(
            client,
            invitation_path(invited),
            has_personal_email="oui",
            personal_email="paul@perso.example.fr",
            personal_email_confirm="paul@perso.example.fr",
        )
    message = OutboxMessage.objects.get(key__startswith="email-confirmation:")
    link = next(x for x in message.body_text.splitlines() if "/confirmer-email/" in x)
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        response = client.post(link.split("8000", 1)[1].strip())
    assert response.status_code == 410
    assert "expiré" in response.content.decode()


@pytest.mark.parametrize(
    ("extra", "field_message"),
    [
        ({"password2": "Autre-Chose-2026!"}, "Les deux mots de passe ne sont pas identiques."),
        ({"password1": "court", "password2": "court"}, "au moins 8 caractères"),
        ({"password1": "soleillevant", "password2": "soleillevant"}, "une majuscule"),
        (
            {
                "has_personal_email": "oui",
                "personal_email": "a@perso.example.fr",
                "personal_email_confirm": "b@perso.example.fr",
            },
            "Les deux adresses e-mail ne sont pas identiques.",
        ),
        ({"has_personal_email": "oui"}, "Indiquez votre adresse e-mail personnelle."),
    ],
)
def test_activation_errors_keep_input(client, invited, extra, field_message):
    response = _post(client, invitation_path(invited), **extra)
    body = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert field_message in body
    assert not User.objects.exists()
    if "personal_email" in extra:
        assert extra["personal_email"] in body


def test_personal_email_already_used(client, invited):
    UserFactory(email="pris@perso.example.fr")
    response = _post(
        client,
        invitation_path(invited),
        has_personal_email="oui",
        personal_email="pris@perso.example.fr",
        personal_email_confirm="pris@perso.example.fr",
    )
    assert "déjà utilisée par un autre compte" in response.content.decode()


def test_link_day_59_works_day_61_expired(client, invited):
    path = invitation_path(invited)
    with time_machine.travel(timezone.now() + dt.timedelta(days=61)):
        response = _post(client, path)
        assert response.status_code == 410
        assert "expiré" in response.content.decode()
        assert not User.objects.exists()
    with time_machine.travel(timezone.now() + dt.timedelta(days=59)):
        assert _post(client, path).status_code == 302
    assert User.objects.count() == 1


def test_login_lands_where_left_off(client, invited):
    _post(client, invitation_path(invited))
    enrolment = invited
    type(enrolment).objects.filter(pk=enrolment.pk).update(wizard_step="offers")
    client.logout()
    response = client.post(
        "/compte/login/", {"login": "paul.pro@entreprise.example.fr", "password": GOOD}
    )
    assert response.status_code == 302
    landing = client.get(response.url, follow=True)
    assert landing.redirect_chain[-1][0] == url("wizard_offers")


def test_activation_message_names_the_e_mail_to_log_in_with_not_the_identifier(
    client, invited, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, invitation_path(invited))
    page = client.get(response.url, follow=True).content.decode()
    user = User.objects.get(email="paul.pro@entreprise.example.fr")
    assert "votre espace personnel est créé" in page
    assert "utilisez votre adresse e-mail paul.pro@entreprise.example.fr" in page
    assert user.username not in page


# ---- The birth date the employer declared (issue 12, item 1) ---------------------------


def test_link_alone_no_longer_opens_the_account(client, invited):
    response = _post(client, invitation_path(invited), birth_date="")
    assert response.status_code == 200
    assert 'name="birth_date"' in response.content.decode()
    assert response.context["form"].errors["birth_date"]
    assert not User.objects.exists()
    assert SingleUseLink.objects.get(kind=LinkKind.INVITATION).failed_checks == 0


def test_three_wrong_birth_dates_lock_the_link_whatever_the_session(client, invited):
    from django.test import Client

    CorrespondentAccessFactory(
        company=invited.employee.company,
        user=UserFactory(first_name="Claire", last_name="Martin", email="claire@rh.example.fr"),
    )
    type(invited.employee.company).objects.filter(pk=invited.employee.company_id).update(
        phone="+33140506070"
    )
    path = invitation_path(invited)
    first = _post(client, path, birth_date="13/10/1985", commercial_consent="on")
    body = first.content.decode().replace("&#x27;", "'")
    assert first.status_code == 200
    assert "ne correspond pas à celle déclarée par votre employeur" in body
    assert "Il vous reste 2 essais" in body
    assert 'value="13/10/1985"' in body  # typed input kept
    # A new browser (new session) does not start again from zero: the count is on the link.
    second = _post(Client(), path, birth_date="12/10/1958")
    assert "Il vous reste 1 essai." in second.content.decode()
    link = SingleUseLink.objects.get(kind=LinkKind.INVITATION)
    assert link.failed_checks == 2 and link.locked_at is None
    third = _post(Client(), path, birth_date="01/01/1990")
    assert third.status_code == 403
    page = third.content.decode().replace("&#x27;", "'")
    assert "Ce lien est bloqué" in page
    for whom in (
        "Claire Martin",
        "claire@rh.example.fr",
        "01 40 50 60 70",
        "09\u00a080\u00a098\u00a098\u00a023",
    ):
        assert whom in page
    link.refresh_from_db()
    assert link.failed_checks == 3 and link.locked_at is not None
    # Locked: the right birth date no longer opens the account, nor does a new visit.
    assert _post(Client(), path).status_code == 403
    assert Client().get(path).status_code == 403
    assert not User.objects.filter(email="paul.pro@entreprise.example.fr").exists()
    invited.refresh_from_db()
    assert invited.status == EnrolmentStatus.INVITED
    # The correspondent sees it in the request's history.
    assert invited.requests.get().events.filter(label__startswith="Lien d'activation bloqué")


def test_correspondent_resend_issues_a_fresh_link_that_works(
    client, invited, django_capture_on_commit_callbacks
):
    from django.test import Client
    from django.urls import reverse

    access = CorrespondentAccessFactory(company=invited.employee.company)
    hr = Client()
    hr.force_login(access.user)
    request = invited.requests.get()
    remind = reverse(
        "employer_portal:request_remind", args=[invited.employee.company_id, request.pk]
    )
    # A reminder sent an hour ago does not stop the new link once the old one is locked.
    with django_capture_on_commit_callbacks(execute=True):
        hr.post(remind)
    old_path = OutboxMessage.objects.get(key__startswith="manual-reminder").body_text
    old_path = next(x for x in old_path.splitlines() if "/invitation/" in x).split("8000", 1)[1]
    for day in ("01/01/1990", "02/01/1990", "03/01/1990"):
        _post(client, old_path.strip(), birth_date=day)
    assert _post(client, old_path.strip()).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = hr.post(remind, follow=True)
    assert "moins de 24 heures" not in response.content.decode()
    message = OutboxMessage.objects.filter(key__startswith="manual-reminder").order_by("-id")[0]
    new_path = next(x for x in message.body_text.splitlines() if "/invitation/" in x)
    new_path = new_path.split("8000", 1)[1].strip()
    assert new_path != old_path.strip()
    assert client.get(old_path.strip()).status_code == 410  # replaced by the new one
    fresh = SingleUseLink.objects.get(kind=LinkKind.INVITATION, revoked_at__isnull=True)
    assert fresh.failed_checks == 0 and fresh.locked_at is None
    assert _post(client, new_path).status_code == 302
    assert User.objects.filter(email="paul.pro@entreprise.example.fr").exists()
