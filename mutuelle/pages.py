"""The spaces' pages that lower layers link to, by name (« member.invitation »).

The layers (README, DESIGN.md §3) put the domain apps below the two spaces: an
invitation e-mail written by ``enrolment``, a dispensation e-mail written by
``dispensations`` or the redirect after login chosen in ``mutuelle`` must link to a page
of a space, but a lower layer does not name a higher layer's URLs. So the lower layer
asks for a page by the name listed in :data:`PAGES`, and the space that owns the page
registers which of its URL names serves it, in its ``AppConfig.ready()``
(:func:`pages_register`). Renaming or moving a page then stays inside its space.

Why a fixed list here rather than names declared where they are used: the list is
the contract between the layers, read in one place, and the system check
(``mutuelle.checks.page_links_check``) can tell at startup — ``manage.py check``,
``migrate``, ``runserver`` — that every page is registered to a URL name that exists,
instead of an e-mail failing when it is sent.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

# Page name → what the page is and the arguments its URL takes.
PAGES = {
    "member.home": "the member space's home",
    "member.account_create": "« Créer mon espace » (a member without an online account)",
    "member.invitation": "the employee's invitation link (args: token)",
    "member.confirm_email": "confirming a new e-mail address (args: token)",
    "member.card": "the member card",
    "member.reimbursements": "« Mes remboursements », the member's reimbursements",
    "member.conversation": "a conversation with an advisor (args: conversation id)",
    "member.signed_dossier": "the signed form to download (args: enrolment id)",
    "member.dispensations": "tracking of the dispensation requests",
    "member.dispensation_complete": "completing a dispensation request (args: dispensation id)",
    "member.dispensation_rejustify": "a dispensation's yearly proof (args: dispensation id)",
    "employer.companies": "the correspondent's « Mes entreprises »",
    "employer.home": "a company's home (args: company id)",
}

# Page name → URL name, filled by the spaces at startup.
_url_names: dict[str, str] = {}


def pages_register(url_names: dict[str, str]) -> None:
    """Called by a space's ``AppConfig.ready()``: which of its URL names serves each page."""
    unknown = sorted(set(url_names) - set(PAGES))
    if unknown:
        raise ImproperlyConfigured(
            f"Unknown page name(s) {unknown}: list them in mutuelle.pages.PAGES first."
        )
    _url_names.update(url_names)


def page_url_name(page: str) -> str | None:
    """The URL name registered for ``page`` (``None`` when no space registered it)."""
    return _url_names.get(page)


def page_path(page: str, *args) -> str:
    """The page's path (for a redirect or a link on a page of this site)."""
    url_name = _url_names.get(page)
    if url_name is None:
        raise ImproperlyConfigured(
            f"No space registered the page {page!r} (mutuelle.pages; see `manage.py check`)."
        )
    return reverse(url_name, args=args)


def page_url(page: str, *args) -> str:
    """The page's absolute address (for an e-mail or a letter)."""
    return settings.SITE_URL + page_path(page, *args)
