"""Signals other apps listen to, so that a lower layer tells without importing them."""

from django.dispatch import Signal

# Sent inside the validation's transaction (kwargs: ``enrolment``, ``by``): a receiver
# that fails rolls the validation back.
enrolment_validated = Signal()
