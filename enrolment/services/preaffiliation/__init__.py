"""Pre-affiliation: the employer declares employees, by form or by file.

One set of rules serves both entry points (issue 3 §2), in four modules:

- ``fields``: the vocabulary (keys, French labels, required fields, lengths).
- ``parsing``: single values from a cell, a CSV field or a form (text, civility,
  yes/no, dates, postal codes).
- ``checks``: :func:`check_employee` validates one employee's data — raw strings from a
  file, or values already typed by a Django form — and returns the cleaned values and
  a dict ``field → [French messages]``. Each message is a whole sentence naming the
  field, so it reads well next to a form field and in the rejection file's « Nature de
  l'erreur ». :func:`check_employees` does the same for many rows with one query for
  the duplicate rule, and also refuses a NIR that appears twice among the rows.
- ``create``: :func:`enrolment_pre_affiliate` creates, in one transaction, the
  employees (or reuses the company's record of a returning employee), their enrolments
  (pre-affiliated), the affiliation requests with a first history event, and after
  commit queues the invitations and, for the employees without e-mail, the two postal
  letters. It is built for files of 10,000 rows: bulk inserts, a fixed number of
  queries per batch. On a prévoyance contract the same declaration affiliates at once
  (« mis en gestion », request closed) and queues the notice d'information instead
  (:mod:`enrolment.services.provident`).

The postal form of an address (« Adresse mise en forme ») and the postal-code checks live
with :class:`mutuelle.models.PostalAddress`, in :mod:`mutuelle.addresses`.

Decisions where the specification is silent:

- The effective date may not precede the hire date (nobody is covered by a company
  contract before working there) nor the contract's start date.
- The hire date may be at most 3 months ahead (``HIRE_DATE_MAX_AHEAD_DAYS``): an
  employer declares a recruit already signed, not a plan.
- The employee must be between 14 (minimum legal working age in France, apprentices)
  and 100 years old at the hire date.
- Two rows of the same batch with the same NIR are all refused: nothing tells which one
  is right.
- Without an e-mail address the identifiers go by post: the street, the postal code and
  the city are then required (the number is not: « lieu-dit » addresses have none).
"""

from .checks import check_employee, check_employees, employee_errors
from .create import PreAffiliationInvalid, enrolment_pre_affiliate, enrolment_pre_affiliate_ids

__all__ = [
    "PreAffiliationInvalid",
    "check_employee",
    "check_employees",
    "employee_errors",
    "enrolment_pre_affiliate",
    "enrolment_pre_affiliate_ids",
]
