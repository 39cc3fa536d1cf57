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


class GuaranteeDomain(models.TextChoices):
    """Sections of a guarantee grid, in the order the table shows them."""

    ROUTINE_CARE = "soins_courants", "Soins courants"
    HOSPITAL = "hospitalisation", "Hospitalisation"
    OPTICAL = "optique", "Optique"
    DENTAL = "dentaire", "Dentaire"
    HEARING = "aides_auditives", "Aides auditives"
    ALTERNATIVE = "medecines_douces", "Médecines douces"
    PREVENTION = "prevention", "Prévention"


class ActCode(models.TextChoices):
    """Act codes shared by the grids and the Sécurité sociale settlement files."""

    CONSULT_GEN = "CONSULT_GEN", "Consultation d'un médecin généraliste"
    CONSULT_SPE = "CONSULT_SPE", "Consultation d'un médecin spécialiste"
    PHARMACIE = "PHARMACIE", "Médicaments remboursés par la Sécurité sociale"
    ANALYSES = "ANALYSES", "Analyses de laboratoire"
    RADIOLOGIE = "RADIOLOGIE", "Radiologie, échographie, imagerie"
    AUXILIAIRES = "AUXILIAIRES", "Kinésithérapie, soins infirmiers, orthophonie"
    HOSP_FRAIS_SEJOUR = "HOSP_FRAIS_SEJOUR", "Frais de séjour à l'hôpital ou en clinique"
    HOSP_HONORAIRES = "HOSP_HONORAIRES", "Honoraires de chirurgien ou d'anesthésiste"
    HOSP_FORFAIT_JOURNALIER = "HOSP_FORFAIT_JOURNALIER", "Forfait journalier hospitalier"
    CHAMBRE_PARTICULIERE = "CHAMBRE_PARTICULIERE", "Chambre particulière (par jour)"
    OPTIQUE_100_SANTE = "OPTIQUE_100_SANTE", "Lunettes 100 % Santé"
    OPTIQUE_ADULTE = "OPTIQUE_ADULTE", "Lunettes d'adulte (verres et monture)"
    OPTIQUE_ENFANT = "OPTIQUE_ENFANT", "Lunettes d'enfant de moins de 16 ans"
    LENTILLES = "LENTILLES", "Lentilles de contact"
    DENTAIRE_SOINS = "DENTAIRE_SOINS", "Soins dentaires (détartrage, carie, dévitalisation)"
    DENTAIRE_PROTHESE_100_SANTE = "DENTAIRE_PROTHESE_100_SANTE", "Couronne ou bridge 100 % Santé"
    DENTAIRE_PROTHESE = "DENTAIRE_PROTHESE", "Couronne ou bridge (hors 100 % Santé)"
    ORTHODONTIE = "ORTHODONTIE", "Orthodontie acceptée par la Sécurité sociale"
    AUDIO_100_SANTE = "AUDIO_100_SANTE", "Aide auditive 100 % Santé (par oreille)"
    AUDIO_LIBRE = "AUDIO_LIBRE", "Aide auditive hors 100 % Santé (par oreille)"
    MEDECINES_DOUCES = "MEDECINES_DOUCES", "Ostéopathe, chiropracteur, acupuncteur (par séance)"
    VACCINS = "VACCINS", "Vaccins non remboursés par la Sécurité sociale"


class GuaranteeFormula(models.TextChoices):
    PERCENT_BR = "percent_br", "% de la base de remboursement (Sécurité sociale incluse)"
    FLAT_PER_ACT = "flat_per_act", "Forfait par acte"
    FLAT_PER_PERIOD = "flat_per_period", "Forfait par période et par bénéficiaire"
    REAL_COSTS = "real_costs", "Frais réels"
    SANTE_100 = "sante_100", "100 % Santé (panier sans reste à charge)"


class FeeSector(models.TextChoices):
    """Doctors' fees: OPTAM signatories (and secteur 1) or not; other acts: any."""

    ANY = "any", "Tous"
    OPTAM = "OPTAM", "Médecin adhérent OPTAM / secteur 1"
    NON_OPTAM = "NON_OPTAM", "Médecin non adhérent OPTAM"


class GuaranteePeriod(models.TextChoices):
    """Period over which an allowance, a ceiling or a count limit is consumed."""

    CALENDAR_YEAR = "calendar_year", "par année civile"
    TWO_YEARS = "two_years", "tous les deux ans"
    FOUR_YEARS = "four_years", "tous les quatre ans"


class AddressStatus(models.TextChoices):
    """What an address check (mutuelle.address_check) could say about an address."""

    VERIFIED = "verifiee", "Adresse vérifiée"
    FORMATTED = "mise_en_forme", "Adresse mise en forme, non vérifiée"
    NOT_FOUND = "introuvable", "Adresse introuvable, non vérifiée"
