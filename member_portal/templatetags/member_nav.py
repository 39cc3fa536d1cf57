"""Navigation of the member space (sections of the seed's « Espace adhérent »)."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()

# (label, URL name): a section appears once its pages exist in the portal.
SECTIONS = [
    ("Mon adhésion", "member_portal:home"),
    ("Mes remboursements", "member_portal:reimbursements"),
    ("Mon contrat", "member_portal:contract"),
    ("Ma carte mutualiste", "member_portal:card"),
    ("Mes demandes", "member_portal:requests"),
    ("Ma demande de dispense", "member_portal:dispensation_list"),
    ("Mes services", "member_portal:services"),
    ("Mes documents", "member_portal:documents"),
    ("Contact & aide", "member_portal:contact"),
    ("Mes infos persos", "member_portal:profile"),
    ("Modifier mon mot de passe", "account_change_password"),
]


@register.simple_tag(takes_context=True)
def member_sections(context) -> list[dict]:
    path = context["request"].path
    sections = []
    for label, name in SECTIONS:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        current = path == url or (name == "member_portal:home" and "/adhesion/" in path)
        sections.append({"label": label, "url": url, "current": current})
    return sections
