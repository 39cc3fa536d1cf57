import datetime as dt

from contributions.services import instalments_generate
from tests.member_requests.factories import covered_member


def member_with_instalments(*, until=dt.date(2026, 3, 31), **kwargs):
    """A covered member (offer 12,40 € a month for the member, spouse 25,50 €, child
    15,20 €, all debited monthly on the 10th) and their instalments up to ``until``."""
    enrolment = covered_member(effective_date=dt.date(2026, 1, 1), **kwargs)
    enrolment.group.contract.beneficiaries_debited = True
    enrolment.group.contract.save(update_fields=["beneficiaries_debited"])
    enrolment.refresh_from_db()
    instalments_generate(enrolment=enrolment, until=until)
    return enrolment
