"""The field vocabulary of a pre-affiliation: keys (the Employee / Enrolment model
names), French labels in the order of the form and of the import file, and which are
required."""

# Field keys (the Employee / Enrolment model names) and their French labels, in the
# order of the form and of the import file.
FIELD_LABELS: dict[str, str] = {
    "civility": "Civilité",
    "last_name": "Nom",
    "first_name": "Prénom",
    "birth_date": "Date de naissance",
    "nir": "Numéro de sécurité sociale",
    "insurance_fund_code": "Organisme de rattachement",
    "email": "Email",
    "phone": "Téléphone portable",
    "address_floor": "Escalier / Étage",
    "address_building": "Bâtiment / Résidence",
    "address_number": "Numéro",
    "address_street": "Libellé de la voie",
    "address_locality": "Lieu-dit",
    "postal_code": "Code postal",
    "city": "Ville",
    "country": "Pays",
    "payroll_id": "Matricule",
    "hire_date": "Date d'embauche",
    "alsace_moselle": "Régime local Alsace-Moselle",
    "effective_date": "Date d'effet du contrat",
}
# Columns added to the import template after correspondents had made files from it:
# a file without them is still read (the cells are then blank).
OPTIONAL_COLUMNS = frozenset({"phone"})
REQUIRED_FIELDS = (
    "civility",
    "last_name",
    "first_name",
    "birth_date",
    "nir",
    "hire_date",
    "alsace_moselle",
    "effective_date",
)
REQUIRED_MESSAGES = {
    "civility": "La civilité est obligatoire.",
    "last_name": "Le nom est obligatoire.",
    "first_name": "Le prénom est obligatoire.",
    "birth_date": "La date de naissance est obligatoire.",
    "nir": "Le numéro de sécurité sociale est obligatoire.",
    "hire_date": "La date d'embauche est obligatoire.",
    "alsace_moselle": "Le régime local Alsace-Moselle (Oui ou Non) est obligatoire.",
    "effective_date": "La date d'effet du contrat est obligatoire.",
}
ADDRESS_REQUIRED_WITHOUT_EMAIL = {
    "address_street": "Sans adresse e-mail, le libellé de la voie est obligatoire "
    "(les identifiants seront envoyés par courrier).",
    "postal_code": "Sans adresse e-mail, le code postal est obligatoire "
    "(les identifiants seront envoyés par courrier).",
    "city": "Sans adresse e-mail, la ville est obligatoire "
    "(les identifiants seront envoyés par courrier).",
}
# The signature code goes to this mobile (issue 12 §1): a number that cannot receive it
# is refused rather than kept.
PHONE_MESSAGE = (
    "Le téléphone portable doit être un mobile français commençant par 06 ou 07 "
    "(exemple : 06 12 34 56 78) : le code de signature lui est envoyé par SMS, un numéro "
    "fixe ou étranger ne peut pas le recevoir."
)
# AFNOR: address lines of at most 38 characters; the model columns follow.
MAX_LENGTHS = {
    "first_name": 100,
    "last_name": 100,
    "insurance_fund_code": 20,
    "address_floor": 38,
    "address_building": 38,
    "address_number": 10,
    "address_street": 38,
    "address_locality": 38,
    "city": 60,
    "country": 60,
    "payroll_id": 30,
    "email": 254,
}
TEXT_FIELDS = (
    "first_name",
    "last_name",
    "insurance_fund_code",
    "email",
    "address_floor",
    "address_building",
    "address_number",
    "address_street",
    "address_locality",
    "postal_code",
    "city",
    "country",
    "payroll_id",
)
EMPLOYEE_FIELDS = (
    "civility",
    "first_name",
    "last_name",
    "birth_date",
    "nir",
    "insurance_fund_code",
    "email",
    "phone",
    "address_floor",
    "address_building",
    "address_number",
    "address_street",
    "address_locality",
    "postal_code",
    "city",
    "country",
    "payroll_id",
    "hire_date",
    "alsace_moselle",
)

# Free-text lines of the postal address (letters, digits, spaces, ' - , . / only).
ADDRESS_TEXT_FIELDS = (
    "address_floor",
    "address_building",
    "address_number",
    "address_street",
    "address_locality",
    "city",
    "country",
)
