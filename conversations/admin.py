"""Back office: « Messages adhérents » (oldest waiting first) and « Réclamations » (with
their two ACPR deadlines and a flag when one is passed). An advisor answers from the
conversation page, with the member's contract beside the messages; the history of
messages is read-only."""

from django import forms
from django.contrib import admin
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from mutuelle.admin_files import PrivateFile, PrivateFilesAdminMixin

from .enums import ConversationStatus
from .models import Complaint, Conversation, ConversationAttachment, ConversationMessage
from .services import conversation_answer, conversation_close


class AnswerForm(forms.ModelForm):
    reply = forms.CharField(
        label="Votre réponse",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text="L'adhérent la lit dans son espace ; l'e-mail qu'il reçoit dit seulement "
        "qu'une réponse l'attend. La réponse à une réclamation mentionne le médiateur.",
    )
    close = forms.BooleanField(label="Clore la conversation après cette réponse", required=False)

    class Meta:
        model = Conversation
        fields = []


class MessageInline(admin.StackedInline):
    model = ConversationMessage
    extra = 0
    can_delete = False
    fields = ("created_at", "author", "author_user", "body", "files")
    readonly_fields = fields
    verbose_name_plural = "historique des messages"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("author_user")
            .prefetch_related("attachments")
        )

    @admin.display(description="pièces jointes")
    def files(self, obj):
        return (
            format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                (
                    (reverse("admin:conversations_attachment", args=[a.pk]), a.original_name)
                    for a in obj.attachments.all()
                ),
            )
            or "—"
        )


class OverdueFilter(admin.SimpleListFilter):
    title = "délais ACPR"
    parameter_name = "retard"

    def lookups(self, request, model_admin):
        return [("oui", "Un délai est dépassé")]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            today = timezone.localdate()
            return queryset.filter(
                Q(acknowledged_at__isnull=True, acknowledgement_due__lt=today)
                | Q(answered_at__isnull=True, answer_due__lt=today)
            )
        return queryset


@admin.register(Conversation)
class ConversationAdmin(PrivateFilesAdminMixin, admin.ModelAdmin):
    form = AnswerForm
    list_display = ("subject", "member", "topic", "status", "awaiting_since", "created_at")
    list_filter = ("status", "topic", "is_complaint")
    search_fields = ("subject", "enrolment__employee__last_name")
    list_select_related = ("enrolment__employee",)
    # The queue: the longest-waiting first, then those already answered.
    ordering = (F("awaiting_since").asc(nulls_last=True), "created_at")
    inlines = [MessageInline]
    readonly_fields = (
        "member_contract",
        "topic",
        "subject",
        "status",
        "created_at",
        "awaiting_since",
        "first_reply_at",
        "acknowledged_at",
        "acknowledgement_due",
        "answer_due",
        "answered_at",
        "closed_at",
    )
    fieldsets = (
        (None, {"fields": ("member_contract", "topic", "subject", "status", "created_at")}),
        ("Répondre", {"fields": ("reply", "close")}),
        (
            "Suivi",
            {
                "fields": (
                    "awaiting_since",
                    "first_reply_at",
                    "acknowledged_at",
                    "acknowledgement_due",
                    "answer_due",
                    "answered_at",
                    "closed_at",
                )
            },
        ),
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="adhérent", ordering="enrolment__employee__last_name")
    def member(self, obj):
        return f"{obj.enrolment.employee.full_name} (n° {obj.enrolment.member_number})"

    @admin.display(description="contrat de l'adhérent")
    def member_contract(self, obj):
        enrolment = (
            type(obj.enrolment)
            .objects.select_related("employee__company", "contract", "offer", "group")
            .get(pk=obj.enrolment_id)
        )
        beneficiaries = enrolment.beneficiaries.count()
        return format_html(
            '<a href="{}">{} — adhérent n° {}</a><br>{} — {}<br>Formule : {} ({})<br>'
            "Statut : {} depuis le {} — {} bénéficiaire(s)",
            reverse("admin:enrolment_enrolment_change", args=[enrolment.pk]),
            enrolment.employee.full_name,
            enrolment.member_number,
            enrolment.employee.company.legal_name,
            enrolment.contract,
            enrolment.offer.get_level_display() if enrolment.offer else "—",
            enrolment.group.name,
            enrolment.get_status_display(),
            enrolment.effective_date.strftime("%d/%m/%Y"),
            beneficiaries,
        )

    def save_model(self, request, obj, form, change):
        reply = form.cleaned_data.get("reply", "").strip()
        if reply:
            conversation_answer(conversation=obj, by=request.user, body=reply)
            self.message_user(request, "Réponse envoyée : l'adhérent est prévenu par e-mail.")
        if form.cleaned_data.get("close"):
            obj.refresh_from_db()
            if obj.status != ConversationStatus.CLOSED:
                conversation_close(conversation=obj, by=request.user)

    private_files = (
        PrivateFile(
            url_name="conversations_attachment",
            route="piece/<int:pk>/",
            model=ConversationAttachment,
            file_of=lambda attachment: attachment.file,
            as_attachment=False,
        ),
    )


@admin.register(Complaint)
class ComplaintAdmin(ConversationAdmin):
    list_display = (
        "subject",
        "member",
        "status",
        "created_at",
        "acknowledgement",
        "answer",
    )
    list_filter = (OverdueFilter, "status")
    ordering = ("answer_due", "created_at")

    private_files = ()  # the attachments are served by the conversations' URL

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_complaint=True)

    @admin.display(
        description="accusé de réception (10 jours ouvrés)", ordering="acknowledgement_due"
    )
    def acknowledgement(self, obj):
        if obj.acknowledged_at:
            return f"envoyé le {timezone.localtime(obj.acknowledged_at):%d/%m/%Y}"
        flag = " — EN RETARD" if obj.acknowledgement_overdue() else ""
        return f"dû le {obj.acknowledgement_due:%d/%m/%Y}{flag}"

    @admin.display(description="réponse (2 mois)", ordering="answer_due")
    def answer(self, obj):
        if obj.answered_at:
            return f"répondu le {timezone.localtime(obj.answered_at):%d/%m/%Y}"
        if obj.answer_overdue():
            return format_html(
                "<strong>dû le {} — EN RETARD</strong>", obj.answer_due.strftime("%d/%m/%Y")
            )
        return f"dû le {obj.answer_due:%d/%m/%Y}"
