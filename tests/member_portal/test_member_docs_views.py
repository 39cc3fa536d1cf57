"""Card, guarantees, documents, contact and services pages of the member space:
views, tenant isolation (404 for anyone else), exact query counts."""

import datetime as dt
import html

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse

from conversations.enums import ConversationStatus, Topic
from conversations.models import Complaint, Conversation
from conversations.services import conversation_open
from demo.grids import demo_grid_seed
from directory.enums import Specialty
from directory.models import Agency, PartnerProfessional
from enrolment.enums import EnrolmentStatus, MemberDocumentKind
from enrolment.services.card import member_card_issue
from enrolment.services.member_documents import member_document_add
from mutuelle.models import CorrespondentAccess, OutboxMessage
from mutuelle.roles import GESTIONNAIRE
from tests.conversations.factories import fake_pdf_upload, pdf_upload
from tests.enrolment.factories import EnrolmentFactory
from tests.enrolment.signing import pdf_text
from tests.mutuelle.factories import UserFactory

pytestmark = pytest.mark.django_db


def covered_member(**kwargs):
    enrolment = EnrolmentFactory(ready_to_sign=True, **kwargs)
    enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.save()
    return enrolment


@pytest.fixture
def member(client):
    enrolment = covered_member()
    client.force_login(enrolment.employee.user)
    return enrolment


