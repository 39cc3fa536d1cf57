"""The single-use link: issue, find, state, consume under lock, revoke, and the data
migration that moved the invitation and e-mail confirmation tokens onto it."""

import datetime as dt

import pytest
import time_machine
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from enrolment.enums import EnrolmentStatus, LinkKind
from enrolment.models import SingleUseLink
from enrolment.services.links import (
    EXPIRED,
    UNKNOWN,
    USED,
    VALID,
    LinkNotUsable,
    hash_key,
    invitation_links_issue_many,
    link_consume,
    link_find,
    link_issue,
    link_pending,
    link_state,
    links_revoke,
)
from tests.enrolment.factories import EnrolmentFactory
from tests.mutuelle.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_only_the_hash_of_the_key_is_stored():
    enrolment = EnrolmentFactory(invited=True)
    link, raw = link_issue(kind=LinkKind.INVITATION, enrolment=enrolment)
    assert link.key_hash == hash_key(raw) != raw
    assert len(link.key_hash) == 64
    assert not SingleUseLink.objects.filter(key_hash=raw).exists()
    # An invitation lives as long as the enrolment's 60-day window.
    assert link.expires_at == enrolment.expires_at
    assert link_find(raw, kind=LinkKind.INVITATION) == link
    # A key of one kind opens nothing of another kind.
    assert link_find(raw, kind=LinkKind.EMAIL_CONFIRMATION) is None


def test_a_new_link_revokes_the_previous_one_of_the_same_kind_only():
    user = UserFactory()
    enrolment = EnrolmentFactory(invited=True, employee__user=None)
    invitation, _ = link_issue(kind=LinkKind.INVITATION, enrolment=enrolment)
    first, first_raw = link_issue(kind=LinkKind.EMAIL_CONFIRMATION, user=user, email="a@x.fr")
    second, _ = link_issue(kind=LinkKind.EMAIL_CONFIRMATION, user=user, email="b@x.fr")
    first.refresh_from_db()
    invitation.refresh_from_db()
    assert first.revoked_at is not None
    assert link_state(link_find(first_raw, kind=LinkKind.EMAIL_CONFIRMATION)) == UNKNOWN
    assert invitation.revoked_at is None
    assert link_pending(kind=LinkKind.EMAIL_CONFIRMATION, user=user) == second


def test_consume_marks_used_once():
    user = UserFactory()
    _, raw = link_issue(kind=LinkKind.EMAIL_CONFIRMATION, user=user, email="a@x.fr")
    with transaction.atomic():
        link = link_consume(raw, kind=LinkKind.EMAIL_CONFIRMATION)
    assert link.used_at is not None
    with pytest.raises(LinkNotUsable) as exc, transaction.atomic():
        link_consume(raw, kind=LinkKind.EMAIL_CONFIRMATION)
    assert exc.value.state == USED


def test_a_failure_of_the_callers_work_leaves_the_link_usable():
    user = UserFactory()
    _, raw = link_issue(kind=LinkKind.EMAIL_CONFIRMATION, user=user, email="a@x.fr")
    with pytest.raises(ValueError), transaction.atomic():
        link_consume(raw, kind=LinkKind.EMAIL_CONFIRMATION)
        raise ValueError("the account could not be changed")
    assert link_state(link_find(raw, kind=LinkKind.EMAIL_CONFIRMATION)) == VALID


def test_unknown_key():
    with pytest.raises(LinkNotUsable) as exc, transaction.atomic():
        link_consume("not-a-key", kind=LinkKind.INVITATION)
    assert exc.value.state == UNKNOWN


