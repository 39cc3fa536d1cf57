"""Back-office roles: the « Gestionnaire » group and its permissions.

The group is (re)synchronised after every ``migrate`` so that models added later (by
any app listed here) get their permissions without another data migration.
"""

from django.contrib.auth.models import Group, Permission

GESTIONNAIRE = "Gestionnaire"
BACK_OFFICE_APPS = (
    "mutuelle",
    "enrolment",
    "dispensations",
    "member_requests",
    "benefits",
    "conversations",
    "directory",
    "contributions",
)

# app_label.model → actions beyond "view" (granted on every back-office model).
# Request history (RequestEvent), evidence and the outbox stay read-only: they are
# written by the services, never by hand.
EXTRA_ACTIONS: dict[str, tuple[str, ...]] = {
    "mutuelle.user": ("add", "change"),
    "mutuelle.accountmanager": ("add", "change"),
    "mutuelle.company": ("add", "change"),
    "mutuelle.correspondentaccess": ("add", "change", "delete"),
    "mutuelle.contract": ("add", "change"),
    "mutuelle.insuredgroup": ("add", "change"),
    "mutuelle.offer": ("add", "change"),
    "mutuelle.guaranteerow": ("add", "change", "delete"),
    "enrolment.employee": ("change",),
    "enrolment.enrolment": ("change",),
    "enrolment.signedenrolment": ("change",),
    "enrolment.beneficiary": ("add", "change"),
    "enrolment.bankaccount": ("add", "change"),
    "enrolment.request": ("change",),
    "enrolment.termination": ("change",),
    "enrolment.membercard": ("change",),
    "conversations.conversation": ("change",),
    "conversations.complaint": ("change",),
    "directory.agency": ("add", "change", "delete"),
    "directory.partnerprofessional": ("add", "change", "delete"),
    "dispensations.dispensation": ("change",),
    "dispensations.contractdispensationsettings": ("add", "change"),
    "member_requests.memberrequest": ("change",),
    "member_requests.beneficiaryrequest": ("change",),
    "member_requests.bankaccountrequest": ("change",),
    "member_requests.portabilityrequest": ("change",),
    "member_requests.otherrequest": ("change",),
    "member_requests.contractmembersettings": ("add", "change"),
    "contributions.debitbatch": ("change",),
    "contributions.instalment": ("change",),
    "benefits.settlementimport": ("add",),
    "benefits.professional": ("add", "change"),
    "benefits.paymentbatch": ("change",),
    "benefits.benefitrequest": ("change",),
    "benefits.reimbursementrequest": ("change",),
    "benefits.estimaterequest": ("change",),
}


# Not even "view": the health-data access log is read by superusers only.
SUPERUSER_ONLY = frozenset({"benefits.healthdataaccess"})


def gestionnaire_permissions():
    perms = Permission.objects.filter(content_type__app_label__in=BACK_OFFICE_APPS).select_related(
        "content_type"
    )
    wanted = []
    for perm in perms:
        action, _, _model = perm.codename.partition("_")
        key = f"{perm.content_type.app_label}.{perm.content_type.model}"
        if key in SUPERUSER_ONLY:
            continue
        if action == "view" or action in EXTRA_ACTIONS.get(key, ()):
            wanted.append(perm)
    return wanted


def ensure_gestionnaire_group(**kwargs) -> Group:
    group, _ = Group.objects.get_or_create(name=GESTIONNAIRE)
    group.permissions.set(gestionnaire_permissions())
    return group
