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

# Page name → what it is and the arguments it takes.
PAGES = {
    "member.home": "accueil de l'espace adhérent",
    "member.account_create": "« Créer mon espace » (adhérent sans compte en ligne)",
    "member.invitation": "lien d'invitation du salarié (jeton)",
    "member.confirm_email": "confirmation d'une nouvelle adresse e-mail (jeton)",
    "member.card": "carte mutualiste",
    "member.conversation": "un échange avec un conseiller (id de l'échange)",
    "member.signed_dossier": "fin de signature, dossier signé à télécharger (id de l'adhésion)",
    "member.dispensations": "suivi des demandes de dispense",
    "member.dispensation_complete": "compléter une demande de dispense (id de la dispense)",
    "member.dispensation_rejustify": "justificatif annuel d'une dispense (id de la dispense)",
    "employer.companies": "« Mes entreprises » du correspondant",
    "employer.home": "accueil d'une entreprise (id de l'entreprise)",
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
