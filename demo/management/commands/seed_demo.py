"""``manage.py seed_demo``: the demo data of ``make run``. Idempotent: run it again and
nothing is duplicated (companies by SIRET, users by e-mail, contracts by number, offers
by level, employees by NIR).

The ``demo`` app is the top layer: it is the one place that composes every app. Employees
are declared, invited, activated and dispensed through the same services as the pages
(invitation, account activation, SMS-code signature with its evidence, termination), so
the invitation links and signature codes really appear in the development outbox.
"""

import datetime as dt
import re

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from demo.data import (
    BACK_OFFICE,
    BASE_COSTS,
    CORRESPONDENT_BOTH,
    CORRESPONDENT_SECOND,
    DEMO_PASSWORD,
    EMPLOYEES,
    GUARANTEES,
    LEVEL_SUPPLEMENT,
    MEMBER_EMAIL,
    MEMBERS_WITHOUT_ACCOUNT,
    SURCOMPLEMENTAIRE_ROWS,
    DemoEmployee,
    nir_for,
    siret_for,
)
from demo.grids import demo_grid_seed
from demo.member_requests import (
    demo_contributions_seed,
    demo_portability_seed,
    demo_requests_seed,
)
from demo.member_services import seed_directory, seed_member_conversation
from demo.reimbursements import demo_history_seed
from dispensations.services import dispensation_submit
from enrolment.enums import (
    OPEN_STATES,
    BankAccountPurpose,
    PhoneSource,
    Relationship,
    SpouseKind,
    TerminationReason,
    UnemploymentEligibility,
)
from enrolment.enums import EnrolmentStatus as S
from enrolment.models import BankAccount, Beneficiary, Employee, Enrolment
from enrolment.services.activation import account_activate
from enrolment.services.backoffice import enrolment_validate
from enrolment.services.cancellation import enrolment_cancel
from enrolment.services.invitation import enrolment_expire, enrolment_invite
from enrolment.services.member_import import COLUMNS as IMPORT_COLUMN_LABELS
from enrolment.services.member_import import members_import
from enrolment.services.preaffiliation import enrolment_pre_affiliate
from enrolment.services.preaffiliation.fields import EMPLOYEE_FIELDS
from enrolment.services.profile import phone_change_confirm, phone_change_start
from enrolment.services.provident import provident_notices_send
from enrolment.services.termination import termination_process, termination_submit
from enrolment.services.wizard import wizard_validate
from enrolment.signature import membership_form as mf
from enrolment.signature import services as signature
from enrolment.templatetags.enrolment_format import euros
from mutuelle.enums import CoverageLevel, ProductLine
from mutuelle.fields import keyed_hash
from mutuelle.models import (
    AccountManager,
    Company,
    Contract,
    CorrespondentAccess,
    InsuredGroup,
    Offer,
    OutboxMessage,
    User,
)
from mutuelle.pdf import render_pdf
from mutuelle.roles import ensure_gestionnaire_group

_PDF_CACHE: dict[str, bytes] = {}
IMPORT_COLUMNS = list(IMPORT_COLUMN_LABELS)
IMPORT_HEADERS = list(IMPORT_COLUMN_LABELS.values())
INVITATION_LINK = re.compile(r"/adherent/invitation/([^/\s]+)/")


