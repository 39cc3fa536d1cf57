import datetime as dt

import pytest

from benefits.models import PaymentBatch, ReimbursementLine, SettlementImport
from demo.reimbursements import demo_history_seed
from tests.benefits.factories import covered_member
from tests.mutuelle.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 30)


def test_two_years_of_history_through_the_import_then_nothing_twice(
    django_capture_on_commit_callbacks,
):
    member = covered_member()
    staff = UserFactory(staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        first = demo_history_seed(enrolment=member, staff=staff, today=TODAY)
    lines = ReimbursementLine.objects.filter(enrolment=member)
    assert first == lines.count() > 60
    dates = sorted(lines.values_list("care_date", flat=True))
    assert dates[0] < dt.date(2024, 12, 31) and dates[-1] <= TODAY
    assert SettlementImport.objects.filter(rejected_count__gt=0).count() == 0
    people = set(lines.values_list("beneficiary", flat=True))
    assert len(people) == 3  # the member, the spouse and the child
    assert lines.filter(paid_on__isnull=False).count() > 0.8 * first
    assert not lines.filter(care_date__gte=TODAY.replace(day=1), paid_on__isnull=False).exists()
    assert lines.filter(third_party_payment=True, professional__isnull=False).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert demo_history_seed(enrolment=member, staff=staff, today=TODAY) == 0
    assert lines.count() == first
    # One batch per payment date (a month whose lines were all held or left nothing to
    # pay has none), and the second run made none.
    batches = PaymentBatch.objects.count()
    assert batches == lines.exclude(paid_on=None).values("paid_on").distinct().count()
    assert 20 <= batches <= 24
