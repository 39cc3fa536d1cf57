from celery import shared_task

from .models import SettlementImport


@shared_task(acks_late=True)
def run_settlement_import(import_id: int) -> None:
    """Process an uploaded settlement file. Redelivery is harmless: a started import is
    skipped, and an interrupted one wrote nothing (one transaction at the end)."""
    from .services.settlements import settlement_import_run

    settlement_import = SettlementImport.objects.filter(pk=import_id).first()
    if settlement_import is not None:
        settlement_import_run(settlement_import=settlement_import)


@shared_task
def generate_payment_batch() -> None:
    """Daily (beat): the day's credit-transfer file; a second run finds it made."""
    from .services.payments import payment_batch_generate

    payment_batch_generate()


@shared_task
def produce_monthly_statements() -> None:
    """Monthly (beat, on the 1st): last month's statements; a second run adds nothing."""
    from .services.statements import statements_monthly

    statements_monthly()
