"""The enrolment wizard: welcome, profile, beneficiaries, offers, bank details, recap.

Every lookup starts from ``request.user``: an employee only ever reaches their own
enrolment, beneficiaries and offers (anything else is a 404).
"""

from collections import Counter
from functools import wraps

from django.contrib import messages
from django.db.models import Prefetch
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from enrolment.enums import BankAccountPurpose, EnrolmentStatus, PhoneSource, Relationship
from enrolment.models import BankAccount, Beneficiary, Enrolment
from enrolment.services import wizard
from enrolment.services.activation import (
    email_confirmation_send,
    enrolment_first_login,
    pending_email,
)
from enrolment.services.invitation import DEADLINE_PASSED, enrolment_past_deadline
from enrolment.services.postal_login import has_postal_login
from enrolment.services.profile import phone_change_attempts, phone_change_start
from enrolment.signature.services import SignatureError
from mutuelle.models import Offer
from mutuelle.validators import bank_of_iban

from ..access import member_required
from ..forms.wizard import (
    BeneficiaryForm,
    BeneficiaryRibChoiceForm,
    DebitForm,
    OfferChoiceForm,
    PersonalEmailForm,
    ProfileForm,
    RibForm,
)
from .phone_code import phone_code_step

STEP_URLS = {
    "profile": "member_portal:wizard_profile",
    "beneficiaries": "member_portal:wizard_beneficiaries",
    "offers": "member_portal:wizard_offers",
    "bank": "member_portal:wizard_bank",
    "recap": "member_portal:wizard_recap",
}
STEPPER = [
    ("profile", "Mon profil"),
    ("beneficiaries", "Mes bénéficiaires"),
    ("offers", "Mes garanties"),
    ("bank", "Mes coordonnées bancaires"),
    ("recap", "Signature électronique"),
]
RETURN_TO_RECAP = "recap"


def current_enrolment(user) -> Enrolment | None:
    """The employee's enrolment being completed (the most recent if several). A read:
    ``enrolment_started`` below makes an invited one « en cours »."""
    return (
        Enrolment.objects.filter(
            employee__user=user,
            status__in=[EnrolmentStatus.INVITED, EnrolmentStatus.IN_PROGRESS],
        )
        .select_related("employee__company", "employee__user", "contract", "group", "offer")
        .order_by("-created_at")
        .first()
    )


def enrolment_started(request) -> Enrolment | None:
    """The employee's enrolment being completed; an invited one whose account already
    exists (identifiers sent by post) starts at the employee's first visit."""
    enrolment = current_enrolment(request.user)
    if enrolment is not None and enrolment.status == EnrolmentStatus.INVITED:
        enrolment_first_login(enrolment=enrolment, user=request.user)
    return enrolment


def resume_url(enrolment: Enrolment) -> str:
    """Where an employee lands after logging in: the step they stopped at."""
    if not enrolment.wizard_step:
        return reverse("member_portal:welcome")
    if enrolment.wizard_step == wizard.SIGNATURE_STEP:
        return reverse("member_portal:signature_entry")
    return reverse(STEP_URLS.get(enrolment.wizard_step, STEP_URLS["profile"]))


def wizard_view(step: str):
    def decorator(view):
        @member_required
        @wraps(view)
        def wrapper(request, current, *args, **kwargs):
            enrolment = enrolment_started(request)
            if enrolment is None:
                messages.info(request, "Vous n'avez pas d'adhésion en cours à compléter.")
                return redirect("member_portal:home")
            if enrolment_past_deadline(enrolment=enrolment):
                messages.error(request, DEADLINE_PASSED)
                return redirect("member_portal:home")
            if step in STEP_URLS and not wizard.step_reached(enrolment, step):
                return redirect(resume_url(enrolment))
            return view(request, enrolment, *args, **kwargs)

        return wrapper

    return decorator


