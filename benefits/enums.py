"""Choices of the reimbursements domain."""

from django.db import models


class LineSource(models.TextChoices):
    SOCIAL_SECURITY = "ss", "Télétransmission de la Sécurité sociale"
    MEMBER_REQUEST = "demande", "Demande de remboursement de l'adhérent"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"
    REFUSED = "refused", "Fichier refusé"


class BatchStatus(models.TextChoices):
    GENERATED = "generated", "Généré, à envoyer"
    SENT = "sent", "Envoyé à la banque"


class StatementKind(models.TextChoices):
    MONTHLY = "mensuel", "Relevé mensuel"
    ON_DEMAND = "demande", "Relevé à la demande"


class CareKind(models.TextChoices):
    """Why the Sécurité sociale did not send the care (« Demander un remboursement »)."""

    ALTERNATIVE = "medecines_douces", "Médecines douces (ostéopathe, chiropracteur…)"
    ABROAD = "etranger", "Soins à l'étranger"
    NO_TELETRANSMISSION = "teletransmission", "Soins non transmis par la Sécurité sociale"
    OTHER = "autre", "Autres soins"
