"""Electronic signature by SMS code: the membership form (``membership_form``), the
attempts, codes and evidence (``models``, registered in the enrolment app through
``enrolment/models.py``), the signing services (``services``) and the back-office pages
of signed enrolments and evidence (``admin``, loaded by ``enrolment/admin.py``)."""