def _stepper(enrolment: Enrolment, current: str) -> list[dict]:
    steps = []
    for i, (step, label) in enumerate(STEPPER, start=1):
        reached = wizard.step_reached(enrolment, step)
        steps.append(
            {
                "number": i,
                "label": label,
                "url": reverse(STEP_URLS[step]) if reached else None,
                "current": step == current,
                "done": wizard.step_index(enrolment.wizard_step) > wizard.step_index(step),
            }
        )
    return steps


def _render_step(request, enrolment, step: str, template: str, context: dict):
    return render(
        request,
        template,
        {
            "enrolment": enrolment,
            "stepper": _stepper(enrolment, step),
            "returning": request.GET.get("retour") == RETURN_TO_RECAP,
            **context,
        },
    )


def _next(request, enrolment, next_step: str):
    """After a save: back to the recap when the employee came from its « Modifier »."""
    if request.GET.get("retour") == RETURN_TO_RECAP and wizard.step_reached(enrolment, "recap"):
        return redirect(STEP_URLS["recap"])
    return redirect(STEP_URLS[next_step])


def _with_return(request, url: str) -> str:
    return (
        f"{url}?retour={RETURN_TO_RECAP}" if request.GET.get("retour") == RETURN_TO_RECAP else url
    )


# ---- Welcome ---------------------------------------------------------------------------


@wizard_view("welcome")
def welcome(request, enrolment):
    postal = has_postal_login(request.user.email)
    email_form = PersonalEmailForm(request.POST if request.POST.get("action") == "email" else None)
    if request.method == "POST" and request.POST.get("action") == "email" and postal:
        if email_form.is_valid():
            address = email_form.cleaned_data["email"]
            email_confirmation_send(user=request.user, email=address)
            messages.success(
                request,
                f"Un e-mail de confirmation a été envoyé à {address}. Cette adresse deviendra "
                "votre identifiant une fois confirmée.",
            )
            return redirect("member_portal:welcome")
    elif request.method == "POST":
        wizard.wizard_start(enrolment=enrolment)
        return redirect(STEP_URLS["profile"])
    dispensation_url = (
        reverse("member_portal:dispensation_start")
        if enrolment.contract.dispensation_enabled
        else None
    )
    return render(
        request,
        "member_portal/wizard/welcome.html",
        {
            "enrolment": enrolment,
            "steps": [label for _, label in STEPPER],
            "dispensation_url": dispensation_url,
            "email_form": email_form if postal else None,
            "pending_email": pending_email(request.user) if postal else None,
        },
    )


# ---- Profile ---------------------------------------------------------------------------


SOFT_MISSING_WARNING = (
    "Champ non renseigné : vous pouvez continuer sans, mais il est utile à votre adhésion."
)


@wizard_view("profile")
def profile(request, enrolment):
    employee = enrolment.employee
    form = ProfileForm(request.POST or None, instance=employee)
    soft_missing: dict[str, str] = {}
    if request.method == "POST":
        valid = form.is_valid()
        # Said with the errors, not one submit later; an empty field in error already
        # says so.
        soft_missing = {
            field: label
            for field, label in wizard.profile_soft_missing(form.cleaned_data).items()
            if field not in form.errors
        }
        if valid and (not soft_missing or request.POST.get("confirmer") == "1"):
            employee = form.save(commit=False)
            new_phone = employee.phone if "phone" in form.changed_data else None
            if new_phone:
                employee.phone = form.initial.get("phone") or ""  # until its code is typed
            wizard.profile_save(enrolment=enrolment, employee=employee)
            if new_phone:
                return _profile_phone_start(request, enrolment, new_phone)
            messages.success(request, "Votre profil est enregistré.")
            return _next(request, enrolment, "beneficiaries")
        form.field_warnings = dict.fromkeys(soft_missing, SOFT_MISSING_WARNING)
    return _render_step(
        request,
        enrolment,
        "profile",
        "member_portal/wizard/profile.html",
        {"form": form, "soft_missing": soft_missing, "can_confirm": not form.errors},
    )


