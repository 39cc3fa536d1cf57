from django.db import models


class DispensationStatus(models.TextChoices):
    SUBMITTED = "en_cours", "En cours"
    AWAITING_COMPLEMENT = "attente_complement", "En attente de complément"
    ACCEPTED = "traitee", "Traitée"
    REFUSED = "refusee", "Refusée"
    WITHDRAWN = "retiree", "Retirée"
    ENDED = "terminee", "Terminée"


S = DispensationStatus
# Not yet decided: the employee may still withdraw and enrol instead.
UNDECIDED_STATES = frozenset({S.SUBMITTED, S.AWAITING_COMPLEMENT})
# At most one open dispensation per enrolment.
OPEN_STATES = frozenset(UNDECIDED_STATES | {S.ACCEPTED})


class ProofKind(models.TextChoices):
    REQUEST = "demande", "Demande initiale"
    COMPLEMENT = "complement", "Complément"
    YEARLY = "annuel", "Justificatif annuel"
