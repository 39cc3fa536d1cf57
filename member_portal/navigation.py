"""The ONE list of the member space's menu entries.

Each entry is a label, a URL name and a predicate on the member (``MemberContext``):
the menu fits the person (an enrolment in progress resumes the wizard, a dispensation
shows its tracking, a member sees the space's sections). Entries with ``account=True``
open from the member's name (« Mes informations personnelles », « Mes paramètres »);
« Se déconnecter » follows them (a POST form, in the layout). Each section adds its own
entry here when its page lands.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from .access import MemberContext


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    shows: Callable[[MemberContext], bool]
    # Other pages of the same section: the entry is marked current on them too.
    also_current: tuple[str, ...] = ()
    account: bool = False


def _member(m: MemberContext) -> bool:
    return m.has_contract


def _covered(m: MemberContext) -> bool:
    return m.had_cover


MENU: list[MenuEntry] = [
    MenuEntry(
        "Reprendre mon adhésion",
        "member_portal:home",
        lambda m: m.enrolling,
        also_current=(
            "welcome",
            "wizard_profile",
            "wizard_beneficiaries",
            "wizard_offers",
            "wizard_bank",
            "wizard_recap",
        ),
    ),
    MenuEntry(
        "Ma demande de dispense",
        "member_portal:dispensation_start",
        lambda m: m.dispensation_offered,
    ),
    MenuEntry(
        "Suivi de ma demande de dispense",
        "member_portal:dispensation_list",
        lambda m: m.dispensation_tracked,
        also_current=("dispensation_complete", "dispensation_withdraw", "dispensation_done"),
    ),
    MenuEntry(
        "Mes remboursements",
        "member_portal:reimbursements",
        _covered,
        also_current=(
            "reimbursement_detail",
            "statement_list",
            "reimbursement_request",
            "estimate",
        ),
    ),
    MenuEntry(
        "Mon contrat",
        "member_portal:contract",
        _member,
        also_current=("card", "guarantees"),
    ),
    MenuEntry(
        "Mes demandes",
        "member_portal:requests",
        _member,
        also_current=(
            "request_new",
            "request_message",
            "request_complete",
            "request_withdraw",
            "beneficiary_add",
            "beneficiary_remove",
            "contribution_account",
            "benefit_account",
            "mandate_sign",
            "portability",
            "situation",
            "schedule",
            "payment_page",
        ),
    ),
    MenuEntry("Mes services", "member_portal:services", _member),
    MenuEntry("Mes documents", "member_portal:documents", _member),
    MenuEntry(
        "Contact & aide",
        "member_portal:contact",
        _member,
        also_current=("conversation_new", "conversation"),
    ),
    MenuEntry(
        "Mes informations personnelles",
        "member_portal:profile",
        lambda m: True,
        also_current=("profile_phone", "profile_phone_confirm"),
        account=True,
    ),
    MenuEntry("Mes paramètres", "member_portal:settings", lambda m: True, account=True),
]


def menu_for(member: MemberContext, *, current_url_name: str) -> dict[str, list[dict]]:
    """The entries this member sees, split into the main menu and the name menu."""
    menus: dict[str, list[dict]] = {"main": [], "account": []}
    for entry in MENU:
        if not entry.shows(member):
            continue
        short_name = entry.url_name.split(":", 1)[-1]
        menus["account" if entry.account else "main"].append(
            {
                "label": entry.label,
                "url": reverse(entry.url_name),
                "current": current_url_name in {short_name, *entry.also_current},
            }
        )
    return menus