def _profile_phone_start(request, enrolment, new_phone):
    try:
        attempt = phone_change_start(
            enrolment=enrolment, phone=new_phone, source=PhoneSource.PROFILE
        )
    except SignatureError as exc:
        messages.error(
            request, f"Votre profil est enregistré, mais pas votre mobile : {exc.message}"
        )
        return redirect(request.get_full_path())
    messages.success(request, "Votre profil est enregistré. Confirmez maintenant votre mobile.")
    return redirect(
        _with_return(request, reverse("member_portal:wizard_profile_phone", args=[attempt.pk]))
    )


@wizard_view("profile")
def profile_phone(request, enrolment, pk: int):
    """The code sent to the mobile given on the profile step, typed back."""
    attempt = get_object_or_404(
        phone_change_attempts(request.user, source=PhoneSource.PROFILE).filter(enrolment=enrolment),
        pk=pk,
    )

    def confirmed():
        messages.success(request, "Votre numéro de mobile est confirmé.")
        return _next(request, enrolment, "beneficiaries")

    return phone_code_step(
        request,
        attempt=attempt,
        source=PhoneSource.PROFILE,
        on_confirmed=confirmed,
        render_page=lambda context: _render_step(
            request,
            enrolment,
            "profile",
            "member_portal/wizard/profile_phone.html",
            {"cancel_url": _next(request, enrolment, "beneficiaries").url, **context},
        ),
    )


# ---- Beneficiaries ---------------------------------------------------------------------


@wizard_view("beneficiaries")
def beneficiaries(request, enrolment):
    if request.method == "POST":
        wizard.beneficiaries_done(enrolment=enrolment)
        return _next(request, enrolment, "offers")
    return _render_step(
        request,
        enrolment,
        "beneficiaries",
        "member_portal/wizard/beneficiaries.html",
        {"beneficiaries": list(enrolment.beneficiaries.all())},
    )


def _beneficiary_form(request, enrolment, beneficiary: Beneficiary | None):
    form = BeneficiaryForm(
        request.POST or None,
        instance=beneficiary,
        enrolment=enrolment,
        initial=None
        if beneficiary
        else {"last_name": enrolment.employee.last_name, "alsace_moselle": "non"},
    )
    if request.method == "POST" and form.is_valid():
        saved = wizard.beneficiary_save(enrolment=enrolment, beneficiary=form.save(commit=False))
        messages.success(
            request,
            f"Le bénéficiaire {saved.first_name} {saved.last_name} est enregistré.",
        )
        return redirect(_with_return(request, reverse(STEP_URLS["beneficiaries"])))
    return _render_step(
        request,
        enrolment,
        "beneficiaries",
        "member_portal/wizard/beneficiary_form.html",
        {
            "form": form,
            "beneficiary": beneficiary,
            "member_nir": enrolment.employee.masked_nir,
            "cancel_url": _with_return(request, reverse(STEP_URLS["beneficiaries"])),
        },
    )


@wizard_view("beneficiaries")
def beneficiary_add(request, enrolment):
    return _beneficiary_form(request, enrolment, None)


@wizard_view("beneficiaries")
def beneficiary_edit(request, enrolment, pk: int):
    beneficiary = get_object_or_404(Beneficiary, pk=pk, enrolment=enrolment)
    return _beneficiary_form(request, enrolment, beneficiary)


@wizard_view("beneficiaries")
def beneficiary_remove(request, enrolment, pk: int):
    """Confirmation page (GET), then removal (POST)."""
    beneficiary = get_object_or_404(Beneficiary, pk=pk, enrolment=enrolment)
    back = _with_return(request, reverse(STEP_URLS["beneficiaries"]))
    if request.method == "POST":
        wizard.beneficiary_remove(enrolment=enrolment, beneficiary=beneficiary)
        messages.success(
            request, f"Le bénéficiaire {beneficiary.first_name} {beneficiary.last_name} est retiré."
        )
        return redirect(back)
    return _render_step(
        request,
        enrolment,
        "beneficiaries",
        "member_portal/wizard/beneficiary_remove.html",
        {"beneficiary": beneficiary, "back": back},
    )


# ---- Offers ----------------------------------------------------------------------------


