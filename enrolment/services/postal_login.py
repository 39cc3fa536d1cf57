"""Accounts created for the postal letters (employees declared without e-mail) log in
with a placeholder address in a reserved domain. A leaf module: invitation and
activation read it without importing the letters' production, which queues tasks
(enrolment.tasks imports the invitation services: no import cycle)."""

NO_EMAIL_DOMAIN = "courrier.invalid"


def has_postal_login(email: str) -> bool:
    return email.endswith("@" + NO_EMAIL_DOMAIN)
