"""Bulk pre-affiliation by file: templates and reading (``files``), the upload form
(``forms``), the job that validates and creates (``service``), the pages (``views``,
``urls``). The Celery task stays in ``employer_portal.tasks`` (Celery's discovery)."""
