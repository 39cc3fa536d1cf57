"""Relevés de prestations (issue 9 §3): a PDF of the lines paid in a month (produced on
the 1st for members with e-courriers, idempotent) or of the care of any period and
beneficiaries the member picks; filed in « Mes documents »."""

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from benefits.enums import StatementKind
from benefits.models import ReimbursementLine, Statement
from benefits.selectors import member_people, people_filter
from enrolment.enums import MemberDocumentKind
from enrolment.models import Enrolment
from enrolment.services.member_documents import member_document_add
from mutuelle.pdf import render_pdf


def _month_label(start: dt.date) -> str:
    return date_format(start, "F Y")


def statement_pdf(*, enrolment: Enrolment, title: str, lines, people) -> bytes:
    names = {person.beneficiary_id: person.name for person in people}
    total = {
        key: sum((getattr(line, key) for line in lines), Decimal("0"))
        for key in ("actual_cost", "ss_paid", "mutuelle_share", "out_of_pocket")
    }
    return render_pdf(
        "benefits/statement.html",
        {
            "mutuelle": settings.MUTUELLE,
            "enrolment": enrolment,
            "employee": enrolment.employee,
            "title": title,
            "rows": [(line, names.get(line.beneficiary_id, "")) for line in lines],
            "total": total,
            "today": timezone.localdate(),
        },
    )


def statement_produce(
    *,
    enrolment: Enrolment,
    kind: str,
    period_start: dt.date,
    period_end: dt.date,
    beneficiary_keys=(),
) -> Statement:
    """Render and file one statement. Monthly statements list the lines PAID in the
    month and exist once per month; on-demand ones list the CARE of the period."""
    people = member_people(enrolment)
    lines = ReimbursementLine.objects.filter(enrolment=enrolment).select_related("guarantee_row")
    if kind == StatementKind.MONTHLY:
        lines = lines.filter(paid_on__range=(period_start, period_end))
        title = f"Relevé de prestations — {_month_label(period_start)}"
        key = f"releve:{enrolment.pk}:{period_start:%Y-%m}"
    else:
        lines = lines.filter(care_date__range=(period_start, period_end))
        if beneficiary_keys:
            lines = lines.filter(people_filter(beneficiary_keys))
        title = f"Relevé de prestations du {period_start:%d/%m/%Y} au {period_end:%d/%m/%Y}"
        key = ""
    lines = list(lines.order_by("care_date", "pk"))
    with transaction.atomic():
        if kind == StatementKind.MONTHLY:
            existing = Statement.objects.filter(
                enrolment=enrolment, kind=kind, period_start=period_start
            ).first()
            if existing is not None:
                return existing
        content = statement_pdf(enrolment=enrolment, title=title, lines=lines, people=people)
        document = member_document_add(
            enrolment=enrolment,
            kind=MemberDocumentKind.STATEMENT,
            title=title,
            content=content,
            filename=f"releve-{period_start:%Y%m%d}-{period_end:%Y%m%d}.pdf",
            document_date=period_end,
            key=key,
        )
        return Statement.objects.create(
            enrolment=enrolment,
            kind=kind,
            period_start=period_start,
            period_end=period_end,
            beneficiary_ids=sorted(beneficiary_keys),
            line_count=len(lines),
            document=document,
        )


def statements_monthly(*, today: dt.date | None = None) -> int:
    """The previous month's statement of every e-courriers member paid in that month
    (run on the 1st by Celery beat; a second run produces nothing)."""
    today = today or timezone.localdate()
    start = (today - relativedelta(months=1)).replace(day=1)
    end = today.replace(day=1) - dt.timedelta(days=1)
    due = (
        Enrolment.objects.filter(
            employee__paperless_mail=True,
            reimbursement_lines__paid_on__range=(start, end),
        )
        .exclude(Q(statements__kind=StatementKind.MONTHLY) & Q(statements__period_start=start))
        .select_related("employee")
        .distinct()
    )
    produced = 0
    for enrolment in due:
        statement_produce(
            enrolment=enrolment, kind=StatementKind.MONTHLY, period_start=start, period_end=end
        )
        produced += 1
    return produced
