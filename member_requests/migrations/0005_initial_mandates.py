"""The membership form's mandate of every enrolment already validated gets its row (it
used to be created by the first direct-debit batch; validation creates it now)."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

# Validated at some point: the states the direct-debit batches may meet.
VALIDATED = ["active", "portability", "terminated"]


def create_initial_mandates(apps, schema_editor):
    Enrolment = apps.get_model("enrolment", "Enrolment")
    BankAccount = apps.get_model("enrolment", "BankAccount")
    SepaMandate = apps.get_model("member_requests", "SepaMandate")
    known = set(SepaMandate.objects.values_list("reference", flat=True))
    enrolments = (
        Enrolment.objects.filter(status__in=VALIDATED)
        .exclude(sepa_mandate_reference="")
        .values_list("pk", "sepa_mandate_reference", "signed_at", "effective_date")
    )
    wanted = {pk: row for pk, *row in enrolments if row[0] not in known}
    # The form's mandate debits the contribution account, else the benefit account.
    accounts = {}
    pks = list(wanted)
    for start in range(0, len(pks), 500):
        for account in BankAccount.objects.filter(
            enrolment_id__in=pks[start : start + 500], beneficiary__isnull=True
        ):
            if account.enrolment_id not in accounts or account.purpose == "cotisations":
                accounts[account.enrolment_id] = account
    SepaMandate.objects.bulk_create(
        [
            SepaMandate(
                enrolment_id=pk,
                reference=reference,
                creditor_ics=settings.MUTUELLE["sepa_creditor_ics"],
                holder=accounts[pk].holder[:70],
                iban=accounts[pk].iban,
                bic=accounts[pk].bic,
                status="actif",
                signed_on=timezone.localdate(signed_at) if signed_at else None,
                usable_from=effective_date,
            )
            for pk, (reference, signed_at, effective_date) in wanted.items()
            if pk in accounts
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("member_requests", "0004_beneficiaries"),
    ]

    operations = [
        migrations.RunPython(create_initial_mandates, migrations.RunPython.noop),
    ]
