from django.db import models


class Topic(models.TextChoices):
    """What the member writes about (« Contacter un conseiller »)."""

    REIMBURSEMENTS = "remboursements", "Mes remboursements"
    CONTRACT = "contrat", "Mon contrat et mes garanties"
    CONTRIBUTIONS = "cotisations", "Mes cotisations"
    BENEFICIARIES = "beneficiaires", "Mes bénéficiaires"
    PERSONAL = "informations", "Mes informations personnelles"
    CARD = "carte", "Ma carte mutualiste"
    COMPLAINT = "reclamation", "Réclamation"
    OTHER = "autre", "Autre question"


class ConversationStatus(models.TextChoices):
    AWAITING_ADVISOR = "attente_conseiller", "En attente de réponse"
    ANSWERED = "repondu", "Répondu"
    CLOSED = "clos", "Clos"


class Author(models.TextChoices):
    MEMBER = "adherent", "Adhérent"
    ADVISOR = "conseiller", "Conseiller"
    SYSTEM = "mutuelle", "Message automatique"
