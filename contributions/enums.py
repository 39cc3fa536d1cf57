from django.db import models


class InstalmentStatus(models.TextChoices):
    SCHEDULED = "prevue", "À prélever"
    PRESENTED = "presentee", "Prélèvement présenté"
    PAID = "payee", "Payée"
    ARREARS = "impayee", "Impayée"
    SETTLED = "regularisee", "Régularisée par carte"


# What « Vérifier ma situation » lists as late, and what « Régulariser » pays.
LATE_STATES = frozenset({InstalmentStatus.ARREARS})


class SequenceType(models.TextChoices):
    FIRST = "FRST", "Premier prélèvement (FRST)"
    RECURRING = "RCUR", "Prélèvement récurrent (RCUR)"


class BatchStatus(models.TextChoices):
    READY = "pret", "Prêt à envoyer"
    SENT = "envoye", "Envoyé à la banque"


class PaymentStatus(models.TextChoices):
    PENDING = "en_attente", "En attente"
    PAID = "payee", "Payé"
    FAILED = "echoue", "Échoué"


# SEPA R-transaction reason codes the back office meets most (ISO 20022 ExternalReturnReason).
RETURN_REASONS = {
    "AC01": "Numéro de compte incorrect",
    "AC04": "Compte clôturé",
    "AC06": "Compte bloqué",
    "AM04": "Provision insuffisante",
    "MD01": "Pas de mandat",
    "MD06": "Remboursement demandé par le débiteur",
    "MS02": "Refus du débiteur",
    "MS03": "Raison non communiquée",
    "SL01": "Service spécifique de la banque du débiteur",
}
