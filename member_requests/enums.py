"""Kinds and states of member requests (« Mes demandes »)."""

from django.db import models


class MemberRequestKind(models.TextChoices):
    """One kind per request type; each has its own queue in the back office. Apps above
    (benefits: reimbursement, estimate) add their kinds here and their detail model
    one-to-one with ``MemberRequest``."""

    BENEFICIARY_ADD = "ajout_beneficiaire", "Adjonction de bénéficiaire"
    BENEFICIARY_REMOVE = "retrait_beneficiaire", "Retrait de bénéficiaire"
    CONTRIBUTION_ACCOUNT = "rib_cotisation", "Modification de RIB de cotisation"
    BENEFIT_ACCOUNT = "rib_prestation", "Modification de RIB de prestation"
    PORTABILITY = "portabilite", "Déclaration de portabilité"
    PORTABILITY_END = "fin_portabilite", "Fin de portabilité"
    REIMBURSEMENT = "remboursement", "Demande de remboursement"
    ESTIMATE = "estimation", "Demande d'estimation de remboursement"
    OTHER = "autre", "Autre demande"


class MemberRequestStatus(models.TextChoices):
    SUBMITTED = "envoyee", "Envoyée"
    IN_PROGRESS = "en_cours", "En cours"
    AWAITING_COMPLEMENT = "attente_complement", "En attente de complément"
    ACCEPTED = "acceptee", "Traitée — acceptée"
    REFUSED = "refusee", "Traitée — refusée"
    WITHDRAWN = "retiree", "Retirée"


S = MemberRequestStatus
# Nothing decided yet: the member may still withdraw, the back office may still decide.
UNDECIDED_STATES = frozenset({S.SUBMITTED, S.IN_PROGRESS, S.AWAITING_COMPLEMENT})
# « Traitées » in « Mes demandes » (withdrawn requests are listed there too).
CLOSED_STATES = frozenset({S.ACCEPTED, S.REFUSED, S.WITHDRAWN})


class DocumentStage(models.TextChoices):
    REQUEST = "demande", "Demande initiale"
    COMPLEMENT = "complement", "Complément"


class MandateStatus(models.TextChoices):
    TO_SIGN = "a_signer", "À signer"
    SIGNED = "signe", "Signé, en attente de validation"
    ACTIVE = "actif", "Actif"
    REVOKED = "revoque", "Révoqué"
    ABANDONED = "abandonne", "Abandonné"


class PortabilityEndCause(models.TextChoices):
    """What the member declares during the portability period (values of
    ``enrolment.portability.EarlyEndCause``)."""

    NEW_JOB = "nouvel_emploi", "J'ai retrouvé un emploi"
    BENEFITS_ENDED = "fin_indemnisation", "Je ne suis plus indemnisé(e)"


class BeneficiaryChangeAction(models.TextChoices):
    ADD = "ajout", "Ajout"
    REMOVE = "retrait", "Retrait"


class RemovalReason(models.TextChoices):
    DIVORCE = "separation", "Divorce, fin du PACS ou séparation"
    AGE_LIMIT = "limite_age", "Enfant au-delà de la limite d'âge"
    OWN_COVER = "propre_couverture", "Couverture personnelle ailleurs"
    OTHER = "autre", "Autre motif"
