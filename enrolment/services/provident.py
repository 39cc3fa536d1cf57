"""Prévoyance (death, incapacity and disability cover): affiliation is compulsory for
the insured groups (collèges) the contract covers, so there is no invitation, wizard,
signature or dispensation. The employer's declaration — the same form and file as for
the health contract, choosing a group of the prévoyance contract — affiliates the
employee at once (``enrolment.services.preaffiliation``, transition ``affiliate``).

Decision: the back office does not validate these affiliations. For health it checks
what the employee entered and signed (beneficiaries, bank details, chosen formula);
here the employee enters nothing and the employer declares under its own
responsibility (the same facts it sends in the DSN), so there is nothing for it to
check before the cover starts. The request is recorded closed, with its history.

The employee receives the contract's notice d'information by e-mail (art. L932-6 CSS /
L141-4 Code des assurances: the insurer writes it, the employer hands it over): the PDF
uploaded on the contract in the back office, or one the portal generates from the
contract. Employees without e-mail get it from their employer, who downloads it from
the employee's page. Terminations and portability (art. L911-8 CSS, which covers
prévoyance as well as health) follow the health contract's rules.
"""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from mutuelle.enums import Channel, ProductLine
from mutuelle.models import Contract
from mutuelle.notifications import Notification, notification_send_many
from mutuelle.pdf import render_pdf

from ..models import Enrolment

NOTICE_TEMPLATE = "enrolment/documents/provident_notice.html"


def provident_notice_pdf(contract: Contract) -> bytes:
    """The notice d'information generated from the contract (its groups and dates)."""
    return render_pdf(
        NOTICE_TEMPLATE,
        {
            "contract": contract,
            "company": contract.company,
            "groups": list(contract.groups.order_by("name")),
            "today": timezone.localdate(),
        },
    )


def provident_notice_name(*, contract: Contract) -> str:
    """The stored notice of ``contract`` (its storage name), generated and kept on the
    contract the first time when the back office uploaded none. Under the contract's
    lock: two imports at once generate it once."""
    with transaction.atomic():
        locked = (
            Contract.objects.select_for_update(of=("self",))
            .select_related("company")
            .get(pk=contract.pk)
        )
        if not locked.information_notice:
            locked.information_notice.save(
                f"{locked.number}.pdf", ContentFile(provident_notice_pdf(locked)), save=False
            )
            locked.save(update_fields=["information_notice"])
        return locked.information_notice.name


def provident_notice_open(*, contract: Contract):
    """The notice's file, opened for reading (generated first if needed)."""
    name = provident_notice_name(contract=contract)
    return Contract._meta.get_field("information_notice").storage.open(name, "rb")


def provident_notices_send(*, enrolment_ids: list[int]) -> int:
    """E-mail the notice d'information to the newly affiliated employees who have an
    e-mail address, once per enrolment (key ``provident_notice:<id>``). Returns the
    number of messages queued."""
    enrolments = (
        Enrolment.objects.filter(pk__in=enrolment_ids, contract__product_line=ProductLine.PROVIDENT)
        .exclude(employee__email="")
        .select_related("employee__company", "contract", "group")
        .order_by("pk")
    )
    by_contract: dict[int, list[Enrolment]] = {}
    for enrolment in enrolments:
        by_contract.setdefault(enrolment.contract_id, []).append(enrolment)
    queued = 0
    for group in by_contract.values():
        notice = provident_notice_name(contract=group[0].contract)
        queued += len(
            notification_send_many(
                channel=Channel.EMAIL,
                template="provident_affiliation",
                attachment=notice,
                notifications=[
                    Notification(
                        key=f"provident_notice:{enrolment.pk}",
                        to=enrolment.employee.email,
                        context={
                            "employee": enrolment.employee,
                            "company": enrolment.employee.company,
                            "enrolment": enrolment,
                            "contract": enrolment.contract,
                        },
                    )
                    for enrolment in group
                ],
            )
        )
    return queued
