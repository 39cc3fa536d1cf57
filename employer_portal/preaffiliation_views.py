"""« Ajouter des salariés » by form: enter one or several employees, check each postal
address, review, then « Valider ».

Until « Valider », drafts live only in the session (nothing in the database); the
shared pre-affiliation service validates each employee as it is entered and again, as
a whole, inside the transaction that creates them.
"""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from enrolment.services.preaffiliation.checks import check_employee
from enrolment.services.preaffiliation.create import (
    PreAffiliationInvalid,
    enrolment_pre_affiliate,
)
from enrolment.services.preaffiliation.fields import FIELD_LABELS
from mutuelle.address_check import address_check
from mutuelle.addresses import ADDRESS_FIELDS, address_lines
from mutuelle.enums import AddressStatus
from mutuelle.fields import keyed_hash
from mutuelle.forms import form_add_rule_errors
from mutuelle.french import plural
from mutuelle.models import InsuredGroup
from mutuelle.validators import normalize_nir

from .decorators import correspondent_view
from .forms import AddEmployeesChoiceForm, PreAffiliationForm

MAX_DRAFTS = 50
ALREADY_IN_BATCH = "Ce salarié (même numéro de sécurité sociale) figure déjà dans votre saisie."


def _session_key(request) -> str:
    return f"preaffiliation:{request.company.pk}"


def _state(request) -> dict:
    return request.session.get(_session_key(request)) or {"drafts": [], "errors": {}}


def _save(request, state: dict) -> None:
    request.session[_session_key(request)] = state


def _groups(company) -> list[InsuredGroup]:
    return list(
        InsuredGroup.objects.filter(contract__company=company)
        .select_related("contract")
        .order_by("contract__product_line", "contract__number", "name")
    )


def _check(request, draft: dict, groups: dict, *, other_hashes: set[str]):
    """The shared service's check; without a group yet, every rule but the contract's."""
    group = groups.get(draft["group"]) if draft["group"] else None
    raw = {key: draft.get(key, "") for key in FIELD_LABELS} | {"group": group}
    contract = group.contract if group else None
    check = check_employee(raw, company=request.company, contract=contract)
    if check.nir_hash and check.nir_hash in other_hashes:
        check.add("nir", ALREADY_IN_BATCH)
    return check


def _hashes(drafts: list[dict], *, skip: int | None) -> set[str]:
    """NIR hashes of the other drafts (stored drafts have a valid NIR)."""
    return {keyed_hash(normalize_nir(d["nir"])) for i, d in enumerate(drafts) if i != skip}


def _has_address(draft: dict) -> bool:
    return any((draft.get(key) or "").strip() for key in ADDRESS_FIELDS if key != "country")


def _address_differs(draft: dict, suggested: dict) -> bool:
    return any((draft.get(key) or "").strip() != suggested[key] for key in ADDRESS_FIELDS)


# Usually shared by the employees entered together: « + Ajouter un autre salarié »
# starts from those of the employee just entered.
CARRIED_OVER = ("group", "hire_date", "effective_date")


def _store(state: dict, draft: dict, index: int | None) -> None:
    state["carry"] = {key: draft.get(key, "") for key in CARRIED_OVER}
    if index is None:
        state["drafts"].append(draft)
    else:
        state["drafts"][index] = draft
        state["errors"].pop(str(index), None)


def _edit_index(request, state: dict) -> int | None:
    value = request.GET.get("modifier") or request.POST.get("modifier")
    if value is not None and value.isdigit() and int(value) < len(state["drafts"]):
        return int(value)
    return None


@correspondent_view
def add_employees(request):
    """« Sous quelle forme désirez-vous les renseigner ? »"""
    form = AddEmployeesChoiceForm(request.POST or None, initial={"mode": "formulaire"})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["mode"] == "fichier":
            return redirect("employer_portal:import_start", request.company.pk)
        return redirect("employer_portal:preaffiliation_form", request.company.pk)
    return render(
        request, "employer_portal/add_employees.html", {"company": request.company, "form": form}
    )


