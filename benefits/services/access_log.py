from benefits.models import HealthDataAccess


def health_data_access_log(*, user, enrolment_ids, what: str) -> None:
    """Write who of the back office read which members' reimbursements (one row each)."""
    HealthDataAccess.objects.bulk_create(
        HealthDataAccess(user=user, enrolment_id=enrolment_id, what=what[:200])
        for enrolment_id in sorted(enrolment_ids)
    )