def add_document(enrolment, n=0, kind=MemberDocumentKind.OTHER, date=dt.date(2026, 3, 1)):
    return member_document_add(
        enrolment=enrolment,
        kind=kind,
        title=f"Document {n}",
        content=b"%PDF-1.4 doc",
        filename=f"doc-{n}.pdf",
        document_date=date,
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_card_on_screen_and_as_pdf(client, member):
    member_card_issue(enrolment=member)
    page = client.get(reverse("member_portal:card")).content.decode()
    assert member.member_number in page and "LAMBERT Claire" in page and "<svg" in page
    assert "PHAR" in page and "09\u00a080\u00a098\u00a000\u00a019" in page
    response = client.get(reverse("member_portal:card_pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert member.member_number in pdf_text(body(response))


def test_card_page_before_validation_says_when_it_comes(client):
    enrolment = EnrolmentFactory(ready_to_sign=True)
    enrolment.status = EnrolmentStatus.SIGNED
    enrolment.save()
    client.force_login(enrolment.employee.user)
    assert "dès que votre adhésion" in client.get(reverse("member_portal:card")).content.decode()
    assert client.get(reverse("member_portal:card_pdf")).status_code == 404


def test_validation_email_links_straight_to_the_card():
    assert reverse("member_portal:card") == "/adherent/contrat/carte/"
    assert reverse("member_portal:conversation", args=[7]) == "/adherent/contact/messages/7/"


def test_guarantee_table_and_generated_pdf(client, member):
    demo_grid_seed(offer=member.offer)
    page = client.get(reverse("member_portal:guarantees")).content.decode()
    assert "Soins courants" in page and "Médecin non OPTAM" in page and "% BR" in page
    response = client.get(reverse("member_portal:guarantees_pdf"))
    text = pdf_text(response.content)
    assert "Tableau de garanties" in text and "Optique" in text and member.contract.number in text


def test_documents_newest_first_filtered_by_type_and_year(client, member):
    add_document(member, 1, date=dt.date(2025, 5, 1))
    add_document(member, 2, kind=MemberDocumentKind.CARD, date=dt.date(2026, 2, 1))
    page = client.get(reverse("member_portal:documents")).content.decode()
    assert page.index("Document 2") < page.index("Document 1")
    page = client.get(reverse("member_portal:documents"), {"year": 2025}).content.decode()
    assert "Document 1" in page and "Document 2" not in page
    page = client.get(reverse("member_portal:documents"), {"kind": "carte"}).content.decode()
    assert "Document 2" in page and "Document 1" not in page


@pytest.mark.parametrize("count", [1, 25])
def test_documents_page_query_count_is_constant(client, member, django_assert_num_queries, count):
    for n in range(count):
        add_document(member, n)
    with django_assert_num_queries(5):
        response = client.get(reverse("member_portal:documents"))
    assert response.content.decode().count("Télécharger<span") == count


def test_attestation_is_generated_on_post_and_served(client, member):
    assert client.get(reverse("member_portal:attestation")).status_code == 405
    response = client.post(reverse("member_portal:attestation"))
    document = member.member_documents.get(kind=MemberDocumentKind.ATTESTATION)
    assert response.url == reverse("member_portal:document_file", args=[document.pk])
    pdf = body(client.get(response.url))
    assert "Attestation d'appartenance" in pdf_text(pdf)
    client.post(reverse("member_portal:attestation"))
    assert member.member_documents.filter(kind=MemberDocumentKind.ATTESTATION).count() == 1


def test_new_message_with_attachment_then_reply(client, member, django_capture_on_commit_callbacks):
    url = reverse("member_portal:conversation_new")
    key = client.get(url).context["form"]["submission_key"].value()
    data = {
        "topic": Topic.REIMBURSEMENTS,
        "subject": "Lunettes",
        "body": "Bonjour",
        "submission_key": key,
        "attachments": [pdf_upload("devis.pdf")],
    }
    response = client.post(url, data)
    conversation = Conversation.objects.get()
    assert response.url == reverse("member_portal:conversation", args=[conversation.pk])
    # The same form posted twice opens one conversation.
    data["attachments"] = [pdf_upload("devis.pdf")]
    client.post(url, data)
    assert Conversation.objects.count() == 1
    page = client.get(response.url).content.decode()
    assert "devis.pdf" in page
    attachment = conversation.messages.get().attachments.get()
    file_url = reverse(
        "member_portal:conversation_attachment", args=[conversation.pk, attachment.pk]
    )
    assert body(client.get(file_url)).startswith(b"%PDF")
    client.post(response.url, {"body": "Avez-vous reçu mon devis ?"})
    assert conversation.messages.count() == 2


def test_every_error_of_the_message_form_in_one_pass(client, member):
    response = client.post(
        reverse("member_portal:conversation_new"),
        {"topic": "", "subject": "", "body": "Texte gardé", "attachments": [fake_pdf_upload()]},
    )
    form = response.context["form"]
    assert set(form.errors) >= {"topic", "subject"}
    assert "Texte gardé" in response.content.decode()
    assert 'href="#id_subject"' in response.content.decode()
    assert not Conversation.objects.exists()
    response = client.post(
        reverse("member_portal:conversation_new"),
        {"topic": Topic.OTHER, "subject": "Objet", "body": "x", "attachments": [fake_pdf_upload()]},
    )
    assert "virus.pdf" in str(response.context["form"].errors["attachments"])


def test_contact_page_shows_help_line_delay_and_mediation(client, member):
    page = client.get(reverse("member_portal:contact")).content.decode()
    assert (
        "09\u00a080\u00a098\u00a000\u00a018" in page
        and "du lundi au vendredi de 8\u00a0h\u00a030 à 18\u00a0h" in page
    )
    assert "pas encore assez de messages" in page
    assert "Réclamations et médiation" in page and "Médiateur de la Mutualité Française" in page


def test_services_search_agencies_and_partners(client, member):
    Agency.objects.create(name="Agence de Lyon", postal_code="69003", city="Lyon")
    PartnerProfessional.objects.create(
        name="Optique du Parc", specialty=Specialty.OPTICIAN, postal_code="69006", city="Lyon"
    )
    page = html.unescape(client.get(reverse("member_portal:services")).content.decode())
    assert "Consult'Avenir" in page and "https://teleconsultation.example.fr" in page
    page = client.get(
        reverse("member_portal:services"), {"what": "agences", "where": "69"}
    ).content.decode()
    assert "Agence de Lyon" in page and "Optique du Parc" not in page
    page = client.get(
        reverse("member_portal:services"),
        {"what": "professionnels", "specialty": "opticien", "where": "lyon"},
    ).content.decode()
    assert "Optique du Parc" in page


def test_other_members_things_answer_404(client, member):
    other = covered_member()
    document = add_document(other)
    conversation = conversation_open(
        enrolment=other,
        by=other.employee.user,
        topic=Topic.OTHER,
        subject="Privé",
        body="Privé",
        attachments=[pdf_upload()],
    )
    attachment = conversation.messages.get().attachments.get()
    for url in (
        reverse("member_portal:document_file", args=[document.pk]),
        reverse("member_portal:conversation", args=[conversation.pk]),
        reverse("member_portal:conversation_attachment", args=[conversation.pk, attachment.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert "Privé" not in client.get(reverse("member_portal:contact")).content.decode()


MEMBER_URLS = [
    ("member_portal:card", ()),
    ("member_portal:card_pdf", ()),
    ("member_portal:guarantees", ()),
    ("member_portal:guarantees_pdf", ()),
    ("member_portal:documents", ()),
    ("member_portal:contact", ()),
    ("member_portal:conversation_new", ()),
    ("member_portal:services", ()),
]


def test_a_correspondent_never_reaches_the_member_pages(client):
    enrolment = covered_member()
    member_card_issue(enrolment=enrolment)
    document = add_document(enrolment)
    conversation = conversation_open(
        enrolment=enrolment, by=enrolment.employee.user, topic="autre", subject="s", body="b"
    )
    hr = UserFactory()
    CorrespondentAccess.objects.create(user=hr, company=enrolment.employee.company)
    client.force_login(hr)
    urls = [reverse(name, args=args) for name, args in MEMBER_URLS] + [
        reverse("member_portal:document_file", args=[document.pk]),
        reverse("member_portal:conversation", args=[conversation.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("member_portal:attestation")).status_code == 404


def test_back_office_answers_from_the_queue_and_the_member_reads_it(
    client, member, django_capture_on_commit_callbacks
):
    conversation = conversation_open(
        enrolment=member, by=member.employee.user, topic="contrat", subject="Question", body="?"
    )
    advisor = UserFactory(staff=True)
    advisor.groups.add(Group.objects.get(name=GESTIONNAIRE))
    staff = client.__class__()
    staff.force_login(advisor)
    queue = staff.get(reverse("admin:conversations_conversation_changelist")).content.decode()
    assert "Question" in queue
    change = reverse("admin:conversations_conversation_change", args=[conversation.pk])
    response = staff.get(change)
    page = response.content.decode()
    assert member.contract.number in page and member.member_number in page
    data = {"reply": "Voici la réponse.", "_save": "1"}
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data |= {management.add_prefix(k): v for k, v in management.initial.items()}
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(change, data)
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.ANSWERED
    mail = OutboxMessage.objects.get(key__startswith="conversation-answered:")
    assert "Voici la réponse" not in mail.body_text
    page = client.get(
        reverse("member_portal:conversation", args=[conversation.pk])
    ).content.decode()
    assert "Voici la réponse." in page


def test_complaints_queue_shows_both_deadlines(client, member):
    conversation_open(
        enrolment=member, by=member.employee.user, topic="reclamation", subject="Litige", body="!"
    )
    complaint = Complaint.objects.get()
    advisor = UserFactory(staff=True)
    advisor.groups.add(Group.objects.get(name=GESTIONNAIRE))
    client.force_login(advisor)
    page = client.get(reverse("admin:conversations_complaint_changelist")).content.decode()
    assert "Litige" in page and f"{complaint.answer_due:%d/%m/%Y}" in page
    assert "envoyé le" in page


def test_an_offer_without_grid_serves_its_uploaded_table(client, member):

    member.offer.guarantee_table.save("table.pdf", ContentFile(b"%PDF-1.4 uploaded"), save=True)
    response = client.get(reverse("member_portal:guarantees_pdf"))
    assert body(response) == b"%PDF-1.4 uploaded"
    page = client.get(reverse("member_portal:guarantees")).content.decode()
    assert "pas encore saisi" in page and "Télécharger le tableau de garanties" in page
