"""Choices and named groups of states for enrolments and requests."""

from django.db import models


class Civility(models.TextChoices):
    MR = "M", "Monsieur"
    MRS = "MME", "Madame"


class FamilyStatus(models.TextChoices):
    SINGLE = "celibataire", "Célibataire"
    MARRIED = "marie", "Marié(e)"
    PACS = "pacse", "Pacsé(e)"
    COHABITING = "concubinage", "En concubinage"
    DIVORCED = "divorce", "Divorcé(e)"
    WIDOWED = "veuf", "Veuf / veuve"


class EnrolmentStatus(models.TextChoices):
    PRE_AFFILIATED = "pre_affiliated", "Pré-affilié"
    INVITED = "invited", "Invité"
    IN_PROGRESS = "in_progress", "Adhésion en cours"
    SIGNED = "signed", "Signé"
    ACTIVE = "active", "Mis en gestion"
    TERMINATED = "terminated", "Radié"
    PORTABILITY = "portability", "En portabilité"
    DISPENSATION_REQUESTED = "dispensation_requested", "Dispense demandée"
    DISPENSED = "dispensed", "Dispensé"
    EXPIRED = "expired", "Expiré"
    CANCELLED = "cancelled", "Annulé"


# What the employee reads about their own enrolment, where the back office's and the
# employer's words (« Mis en gestion », « Radié ») mean nothing to them.
MEMBER_STATUS_LABELS = {
    EnrolmentStatus.SIGNED: "Adhésion signée, en cours de vérification",
    EnrolmentStatus.ACTIVE: "Adhésion validée",
    EnrolmentStatus.TERMINATED: "Adhésion terminée",
}

# Named groups of states: use these, never spell the sets out in views.
WAITING_FOR_EMPLOYEE = frozenset(
    {EnrolmentStatus.PRE_AFFILIATED, EnrolmentStatus.INVITED, EnrolmentStatus.IN_PROGRESS}
)
# The employer may remind the employee (and the reminders job does).
REMINDABLE_STATES = frozenset({EnrolmentStatus.INVITED, EnrolmentStatus.IN_PROGRESS})
BEING_PROCESSED = frozenset({EnrolmentStatus.SIGNED, EnrolmentStatus.DISPENSATION_REQUESTED})
# "Open" enrolments: at most one per employee and contract.
OPEN_STATES = frozenset(
    WAITING_FOR_EMPLOYEE | BEING_PROCESSED | {EnrolmentStatus.ACTIVE, EnrolmentStatus.PORTABILITY}
)
COVERED_STATES = frozenset({EnrolmentStatus.ACTIVE, EnrolmentStatus.PORTABILITY})
ENDED_STATES = frozenset(
    {
        EnrolmentStatus.TERMINATED,
        EnrolmentStatus.DISPENSED,
        EnrolmentStatus.EXPIRED,
        EnrolmentStatus.CANCELLED,
    }
)


class EmployeeStatus(models.TextChoices):
    """What the correspondent reads in « Mes collaborateurs »."""

    ENROLLING = "enrolling", "En cours d'affiliation"
    ACTIVE = "active", "Mis en gestion"
    DISPENSED = "dispensed", "Dispensé"
    TERMINATED = "terminated", "Radié"
    PORTABILITY = "portability", "En portabilité"


EMPLOYEE_STATUS_OF_ENROLMENT = {
    EnrolmentStatus.PRE_AFFILIATED: EmployeeStatus.ENROLLING,
    EnrolmentStatus.INVITED: EmployeeStatus.ENROLLING,
    EnrolmentStatus.IN_PROGRESS: EmployeeStatus.ENROLLING,
    EnrolmentStatus.SIGNED: EmployeeStatus.ENROLLING,
    EnrolmentStatus.DISPENSATION_REQUESTED: EmployeeStatus.ENROLLING,
    EnrolmentStatus.ACTIVE: EmployeeStatus.ACTIVE,
    EnrolmentStatus.PORTABILITY: EmployeeStatus.PORTABILITY,
    EnrolmentStatus.TERMINATED: EmployeeStatus.TERMINATED,
    EnrolmentStatus.DISPENSED: EmployeeStatus.DISPENSED,
    EnrolmentStatus.EXPIRED: EmployeeStatus.TERMINATED,
    EnrolmentStatus.CANCELLED: EmployeeStatus.TERMINATED,
}


class RequestType(models.TextChoices):
    AFFILIATION = "affiliation", "Affiliation"
    TERMINATION = "resiliation", "Résiliation"
    DISPENSATION = "dispense", "Dispense"
    DEATH = "deces", "Décès"


class RequestStatus(models.TextChoices):
    """The employer's view of a request (DESIGN §4)."""

    WAITING = "en_attente", "En attente"
    PROCESSING = "en_cours", "En cours"
    CANCELLED = "annulee", "Annulée"
    CLOSED = "cloturee", "Clôturée"


