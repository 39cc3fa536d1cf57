"""The correspondents hear when the back office processes one of their company's
requests: a validated enrolment, a processed termination, a decided dispensation (its
outcome only, never the employee's reason). Once per decision, plain text as typed."""

import datetime as dt

import pytest

from dispensations.services import dispensation_accept, dispensation_refuse
from enrolment.enums import Civility, TerminationReason, UnemploymentEligibility
from enrolment.services.backoffice import enrolment_validate
from enrolment.services.termination import termination_process, termination_submit
from mutuelle.models import OutboxMessage
from tests.dispensations.factories import employee_enrolment, submit
from tests.mutuelle.factories import CorrespondentAccessFactory, UserFactory

from .factories import EnrolmentFactory
from .signing import sign

pytestmark = pytest.mark.django_db


def _correspondents(company):
    first = CorrespondentAccessFactory(company=company, user__email="rh@exemple.fr")
    CorrespondentAccessFactory(company=company, user__email="paie@exemple.fr")
    CorrespondentAccessFactory(
        company=company, user__email="parti@exemple.fr", user__is_active=False
    )
    CorrespondentAccessFactory(user__email="autre-entreprise@exemple.fr")
    return first


def _employer_mails(prefix):
    return {
        m.recipient: m for m in OutboxMessage.objects.filter(key__startswith=f"employer-{prefix}:")
    }


def test_validated_enrolment(django_capture_on_commit_callbacks):
    enrolment = EnrolmentFactory(
        ready_to_sign=True,
        employee__civility=Civility.MRS,
        employee__first_name="Émilie",
        employee__last_name="Lefèvre",
        employee__company__legal_name="Boulangerie Martin & Fils SARL",
    )
    _correspondents(enrolment.employee.company)
    sign(enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_validate(enrolment=enrolment, by=UserFactory(staff=True))
    mails = _employer_mails("enrolment-validated")
    assert set(mails) == {"rh@exemple.fr", "paie@exemple.fr"}
    mail = mails["rh@exemple.fr"]
    assert mail.subject == "Adhésion validée : Émilie LEFÈVRE"
    assert "La mutuelle a validé l'adhésion d'Émilie LEFÈVRE (Boulangerie Martin & Fils SARL)" in (
        mail.body_text
    )
    assert "elle est couverte à compter du 01/03/2024" in mail.body_text
    assert mail.status == "sent"


def test_processed_termination_once(django_capture_on_commit_callbacks):
    enrolment = EnrolmentFactory(active=True, employee__first_name="Paul")
    _correspondents(enrolment.employee.company)
    termination = termination_submit(
        enrolment=enrolment,
        hire_date=dt.date(2024, 3, 1),
        termination_date=dt.date(2024, 8, 15),
        reason=TerminationReason.DISMISSAL,
        unemployment=UnemploymentEligibility.YES,
        by=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        termination_process(termination=termination, by=UserFactory(staff=True))
    mails = _employer_mails("termination-processed")
    assert set(mails) == {"rh@exemple.fr", "paie@exemple.fr"}
    mail = mails["paie@exemple.fr"]
    assert mail.subject.startswith("Résiliation traitée : Paul ")
    assert "fin du contrat de travail le 15/08/2024" in mail.body_text
    assert "portabilité des droits jusqu'au 15/02/2025" in mail.body_text


def test_decided_dispensations_tell_the_outcome_only(django_capture_on_commit_callbacks):
    staff = UserFactory(staff=True)
    accepted_enrolment = employee_enrolment(employee__first_name="Inès")
    _correspondents(accepted_enrolment.employee.company)
    accepted = submit(accepted_enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        dispensation_accept(dispensation=accepted, by=staff)
    mail = _employer_mails("dispensation-accepted")["rh@exemple.fr"]
    assert mail.subject.startswith("Dispense acceptée : Inès ")
    assert "a accepté la demande de dispense d'adhésion d'Inès" in mail.body_text

    refused_enrolment = employee_enrolment(employee__first_name="Hugo")
    CorrespondentAccessFactory(company=refused_enrolment.employee.company, user__email="x@ex.fr")
    refused = submit(refused_enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        dispensation_refuse(
            dispensation=refused, by=staff, reason="Attestation de la mutuelle du conjoint périmée"
        )
    mail = _employer_mails("dispensation-refused")["x@ex.fr"]
    assert mail.subject.startswith("Dispense refusée : Hugo ")
    assert "invité à adhérer au contrat collectif" in mail.body_text
    assert "périmée" not in mail.body_text and "conjoint" not in mail.body_text