class Command(BaseCommand):
    help = "Crée (ou complète) les données de démonstration et affiche les identifiants."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Accepte DEBUG=false (copie de préproduction seulement : les comptes "
            "reçoivent le mot de passe publié dans le README, e-mails et SMS partent).",
        )

    def handle(self, *args, allow_production=False, **options):
        # The demo accounts share the README's password and the demo sends real
        # e-mails and SMS through the production backends.
        if not settings.DEMO_SEED_ALLOWED and not allow_production:
            raise CommandError(
                "seed_demo refuse de s'exécuter en production (DEBUG=false) : les comptes "
                "de démonstration ont un mot de passe public. Pour une copie de "
                "préproduction, relancez avec --allow-production."
            )
        ensure_gestionnaire_group()
        with transaction.atomic():
            companies = self.seed_companies()
            users = self.seed_users(companies)
        for spec in EMPLOYEES:
            self.seed_employee(spec, companies, users)
        self.seed_members_without_account(companies)
        self.seed_reimbursements(users)
        seed_directory()
        seed_member_conversation(member_email=MEMBER_EMAIL, advisor=users["staff"])
        self.seed_member_requests(users)
        self.seed_provident(companies, users)
        self.print_logins()

    # --- reference data ------------------------------------------------------------

    def seed_companies(self) -> dict[str, Company]:
        manager, _ = AccountManager.objects.get_or_create(
            email="julien.moreau@mutuelle-avenir.exemple.fr",
            defaults={"first_name": "Julien", "last_name": "Moreau", "phone": "+33140506070"},
        )
        first, _ = Company.objects.update_or_create(
            siret=siret_for("73282932"),
            defaults={
                "legal_name": "Boulangerie Martin & Fils SARL",
                "trade_name": "Au Bon Pain",
                "address_number": "18",
                "address_street": "RUE DE LA ROQUETTE",
                "postal_code": "75011",
                "city": "PARIS",
                "phone": "+33143550011",
                "email": "rh@boulangerie-martin.exemple.fr",
                "account_manager": manager,
            },
        )
        second, _ = Company.objects.update_or_create(
            siret=siret_for("44306184"),
            defaults={
                "legal_name": "Atelier Dupont Menuiserie SAS",
                "trade_name": "Atelier Dupont",
                "address_building": "ZONE ARTISANALE DES PRES",
                "address_number": "4",
                "address_street": "ALLEE DES CHARPENTIERS",
                "postal_code": "69007",
                "city": "LYON",
                "phone": "+33478600022",
                "email": "contact@atelier-dupont.exemple.fr",
                "account_manager": manager,
            },
        )
        self.seed_health_contract(first, "CS-2024-00017", dispensation=True)
        self.seed_health_contract(second, "CS-2025-00042", dispensation=False)
        provident, _ = Contract.objects.get_or_create(
            number="PR-2024-00018",
            defaults={
                "company": first,
                "product_line": ProductLine.PROVIDENT,
                "start_date": dt.date(2024, 1, 1),
                "employee_debit": False,
            },
        )
        # The prévoyance contract's collèges.
        for name, code in (("Cadres", "C"), ("Non-cadres", "NC")):
            InsuredGroup.objects.get_or_create(contract=provident, name=name, code=code)
        return {"first": first, "second": second}

    def seed_health_contract(self, company: Company, number: str, *, dispensation: bool):
        contract, _ = Contract.objects.get_or_create(
            number=number,
            defaults={
                "company": company,
                "product_line": ProductLine.HEALTH,
                "start_date": dt.date(2024, 1, 1),
                "dispensation_enabled": dispensation,
            },
        )
        groups = {
            name: InsuredGroup.objects.get_or_create(contract=contract, name=name, code=code)[0]
            for name, code in (("Cadres", "C"), ("Non-cadres", "NC"))
        }
        offers = []
        for order, level in enumerate(CoverageLevel):
            for name, group in groups.items():
                base = BASE_COSTS[name]
                extra = LEVEL_SUPPLEMENT[level]
                offer, _ = Offer.objects.update_or_create(
                    contract=contract,
                    group=group,
                    level=level,
                    defaults={
                        "member_monthly_cost": base[0] + extra[0],
                        "spouse_monthly_cost": base[1] + extra[1],
                        "child_monthly_cost": base[2] + extra[2],
                        "display_order": order,
                    },
                )
                demo_grid_seed(offer=offer)
                offers.append(offer)
        # One table per level (both groups' costs on it): one file shared by the two offers.
        stored: dict[str, str] = {}
        for offer in offers:
            table = offer.guarantee_table
            if table and table.storage.exists(table.name):
                stored.setdefault(offer.level, table.name)
                continue
            if offer.level in stored:
                offer.guarantee_table.name = stored[offer.level]
                offer.save(update_fields=["guarantee_table"])
                continue
            pdf = self.guarantee_table_pdf(contract, offer.level, groups)
            table.save(f"{offer.level}.pdf", ContentFile(pdf), save=True)
            stored[offer.level] = table.name
        return contract

    def guarantee_table_pdf(self, contract: Contract, level: str, groups) -> bytes:

        option = 2 if "opt2" in level else 1 if "opt1" in level else 0
        sections: dict[str, list] = {}
        for section, label, values in GUARANTEES:
            sections.setdefault(section, []).append((label, values[option]))
        if level.endswith("_sur"):
            for section, label, value in SURCOMPLEMENTAIRE_ROWS:
                sections.setdefault(section, []).append((label, value))
        costs = []
        for name, group in groups.items():
            offer = Offer.objects.get(contract=contract, group=group, level=level)
            costs.append(
                {
                    "name": name,
                    "member": euros(offer.member_monthly_cost),
                    "spouse": euros(offer.spouse_monthly_cost),
                    "child": euros(offer.child_monthly_cost),
                }
            )
        context = {
            "mutuelle": settings.MUTUELLE,
            "level_label": CoverageLevel(level).label,
            "contract": contract,
            "contract_label": contract.get_product_line_display(),
            "company": contract.company,
            "start_date": contract.start_date,
            "sections": list(sections.items()),
            "costs": costs,
        }
        html = render_to_string("pdf/guarantee_table.html", context)
        # Same HTML, same PDF: a second run in the same process (tests) skips WeasyPrint.
        if html not in _PDF_CACHE:
            _PDF_CACHE[html] = render_pdf("pdf/guarantee_table.html", context)
        return _PDF_CACHE[html]

    def seed_users(self, companies: dict[str, Company]) -> dict[str, User]:
        # One hash for every demo account: PBKDF2 is deliberately slow.
        password_hash = ""

        def user(email, username, first, last, **extra):
            nonlocal password_hash
            found = User.objects.filter(email=email).first()
            if found is None:
                found = User(email=email, username=username, first_name=first, last_name=last)
                for key, value in extra.items():
                    setattr(found, key, value)
                password_hash = password_hash or make_password(DEMO_PASSWORD)
                found.password = password_hash
                found.save()
            return found

        both = user(*CORRESPONDENT_BOTH)
        second_only = user(*CORRESPONDENT_SECOND)
        staff = user(*BACK_OFFICE, is_staff=True)
        staff.groups.add(Group.objects.get(name="Gestionnaire"))
        for company in companies.values():
            CorrespondentAccess.objects.get_or_create(user=both, company=company)
        CorrespondentAccess.objects.get_or_create(user=second_only, company=companies["second"])
        return {"both": both, "second": second_only, "staff": staff}

    # --- employees through the services ------------------------------------------------

    def seed_employee(self, spec: DemoEmployee, companies, users) -> None:

        company = companies[spec.company]
        if Employee.objects.filter(company=company, nir_hash=keyed_hash(spec.nir)).exists():
            return
        with transaction.atomic():
            self._seed_employee(spec, company, users)

    def _seed_employee(self, spec: DemoEmployee, company: Company, users) -> None:

        contract = company.contracts.get(product_line=ProductLine.HEALTH)
        group = contract.groups.get(name=spec.group)
        correspondent = users["both"]
        today = timezone.localdate()
        hire_date = today - dt.timedelta(days=spec.hired_days_ago)
        row = {
            "civility": spec.civility,
            "last_name": spec.last_name.upper(),
            "first_name": spec.first_name,
            "birth_date": spec.birth,
            "nir": spec.nir,
            "email": spec.email,
            "phone": spec.phone,
            "address_number": "7",
            "address_street": "RUE OBERKAMPF",
            "postal_code": "75011",
            "city": "PARIS",
            "country": "FRANCE",
            "payroll_id": f"M{spec.order:05d}",
            "hire_date": hire_date,
            "alsace_moselle": False,
            "effective_date": max(hire_date, contract.start_date),
        }
        (enrolment,) = enrolment_pre_affiliate(
            company=company, contract=contract, group=group, rows=[row], by=correspondent
        )
        if spec.target == S.PRE_AFFILIATED:
            return
        if spec.target == S.CANCELLED:
            enrolment_cancel(
                enrolment=enrolment,
                by=correspondent,
                note="Embauche annulée avant la prise de poste.",
            )
            return
        enrolment_invite(enrolment=enrolment, by=correspondent)
        enrolment.refresh_from_db()
        if spec.target == S.INVITED:
            return
        if spec.target == S.EXPIRED:
            enrolment_expire(enrolment=enrolment, now=enrolment.expires_at + dt.timedelta(days=1))
            return
        user = self.activate_account(enrolment)
        enrolment.refresh_from_db()
        if spec.target == S.IN_PROGRESS:
            return
        if spec.target == S.DISPENSATION_REQUESTED:
            self.request_dispensation(enrolment, user, hire_date)
            return
        offer = contract.offers.get(group=group, level=CoverageLevel.BASE_OPT1)
        enrolment.offer = offer
        enrolment.debit_frequency = "mensuelle"
        enrolment.debit_day = 10
        enrolment.wizard_step = "recap"
        enrolment.save(update_fields=["offer", "debit_frequency", "debit_day", "wizard_step"])
        if spec.key == "sophie":
            self.add_family(enrolment)
        self.add_bank_details(enrolment, holder=f"{spec.first_name} {spec.last_name}")
        self.sign(enrolment, user)
        enrolment.refresh_from_db()
        if spec.target == S.SIGNED:
            return
        enrolment = enrolment_validate(enrolment=enrolment, by=users["staff"])
        if spec.target == S.ACTIVE:
            return
        self.terminate(enrolment, spec, hire_date, by=correspondent, staff=users["staff"])

    def sign(self, enrolment, user) -> None:
        """Mobile on record (the employer's, or confirmed on the profile step), recap
        validated, form read, consents given, code received by SMS on that mobile and
        typed."""

        origin = signature.SignatureContext(ip_address="127.0.0.1", user_agent="seed_demo")
        if not enrolment.employee.phone:
            # The employer declared no mobile: the employee gives one on the profile step
            # and types back the code sent to it; the signature code then goes there (else
            # to the employer's number, kept on the profile step without a code).
            confirmation = phone_change_start(
                enrolment=enrolment,
                phone=f"+336123{enrolment.pk % 100000:05d}",
                source=PhoneSource.PROFILE,
            )
            phone_change_confirm(
                attempt=confirmation, code=self.sms_code(confirmation), by=user, origin=origin
            )
        missing = wizard_validate(enrolment=enrolment)
        if missing:
            raise RuntimeError(f"Parcours incomplet pour la démo : {missing}")
        attempt = signature.signature_attempt_current(enrolment=enrolment)
        fingerprint = mf.fingerprint(mf.form_body_html(mf.load_enrolment(enrolment.pk)))
        signature.signature_form_viewed(attempt=attempt, fingerprint=fingerprint, how="scroll")
        signature.signature_consents_give(
            attempt=attempt, certify=True, contract_document=True, fingerprint=fingerprint
        )
        signature.signature_code_send(attempt=attempt)
        signature.signature_code_verify(
            attempt=attempt, code=self.sms_code(attempt), by=user, origin=origin
        )

    @staticmethod
    def sms_code(attempt) -> str:
        """The code of the attempt's last SMS, read in the outbox as the employee would."""
        challenge = attempt.challenges.order_by("-created_at", "-id").first()
        sms = OutboxMessage.objects.get(key=f"signature-code:{challenge.pk}")
        return re.search(r"\b(\d{6})\b", sms.body_text).group(1)

    def terminate(self, enrolment, spec, hire_date, *, by, staff) -> None:

        portability = spec.target == S.PORTABILITY
        termination = termination_submit(
            enrolment=enrolment,
            hire_date=hire_date,
            termination_date=timezone.localdate() - dt.timedelta(days=10),
            reason=TerminationReason.DISMISSAL if portability else TerminationReason.RESIGNATION,
            unemployment=UnemploymentEligibility.YES if portability else None,
            by=by,
        )
        termination_process(termination=termination, by=staff)

    def activate_account(self, enrolment):
        """Open the invitation link from the outbox, as the employee would."""

        message = OutboxMessage.objects.get(key=f"invitation:{enrolment.pk}")
        token = INVITATION_LINK.search(message.body_text).group(1)
        return account_activate(
            raw_token=token, birth_date=enrolment.employee.birth_date, password=DEMO_PASSWORD
        )

    def request_dispensation(self, enrolment, user, hire_date) -> None:

        proof = render_pdf("demo/spouse_certificate.html", {})
        dispensation_submit(
            enrolment=enrolment,
            case_code="spouse_employer",
            payroll_id=enrolment.employee.payroll_id,
            hire_date=hire_date,
            end_date=None,
            insurer_name="",
            sworn_statement=True,
            files=[
                SimpleUploadedFile("attestation-conjoint.pdf", proof, "application/pdf"),
            ],
            by=user,
        )

    def add_family(self, enrolment) -> None:

        twins = dt.date(2016, 3, 8)
        Beneficiary.objects.create(
            enrolment=enrolment,
            relationship=Relationship.SPOUSE,
            spouse_kind=SpouseKind.MARRIED,
            civility="M",
            first_name="Antoine",
            last_name="LEFEBVRE",
            birth_date=dt.date(1984, 10, 2),
            nir=nir_for(
                sex="1", birth=dt.date(1984, 10, 2), department="69", commune="123", order=45
            ),
            insurance_fund_code="751",
            teletransmission=True,
        )
        for rank, (civility, first_name) in enumerate((("M", "Louis"), ("MME", "Jeanne")), 1):
            Beneficiary.objects.create(
                enrolment=enrolment,
                relationship=Relationship.CHILD,
                civility=civility,
                first_name=first_name,
                last_name="LEFEBVRE",
                birth_date=twins,
                twin_rank=rank,
                attached_to_member_nir=True,
            )

    def add_bank_details(self, enrolment, *, holder: str) -> None:

        for purpose in BankAccountPurpose:
            BankAccount.objects.create(
                enrolment=enrolment,
                purpose=purpose,
                holder=holder,
                iban="FR7630006000011234567890189",
                bic="AGRIFRPP",
            )
        enrolment.sepa_mandate_reference = f"MA{enrolment.member_number}"
        enrolment.save(update_fields=["sepa_mandate_reference"])

    def seed_reimbursements(self, users) -> None:
        """Two years of Sécurité sociale settlements for Sophie Lefebvre's family, through
        the import service (and each month's payments, marked sent)."""
        enrolment = Enrolment.objects.filter(
            employee__email=MEMBER_EMAIL, contract__product_line=ProductLine.HEALTH
        ).first()
        if enrolment is None:
            return
        with transaction.atomic():
            demo_history_seed(enrolment=enrolment, staff=users["staff"], today=timezone.localdate())

    def seed_members_without_account(self, companies) -> None:
        """Two managed members with no online account, loaded like the back office's
        ``import_members`` file (idempotent: numbers already there are left alone)."""
        taken = set(
            Enrolment.objects.filter(
                imported_member_number__in=[m["member_number"] for m in MEMBERS_WITHOUT_ACCOUNT]
            ).values_list("imported_member_number", flat=True)
        )
        lines = [
            [companies[m["company"]].siret if key == "siret" else m[key] for key in IMPORT_COLUMNS]
            for m in MEMBERS_WITHOUT_ACCOUNT
            if m["member_number"] not in taken
        ]
        if not lines:
            return
        data = "\n".join(";".join(line) for line in [IMPORT_HEADERS, *lines])
        result = members_import(data=data.encode())
        if result.rejected:
            raise CommandError(f"Adhérents sans compte refusés : {result.rejected}")

    def seed_member_requests(self, users) -> None:
        """The demo member's requests of each kind, contributions with one instalment in
        arrears, and the portability declarations of the former employee."""
        today = timezone.localdate()
        member = Enrolment.objects.filter(
            employee__email=MEMBER_EMAIL,
            status=S.ACTIVE,
            contract__product_line=ProductLine.HEALTH,
        ).first()
        if member is not None:
            with transaction.atomic():
                demo_contributions_seed(enrolment=member, staff=users["staff"], today=today)
                demo_requests_seed(enrolment=member, staff=users["staff"], today=today)
        former = Enrolment.objects.filter(
            status=S.PORTABILITY,
            employee__user__isnull=False,
            contract__product_line=ProductLine.HEALTH,
        ).first()
        if former is not None:
            with transaction.atomic():
                demo_portability_seed(enrolment=former, staff=users["staff"], today=today)

    def seed_provident(self, companies, users) -> None:
        """Affiliate the Boulangerie's employees to its prévoyance contract through the
        correspondent's declaration (compulsory: no wizard), in their health group's
        collège; the notices d'information go to the outbox. Idempotent: employees
        already affiliated there are skipped."""
        company = companies["first"]
        contract = company.contracts.get(product_line=ProductLine.PROVIDENT)
        groups = {group.name: group for group in contract.groups.all()}
        already = set(
            Enrolment.objects.filter(contract=contract, status__in=sorted(OPEN_STATES)).values_list(
                "employee_id", flat=True
            )
        )
        health = (
            Enrolment.objects.filter(
                contract__company=company,
                contract__product_line=ProductLine.HEALTH,
                status__in=[S.ACTIVE, S.INVITED, S.IN_PROGRESS, S.PRE_AFFILIATED],
            )
            .exclude(employee_id__in=already)
            .select_related("employee", "group")
            .order_by("employee__name_key")
        )
        by_group: dict[str, list[dict]] = {}
        for enrolment in health:
            employee = enrolment.employee
            row = {key: getattr(employee, key) for key in EMPLOYEE_FIELDS}
            row["effective_date"] = max(employee.hire_date, contract.start_date)
            by_group.setdefault(enrolment.group.name, []).append(row)
        for name, rows in by_group.items():
            affiliated = enrolment_pre_affiliate(
                company=company,
                contract=contract,
                group=groups[name],
                rows=rows,
                by=users["both"],
                source="formulaire",
            )
            # Recorded now (the queued task then finds them sent: one per key).
            provident_notices_send(enrolment_ids=[e.pk for e in affiliated])

    def print_logins(self) -> None:
        out = self.stdout
        out.write(self.style.SUCCESS("Données de démonstration prêtes."))
        out.write(f"Mot de passe de tous les comptes de démonstration : {DEMO_PASSWORD}")
        rows = [
            ("Correspondant des deux entreprises", CORRESPONDENT_BOTH[0], CORRESPONDENT_BOTH[1]),
            ("Correspondant de l'Atelier Dupont", CORRESPONDENT_SECOND[0], CORRESPONDENT_SECOND[1]),
            ("Adhérente (conjoint + jumeaux)", MEMBER_EMAIL, ""),
            ("Back-office (Gestionnaire)", BACK_OFFICE[0], BACK_OFFICE[1]),
        ]
        for label, email, identifier in rows:
            suffix = f" (identifiant : {identifier})" if identifier else ""
            out.write(f"  {label} : {email}{suffix}")
        first = MEMBERS_WITHOUT_ACCOUNT[0]
        out.write(
            "  Adhérente sans compte, pour « Créer mon espace » : n° d'adhérent "
            f"{first['member_number']}, {first['first_name']} {first['last_name']}, "
            f"née le {first['birth_date']}"
        )
        out.write(f"Site : {settings.SITE_URL}/ — boîte d'envoi : {settings.SITE_URL}/dev/outbox/")