REQUEST_STATUS_OF_ENROLMENT = {
    EnrolmentStatus.PRE_AFFILIATED: RequestStatus.WAITING,
    EnrolmentStatus.INVITED: RequestStatus.WAITING,
    EnrolmentStatus.IN_PROGRESS: RequestStatus.WAITING,
    EnrolmentStatus.SIGNED: RequestStatus.PROCESSING,
    EnrolmentStatus.DISPENSATION_REQUESTED: RequestStatus.PROCESSING,
    EnrolmentStatus.ACTIVE: RequestStatus.CLOSED,
    EnrolmentStatus.DISPENSED: RequestStatus.CLOSED,
    EnrolmentStatus.TERMINATED: RequestStatus.CLOSED,
    EnrolmentStatus.PORTABILITY: RequestStatus.CLOSED,
    EnrolmentStatus.EXPIRED: RequestStatus.CANCELLED,
    EnrolmentStatus.CANCELLED: RequestStatus.CANCELLED,
}


class Relationship(models.TextChoices):
    SPOUSE = "conjoint", "Conjoint"
    CHILD = "enfant", "Enfant"


class SpouseKind(models.TextChoices):
    MARRIED = "marie", "Marié(e)"
    PACS = "pacse", "Pacsé(e)"
    COHABITING = "concubin", "Concubin(e)"


class BankAccountPurpose(models.TextChoices):
    BENEFITS = "prestations", "Remboursement des prestations"
    CONTRIBUTIONS = "cotisations", "Prélèvement des cotisations"


class TerminationReason(models.TextChoices):
    """Why the employment contract ended. Whether it opens portability (art. L911-8 CSS)
    is decided in ``enrolment.portability``, not here."""

    END_OF_CONTRACT = "fin_cdd", "Fin de contrat à durée déterminée (CDD)"
    EARLY_END_FIXED_TERM = (
        "rupture_anticipee_cdd",
        "Rupture anticipée du CDD à l'initiative de l'employeur",
    )
    END_OF_MISSION = "fin_mission", "Fin de mission de travail temporaire (intérim)"
    APPRENTICESHIP_END = "fin_apprentissage", "Fin ou rupture du contrat d'apprentissage"
    TRIAL_END_BY_EMPLOYER = (
        "essai_employeur",
        "Fin de la période d'essai à l'initiative de l'employeur",
    )
    TRIAL_END_BY_EMPLOYEE = "essai_salarie", "Fin de la période d'essai à l'initiative du salarié"
    DISMISSAL = "licenciement", "Licenciement (hors faute lourde)"
    DISMISSAL_GROSS_MISCONDUCT = "licenciement_faute_lourde", "Licenciement pour faute lourde"
    CONVENTIONAL_TERMINATION = "rupture_conventionnelle", "Rupture conventionnelle"
    RESIGNATION = "demission", "Démission"
    RESIGNATION_PORTABILITY = (
        "demission_portabilite",
        "Démission légitime (ouvrant droit à l'assurance chômage)",
    )
    RETIREMENT = "retraite", "Départ ou mise à la retraite"
    DEATH = "deces", "Décès"
    EXCEPTIONAL = "exceptionnelle", "Résiliation exceptionnelle en cours d'année / Suite dispense"
    PARENTAL_LEAVE = "conge", "Congé parental / sabbatique"


class UnemploymentEligibility(models.TextChoices):
    """The correspondent's answer to « Le salarié peut-il prétendre à l'assurance
    chômage ? »."""

    YES = "oui", "Oui"
    NO = "non", "Non"
    UNKNOWN = "ne_sait_pas", "Ne sait pas"


class TerminationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Transmise"
    PROCESSED = "processed", "Traitée"
    CANCELLED = "cancelled", "Annulée"


class PostalLetterKind(models.TextChoices):
    """The two letters sent to an employee without e-mail, posted separately."""

    IDENTIFIER = "identifiant", "Courrier 1 : identifiant de connexion"
    PASSWORD = "mot_de_passe", "Courrier 2 : mot de passe provisoire"


class LinkKind(models.TextChoices):
    """What a single-use e-mailed link does (``enrolment.services.links``)."""

    INVITATION = "invitation", "Invitation à adhérer"
    EMAIL_CONFIRMATION = "email_confirmation", "Confirmation d'adresse e-mail personnelle"
    ACCOUNT_ACTIVATION = "account_activation", "Activation de l'espace adhérent"


class PhoneSource(models.TextChoices):
    """Where the mobile on record came from: the signature code goes to it, and the
    signature evidence says which."""

    EMPLOYER = "employer", "Déclaré par l'employeur à la pré-affiliation"
    PROFILE = "profile", "Saisi à l'étape « Mon profil » et confirmé par code SMS"
    SIGNATURE = "signature", "Modifié à la signature (mot de passe et code SMS)"
    MEMBER_AREA = "member_area", "Modifié dans l'espace adhérent et confirmé par code SMS"


class MemberDocumentKind(models.TextChoices):
    """Types of « Mes documents ». Other apps file their documents under their own kind
    (statements, schedules, receipts, mandates) through ``member_document_add``."""

    MEMBERSHIP_FORM = "bulletin", "Bulletin d'adhésion signé"
    CARD = "carte", "Carte mutualiste"
    ATTESTATION = "attestation", "Attestation d'appartenance"
    LETTER = "courrier", "Courrier"
    EMAIL = "email", "E-mail"
    GUARANTEE_TABLE = "garanties", "Tableau de garanties"
    STATEMENT = "releve", "Relevé de prestations"
    SCHEDULE = "echeancier", "Échéancier de cotisations"
    RECEIPT = "recu", "Reçu de paiement"
    MANDATE = "mandat", "Mandat de prélèvement SEPA"
    OTHER = "autre", "Autre document"
