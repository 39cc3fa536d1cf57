"""Tenant invariant: member requests reach the member and the back office only."""

import pytest
from django.contrib.auth.models import AnonymousUser

from member_requests.models import MemberRequest, MemberRequestDocument, MemberRequestEvent
from tests.mutuelle.factories import CorrespondentAccessFactory, UserFactory

from .factories import member_enrolment, sent_request

pytestmark = pytest.mark.django_db


def test_a_correspondent_never_sees_any_member_request():
    enrolment = member_enrolment()
    mine = sent_request(enrolment)
    other = sent_request()
    correspondent = CorrespondentAccessFactory(company=enrolment.employee.company).user
    assert not MemberRequest.objects.visible_to(correspondent).exists()
    # Even a correspondent of every company involved.
    CorrespondentAccessFactory(user=correspondent, company=other.enrolment.employee.company)
    assert not MemberRequest.objects.visible_to(correspondent).exists()
    member = enrolment.employee.user
    assert list(MemberRequest.objects.visible_to(member)) == [mine]
    assert not MemberRequest.objects.visible_to(AnonymousUser()).exists()
    staff = UserFactory(staff=True)
    assert MemberRequest.objects.visible_to(staff).count() == 2


def test_no_employer_model_reaches_member_requests():
    """No relation leads from the employer's models to member requests: the employer
    timeline (enrolment.Request) and its history are separate tables."""
    related = {
        f.related_model
        for model in (MemberRequest, MemberRequestEvent, MemberRequestDocument)
        for f in model._meta.get_fields()
        if f.is_relation
    }
    from enrolment.models import Request, RequestEvent

    assert Request not in related and RequestEvent not in related