@wizard_view("offers")
def offers(request, enrolment):
    available = wizard.available_offers(enrolment)
    form = OfferChoiceForm(
        request.POST or None, offers=available, initial={"offer": enrolment.offer_id}
    )
    if request.method == "POST" and form.is_valid():
        wizard.offer_choose(enrolment=enrolment, offer=form.cleaned_data["offer"])
        return _next(request, enrolment, "bank")
    counts = wizard.beneficiary_counts(enrolment)
    cards = [
        {"offer": offer, "costs": wizard.offer_costs(enrolment, offer, counts)}
        for offer in available
    ]
    return _render_step(
        request,
        enrolment,
        "offers",
        "member_portal/wizard/offers.html",
        {"form": form, "cards": cards, "spouses": counts[0], "children": counts[1]},
    )


@member_required
def guarantee_table(request, enrolment, pk: int):
    """The guarantee table (PDF, private storage) of an offer open to the employee."""
    offer = get_object_or_404(
        Offer.objects.filter(group__enrolments__employee__user=request.user).distinct(), pk=pk
    )
    if not offer.guarantee_table:
        raise Http404("Aucun tableau de garanties")
    return FileResponse(
        offer.guarantee_table.open("rb"),
        content_type="application/pdf",
        filename=f"tableau-de-garanties-{offer.level}.pdf",
    )


# ---- Bank details ----------------------------------------------------------------------


@wizard_view("bank")
def bank_lookup(request, enrolment):
    """The bank of an IBAN being typed (BIC and name from the bank registry), for the
    bank step's script: ``{"bic": "", "name": ""}`` when unknown or invalid."""
    known = bank_of_iban(request.GET.get("iban", "")[:42])
    return JsonResponse(
        {"bic": known.bic, "name": known.name} if known else {"bic": "", "name": ""}
    )


def _account_initial(account: BankAccount | None) -> dict | None:
    if account is None:
        return None
    return {"holder": account.holder, "iban": account.iban, "bic": account.bic}