@correspondent_view
def preaffiliation_form(request):
    state = _state(request)
    groups = _groups(request.company)
    by_id = {g.pk: g for g in groups}
    index = _edit_index(request, state)
    if request.method == "POST":
        form = PreAffiliationForm(request.POST, groups=groups)
        if index is None and len(state["drafts"]) >= MAX_DRAFTS:
            form.add_error(
                None,
                f"Vous pouvez saisir au plus {MAX_DRAFTS} salariés à la fois : validez "
                "cette saisie, ou utilisez le fichier Excel pour un grand nombre de salariés.",
            )
        else:
            # The service's rules run even when a field of the form is wrong (the
            # group missing, a value too long): every error in one pass.
            form.is_valid()
            draft = form.draft()
            others = _hashes(state["drafts"], skip=index)
            check = _check(request, draft, by_id, other_hashes=others)
            form_add_rule_errors(form, check.errors)
            if form.is_valid():
                checked = address_check(check.data) if _has_address(draft) else None
                if checked and (
                    checked.status == AddressStatus.NOT_FOUND
                    or _address_differs(draft, checked.address)
                ):
                    state["pending"] = {
                        "draft": draft,
                        "index": index,
                        "suggested": checked.address,
                        "status": checked.status,
                    }
                    _save(request, state)
                    return redirect("employer_portal:preaffiliation_address", request.company.pk)
                _store(state, draft, index)
                state.pop("pending", None)
                _save(request, state)
                return redirect("employer_portal:preaffiliation_review", request.company.pk)
    else:
        if request.GET.get("reprendre") and state.get("pending"):
            initial, index = state["pending"]["draft"], state["pending"]["index"]
        elif index is not None:
            initial = state["drafts"][index]
        elif request.GET.get("suivant"):
            initial = state.get("carry", {})
        else:
            initial = {}
        form = PreAffiliationForm(initial=initial, groups=groups)
    return render(
        request,
        "employer_portal/preaffiliation/form.html",
        {
            "company": request.company,
            "form": form,
            "index": index,
            "count": len(state["drafts"]),
        },
    )


@correspondent_view
def preaffiliation_address(request):
    """« Valider l'adresse du collaborateur »: the typed address, or the one the address
    check proposes (verified, or only put in La Poste's format, as it says)."""
    state = _state(request)
    pending = state.get("pending")
    if not pending:
        return redirect("employer_portal:preaffiliation_form", request.company.pk)
    draft, suggested = pending["draft"], pending["suggested"]
    error = ""
    if request.method == "POST":
        choice = request.POST.get("address")
        if choice in {"indiquee", "suggeree"}:
            if choice == "suggeree":
                draft = draft | suggested
            _store(state, draft, pending["index"])
            state.pop("pending")
            _save(request, state)
            return redirect("employer_portal:preaffiliation_review", request.company.pk)
        error = "Choisissez l'adresse à retenir."
    # Drafts pending before the address check existed were only formatted.
    status = AddressStatus(pending.get("status", AddressStatus.FORMATTED))
    return render(
        request,
        "employer_portal/preaffiliation/address.html",
        {
            "company": request.company,
            "typed": address_lines(draft),
            "suggested": address_lines(suggested),
            "status": status,
            "statuses": AddressStatus,
            "name": f"{draft['first_name']} {draft['last_name']}",
            "error": error,
        },
    )


def _display(draft: dict, groups: dict) -> dict:
    group = groups.get(int(draft["group"])) if str(draft.get("group", "")).isdigit() else None
    return {
        **draft,
        "civility_label": {"M": "Monsieur", "MME": "Madame"}.get(draft["civility"], ""),
        "alsace_label": {"oui": "Oui", "non": "Non"}.get(draft["alsace_moselle"], ""),
        "address_lines": address_lines(draft),
        "group_label": f"{group.name} (contrat n° {group.contract.number})" if group else "",
    }


@correspondent_view
def preaffiliation_review(request):
    """« Vérifier les informations saisies »."""
    state = _state(request)
    if not state["drafts"]:
        return redirect("employer_portal:preaffiliation_form", request.company.pk)
    groups = {g.pk: g for g in _groups(request.company)}
    employees = [
        {
            "index": i,
            "data": _display(d, groups),
            "errors": state["errors"].get(str(i), []),
        }
        for i, d in enumerate(state["drafts"])
    ]
    return render(
        request,
        "employer_portal/preaffiliation/review.html",
        {"company": request.company, "employees": employees, "max": MAX_DRAFTS},
    )


@correspondent_view
def preaffiliation_delete(request, index: int):
    """Confirmation page (GET), then removal of the draft from the entry (POST)."""
    state = _state(request)
    if index < len(state["drafts"]) and request.method != "POST":
        draft = state["drafts"][index]
        return render(
            request,
            "employer_portal/preaffiliation/delete.html",
            {
                "company": request.company,
                "index": index,
                "name": f"{draft['first_name']} {draft['last_name']}",
            },
        )
    if index < len(state["drafts"]):
        removed = state["drafts"].pop(index)
        # Errors are keyed by position: shift those after the removed draft.
        state["errors"] = {
            str(i - 1 if i > index else i): e
            for i, e in ((int(k), v) for k, v in state["errors"].items())
            if i != index
        }
        _save(request, state)
        messages.success(
            request, f"{removed['first_name']} {removed['last_name']} a été retiré(e) de la saisie."
        )
    return redirect("employer_portal:preaffiliation_review", request.company.pk)


