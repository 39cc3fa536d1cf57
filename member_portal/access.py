"""Who is a member and which enrolment the member space shows: ``member_required``.

Every page of the space starts here. The member's enrolments are read once per request
(one query, whatever the number of contracts) and the page receives the current one;
someone without any enrolment of their own — a correspondent, the back office — gets a
404 on every member-area URL, never a hint that the page exists.
"""

import datetime as dt
from dataclasses import dataclass
from functools import cached_property, partial, wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from enrolment.enums import COVERED_STATES, EnrolmentStatus
from enrolment.models import Enrolment

S = EnrolmentStatus
ENROLLING = frozenset({S.INVITED, S.IN_PROGRESS})
DISPENSATION_STATES = frozenset({S.DISPENSATION_REQUESTED, S.DISPENSED})
# Enrolments with a contract to show (signed, then managed, then ended).
CONTRACT_STATES = frozenset({S.SIGNED, S.TERMINATED} | COVERED_STATES)
# Enrolments that have (or had) cover, hence reimbursements.
COVER_STATES = frozenset({S.TERMINATED} | COVERED_STATES)
# Which enrolment the space is about when a person has several: cover first.
_PRIORITY = [
    S.ACTIVE,
    S.PORTABILITY,
    S.SIGNED,
    S.IN_PROGRESS,
    S.INVITED,
    S.DISPENSATION_REQUESTED,
    S.DISPENSED,
    S.TERMINATED,
    S.EXPIRED,
    S.CANCELLED,
    S.PRE_AFFILIATED,
]


@dataclass
class MemberContext:
    """The person behind the request and what the menu and banners need to know."""

    user: object
    enrolments: list[Enrolment]

    @cached_property
    def enrolment(self) -> Enrolment:
        """The health enrolment the space is about (card, guarantees, reimbursements,
        requests); a prévoyance affiliation only when there is no health one."""
        return min(
            self.enrolments,
            key=lambda e: (
                e.contract.is_provident,
                _PRIORITY.index(e.status),
                -e.created_at.timestamp(),
            ),
        )

    @cached_property
    def provident_enrolments(self) -> list[Enrolment]:
        """The member's prévoyance affiliations shown beside the health contract in
        « Mon contrat » (most recent first)."""
        return sorted(
            (
                e
                for e in self.enrolments
                if e.contract.is_provident and e.status in CONTRACT_STATES and e != self.enrolment
            ),
            key=lambda e: -e.created_at.timestamp(),
        )

    @cached_property
    def covered_enrolment(self) -> Enrolment | None:
        """The most recent covered health enrolment: the one member requests and
        contributions act on (a prévoyance affiliation has no beneficiaries, bank
        details or contributions of the member's)."""
        covered = [
            e for e in self.enrolments if e.status in COVERED_STATES and not e.contract.is_provident
        ]
        return max(covered, key=lambda e: (e.effective_date or dt.date.min, e.pk), default=None)

    @property
    def employee(self):
        return self.enrolment.employee

    @property
    def display_name(self) -> str:
        """« Fatima L. », as in the seed's member-name menu."""
        employee = self.employee
        return f"{employee.first_name} {employee.last_name[:1].upper()}."

    @cached_property
    def enrolling(self) -> bool:
        return any(e.status in ENROLLING for e in self.enrolments)

    @cached_property
    def has_contract(self) -> bool:
        return self.enrolment.status in CONTRACT_STATES

    @cached_property
    def had_cover(self) -> bool:
        return self.enrolment.status in COVER_STATES

    @cached_property
    def dispensation_tracked(self) -> bool:
        return any(e.status in DISPENSATION_STATES for e in self.enrolments)

    @cached_property
    def dispensation_offered(self) -> bool:
        """« Ma demande de dispense »: the contract allows it and the enrolment is open."""
        return any(
            e.status in ENROLLING and e.contract.dispensation_enabled for e in self.enrolments
        )

    @property
    def portability_end(self) -> dt.date | None:
        enrolment = self.enrolment
        return enrolment.end_date if enrolment.status == S.PORTABILITY else None


def member_context(user) -> MemberContext | None:
    """The user's own enrolments (one query), or None when they have none."""
    if not user.is_authenticated:
        return None
    enrolments = list(
        Enrolment.objects.filter(employee__user=user).select_related(
            "employee__company", "contract", "group", "offer"
        )
    )
    return MemberContext(user=user, enrolments=enrolments) if enrolments else None


def member_required(view=None, *, covered: bool = False):
    """Log in, then call ``view(request, enrolment, ...)`` with the member's current
    enrolment (``covered=True``: their covered one, 404 if none); ``request.member``
    holds the ``MemberContext`` (menu, banners). 404 for anyone without an enrolment of
    their own. Every view of the member area goes through it."""
    if view is None:
        return partial(member_required, covered=covered)

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        member = member_context(request.user)
        if member is None:
            raise Http404
        request.member = member
        enrolment = member.covered_enrolment if covered else member.enrolment
        if enrolment is None:
            raise Http404("Aucune adhésion en cours.")
        return view(request, enrolment, *args, **kwargs)

    return wrapper