def test_expiry_per_kind():
    user = UserFactory()
    _, confirmation = link_issue(kind=LinkKind.EMAIL_CONFIRMATION, user=user, email="a@x.fr")
    enrolment = EnrolmentFactory(status=EnrolmentStatus.ACTIVE)
    _, activation = link_issue(kind=LinkKind.ACCOUNT_ACTIVATION, enrolment=enrolment)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=23, minutes=59)):
        assert link_state(link_find(activation, kind=LinkKind.ACCOUNT_ACTIVATION)) == VALID
    with time_machine.travel(timezone.now() + dt.timedelta(hours=24, seconds=1)):
        assert link_state(link_find(activation, kind=LinkKind.ACCOUNT_ACTIVATION)) == EXPIRED
        assert link_state(link_find(confirmation, kind=LinkKind.EMAIL_CONFIRMATION)) == VALID
        with pytest.raises(LinkNotUsable) as exc, transaction.atomic():
            link_consume(activation, kind=LinkKind.ACCOUNT_ACTIVATION)
        assert exc.value.state == EXPIRED
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, seconds=1)):
        assert link_state(link_find(confirmation, kind=LinkKind.EMAIL_CONFIRMATION)) == EXPIRED


def test_invitation_state_follows_the_enrolment_and_the_account():
    enrolment = EnrolmentFactory(invited=True)
    _, raw = link_issue(kind=LinkKind.INVITATION, enrolment=enrolment)
    assert link_state(link_find(raw, kind=LinkKind.INVITATION)) == VALID
    enrolment.status = EnrolmentStatus.EXPIRED
    enrolment.save()
    assert link_state(link_find(raw, kind=LinkKind.INVITATION)) == EXPIRED
    enrolment.status = EnrolmentStatus.INVITED
    enrolment.save()
    enrolment.employee.user = UserFactory()
    enrolment.employee.save()
    assert link_state(link_find(raw, kind=LinkKind.INVITATION)) == USED


def test_revoke_and_bulk_issue(django_assert_num_queries):
    enrolments = [EnrolmentFactory(invited=True) for _ in range(3)]
    _, old = link_issue(kind=LinkKind.INVITATION, enrolment=enrolments[0])
    now = timezone.now()
    with django_assert_num_queries(2):
        keys = invitation_links_issue_many(enrolments, now=now)
    assert set(keys) == {e.pk for e in enrolments}
    assert link_state(link_find(old, kind=LinkKind.INVITATION)) == UNKNOWN
    for enrolment in enrolments:
        link = link_find(keys[enrolment.pk], kind=LinkKind.INVITATION)
        assert link.enrolment == enrolment
        assert link_state(link) == VALID
    assert links_revoke(kind=LinkKind.INVITATION, enrolment=enrolments[1]) == 1
    assert link_state(link_find(keys[enrolments[1].pk], kind=LinkKind.INVITATION)) == UNKNOWN


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_existing_links_working():
    # Rows made with today's models first: the tables keep them while migrating back.
    enrolment = EnrolmentFactory(invited=True)
    user = UserFactory()
    executor = MigrationExecutor(connection)
    before = [("enrolment", "0006_termination_portability_facts")]
    after = [("enrolment", "0007_single_use_links")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    soon = timezone.now() + dt.timedelta(days=3)
    old_apps.get_model("enrolment", "InvitationToken").objects.create(
        enrolment_id=enrolment.pk, token_hash=hash_key("invitation-key"), expires_at=soon
    )
    old_apps.get_model("enrolment", "InvitationToken").objects.create(
        enrolment_id=enrolment.pk,
        token_hash=hash_key("revoked-key"),
        expires_at=soon,
        revoked_at=timezone.now(),
    )
    old_apps.get_model("enrolment", "EmailConfirmation").objects.create(
        user_id=user.pk, email="perso@x.fr", token_hash=hash_key("confirm-key"), expires_at=soon
    )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    invitation = link_find("invitation-key", kind=LinkKind.INVITATION)
    assert invitation.enrolment_id == enrolment.pk
    assert link_state(invitation) == VALID
    assert link_state(link_find("revoked-key", kind=LinkKind.INVITATION)) == UNKNOWN
    confirmation = link_find("confirm-key", kind=LinkKind.EMAIL_CONFIRMATION)
    assert (confirmation.user_id, confirmation.email) == (user.pk, "perso@x.fr")
    assert link_state(confirmation) == VALID