@require_POST
@correspondent_view
def preaffiliation_cancel(request):
    request.session.pop(_session_key(request), None)
    messages.success(request, "La saisie a été abandonnée : aucun salarié n'a été déclaré.")
    return redirect("employer_portal:home", request.company.pk)


def _health_sentences(created: list) -> list[str]:
    if not created:
        return []
    by_post = sum(1 for e in created if not e.employee.email)
    messages_by_count = {
        # (singular, plural) of each sentence, agreeing with its number.
        "done": ("salarié pré-affilié", "salariés pré-affiliés"),
        "mail": (
            "salarié reçoit un e-mail pour finaliser son adhésion sous 60 jours",
            "salariés reçoivent un e-mail pour finaliser leur adhésion sous 60 jours",
        ),
        "post": (
            "salarié sans adresse e-mail recevra son identifiant et son mot de passe "
            "provisoire par deux courriers distincts",
            "salariés sans adresse e-mail recevront leur identifiant et leur mot de passe "
            "provisoire par deux courriers distincts",
        ),
    }
    parts = [plural(len(created), *messages_by_count["done"])]
    if len(created) - by_post:
        parts.append(plural(len(created) - by_post, *messages_by_count["mail"]))
    if by_post:
        parts.append(plural(by_post, *messages_by_count["post"]))
    return parts


def _provident_sentences(created: list) -> list[str]:
    """Prévoyance: affiliated at once; the notice goes by e-mail, or by the employer."""
    if not created:
        return []
    by_hand = sum(1 for e in created if not e.employee.email)
    parts = [
        plural(
            len(created),
            "salarié affilié au contrat de prévoyance (affiliation obligatoire)",
            "salariés affiliés au contrat de prévoyance (affiliation obligatoire)",
        )
    ]
    if len(created) - by_hand:
        parts.append(
            plural(
                len(created) - by_hand,
                "salarié reçoit la notice d'information par e-mail",
                "salariés reçoivent la notice d'information par e-mail",
            )
        )
    if by_hand:
        parts.append(
            plural(
                by_hand,
                "salarié sans adresse e-mail doit recevoir de vous la notice d'information "
                "(à télécharger sur sa fiche)",
                "salariés sans adresse e-mail doivent recevoir de vous la notice "
                "d'information (à télécharger sur leur fiche)",
            )
        )
    return parts


@require_POST
@correspondent_view
def preaffiliation_submit(request):
    """« Valider »: all the drafts are created, or none (errors go back to the review)."""
    state = _state(request)
    drafts = state["drafts"]
    if not drafts:
        return redirect("employer_portal:preaffiliation_form", request.company.pk)
    groups = {g.pk: g for g in _groups(request.company)}
    by_contract: dict[int, list[int]] = {}
    errors: dict[str, list[str]] = {}
    for index, draft in enumerate(drafts):
        group = groups.get(int(draft["group"]))
        if group is None:
            errors[str(index)] = ["Ce groupe d'assurés n'existe plus : choisissez-en un autre."]
        else:
            by_contract.setdefault(group.contract_id, []).append(index)
    try:
        if errors:
            raise PreAffiliationInvalid({})
        with transaction.atomic():
            created = []
            for indexes in by_contract.values():
                first_group = groups[int(drafts[indexes[0]]["group"])]
                rows = [
                    {key: drafts[i].get(key, "") for key in FIELD_LABELS}
                    | {"group": groups[int(drafts[i]["group"])]}
                    for i in indexes
                ]
                try:
                    created += enrolment_pre_affiliate(
                        company=request.company,
                        contract=first_group.contract,
                        group=first_group,
                        rows=rows,
                        by=request.user,
                        source="formulaire",
                    )
                except PreAffiliationInvalid as exc:
                    for row, field_errors in exc.errors.items():
                        errors[str(indexes[row])] = [
                            m for messages_ in field_errors.values() for m in messages_
                        ]
            if errors:
                raise PreAffiliationInvalid({})
    except PreAffiliationInvalid:
        state["errors"] = errors
        _save(request, state)
        messages.error(
            request,
            "Certains salariés n'ont pas pu être déclarés : corrigez-les ou supprimez-les, "
            "puis validez à nouveau. Aucun salarié n'a été enregistré.",
        )
        return redirect("employer_portal:preaffiliation_review", request.company.pk)
    request.session.pop(_session_key(request), None)
    provident_contracts = {g.contract_id for g in groups.values() if g.contract.is_provident}
    provident = [e for e in created if e.contract_id in provident_contracts]
    health = [e for e in created if e.contract_id not in provident_contracts]
    parts = _health_sentences(health) + _provident_sentences(provident)
    text = ". ".join(parts) + "."
    messages.success(request, text)
    return redirect("employer_portal:requests", request.company.pk)