@wizard_view("bank")
def bank(request, enrolment):
    if enrolment.offer is None:
        messages.info(request, "Choisissez d'abord votre garantie.")
        return redirect(STEP_URLS["offers"])
    beneficiaries = list(
        enrolment.beneficiaries.prefetch_related(
            Prefetch("bank_accounts", queryset=BankAccount.objects.all())
        )
    )
    counts = wizard.beneficiary_counts(enrolment)
    costs = wizard.offer_costs(enrolment, enrolment.offer, counts)
    accounts = {a.purpose: a for a in enrolment.bank_accounts.all() if a.beneficiary_id is None}
    benefits_account = accounts.get(BankAccountPurpose.BENEFITS)
    debit_account = accounts.get(BankAccountPurpose.CONTRIBUTIONS)
    post = request.POST if request.method == "POST" else None
    default_holder = {"holder": enrolment.employee.full_name}

    benefits_form = RibForm(
        post,
        prefix="prestations",
        initial=_account_initial(benefits_account) or default_holder,
        own_account=True,
    )
    debit_form = debit_rib_form = None
    same = True
    if costs.debit_applies:
        same_initial = debit_account is None or (
            benefits_account is not None and debit_account.iban == benefits_account.iban
        )
        debit_form = DebitForm(
            post,
            prefix="prelevement",
            contract=enrolment.contract,
            initial={
                "same_as_benefits": same_initial,
                "debit_frequency": enrolment.debit_frequency or None,
                "debit_day": enrolment.debit_day,
            },
        )
        same = (
            post.get("prelevement-same_as_benefits") == "on" if post is not None else same_initial
        )
        # Bound only when used, so unused fields never show « obligatoire » errors.
        debit_rib_form = RibForm(
            post if post is not None and not same else None,
            prefix="rib-prelevement",
            own_account=True,
            initial=(_account_initial(debit_account) if not same_initial else None)
            or default_holder,
        )
    beneficiary_forms = []
    for b in beneficiaries:
        own = next(iter(b.bank_accounts.all()), None)
        choice = BeneficiaryRibChoiceForm(
            post, prefix=f"ben{b.pk}", initial={"own_rib": own is not None}
        )
        wants = post.get(f"ben{b.pk}-own_rib") == "on" if post is not None else own is not None
        rib = RibForm(
            post if post is not None and wants else None,
            prefix=f"ben{b.pk}-rib",
            initial=_account_initial(own) or {"holder": f"{b.first_name} {b.last_name}"},
        )
        beneficiary_forms.append({"beneficiary": b, "choice": choice, "rib": rib, "wants": wants})

    if post is not None:
        valid = benefits_form.is_valid()
        if debit_form is not None:
            valid = debit_form.is_valid() and valid
            if not same:
                valid = debit_rib_form.is_valid() and valid
        for bf in beneficiary_forms:
            if bf["wants"]:
                valid = bf["rib"].is_valid() and valid
        if valid:
            benefits = benefits_form.account()
            contributions = None
            frequency, day = "", None
            if debit_form is not None:
                contributions = benefits if same else debit_rib_form.account()
                frequency = debit_form.cleaned_data["debit_frequency"]
                day = debit_form.cleaned_data["debit_day"]
            wizard.bank_details_save(
                enrolment=enrolment,
                benefits=benefits,
                contributions=contributions,
                debit_frequency=frequency,
                debit_day=day,
                per_beneficiary={
                    bf["beneficiary"].pk: bf["rib"].account() if bf["wants"] else None
                    for bf in beneficiary_forms
                },
            )
            messages.success(request, "Vos coordonnées bancaires sont enregistrées.")
            return _next(request, enrolment, "recap")
    return _render_step(
        request,
        enrolment,
        "bank",
        "member_portal/wizard/bank.html",
        {
            "benefits_form": benefits_form,
            "debit_form": debit_form,
            "debit_rib_form": debit_rib_form,
            "same": same,
            "beneficiary_forms": beneficiary_forms,
            # Every form of the step, for the one error summary.
            "step_forms": [
                benefits_form,
                debit_form,
                debit_rib_form,
                *(bf["rib"] for bf in beneficiary_forms),
            ],
            "costs": costs,
        },
    )


# ---- Recap -----------------------------------------------------------------------------


@wizard_view("recap")
def recap(request, enrolment):
    if request.method == "POST":
        missing = wizard.wizard_validate(enrolment=enrolment)
        if not missing:
            return redirect("member_portal:signature_entry")
        for step, label in missing:
            messages.error(request, f"Il manque {label} (étape « {dict(STEPPER)[step]} »).")
    beneficiaries = list(
        enrolment.beneficiaries.prefetch_related("bank_accounts").order_by(
            "relationship", "birth_date", "twin_rank"
        )
    )
    # Children born the same day are twins: their rank tells them apart.
    children = [b for b in beneficiaries if b.relationship == Relationship.CHILD]
    births = Counter(b.birth_date for b in children)
    for b in children:
        b.show_twin_rank = b.twin_rank > 1 or births[b.birth_date] > 1
    accounts = {a.purpose: a for a in enrolment.bank_accounts.all() if a.beneficiary_id is None}
    counts = wizard.beneficiary_counts(enrolment)
    costs = wizard.offer_costs(enrolment, enrolment.offer, counts) if enrolment.offer else None
    benefits = accounts.get(BankAccountPurpose.BENEFITS)
    contributions = accounts.get(BankAccountPurpose.CONTRIBUTIONS)
    return _render_step(
        request,
        enrolment,
        "recap",
        "member_portal/wizard/recap.html",
        {
            "employee": enrolment.employee,
            "login_email": "" if has_postal_login(request.user.email) else request.user.email,
            "beneficiaries": beneficiaries,
            "costs": costs,
            "benefits_account": benefits,
            "contributions_account": contributions,
            "same_rib": benefits is not None
            and contributions is not None
            and benefits.iban == contributions.iban,
            "edit": {
                step: f"{reverse(url)}?retour={RETURN_TO_RECAP}" for step, url in STEP_URLS.items()
            },
        },
    )
