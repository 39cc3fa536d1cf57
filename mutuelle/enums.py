from django.db import models


class ProductLine(models.TextChoices):
    HEALTH = "sante", "Complémentaire santé"
    PROVIDENT = "prevoyance", "Prévoyance"


class CoverageLevel(models.TextChoices):
    BASE = "base", "Base"
    BASE_OPT1 = "base_opt1", "Base + Option 1"
    BASE_OPT2 = "base_opt2", "Base + Option 2"
    BASE_SUR = "base_sur", "Base + Surcomplémentaire"
    BASE_OPT1_SUR = "base_opt1_sur", "Base + Option 1 + Surcomplémentaire"
    BASE_OPT2_SUR = "base_opt2_sur", "Base + Option 2 + Surcomplémentaire"


class DebitFrequency(models.TextChoices):
    ANNUAL = "annuelle", "Annuelle"
    HALF_YEARLY = "semestrielle", "Semestrielle"
    QUARTERLY = "trimestrielle", "Trimestrielle"
    MONTHLY = "mensuelle", "Mensuelle"


DEBIT_DAYS = (5, 10, 15, 20)


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "En attente d'envoi"
    SENT = "sent", "Envoyé"
    FAILED = "failed", "Échec"
