from django.db import models


class Specialty(models.TextChoices):
    """Partner professionals of the mutuelle's network (« Mes services »)."""

    OPTICIAN = "opticien", "Opticien"
    HEARING = "audioprothesiste", "Audioprothésiste"
    DENTIST = "dentiste", "Chirurgien-dentiste"
    OSTEOPATH = "osteopathe", "Ostéopathe"
    PHYSIOTHERAPIST = "kinesitherapeute", "Masseur-kinésithérapeute"
    PODIATRIST = "podologue", "Pédicure-podologue"
    DIETITIAN = "dieteticien", "Diététicien"
    PSYCHOLOGIST = "psychologue", "Psychologue"
