"""Every e-mail is HTML with its plain-text alternative (issue 11, polish): one layout
with the mutuelle's identity and inline styles, the main action as a button, the same
links in both parts, values escaped in the HTML and never in the text; the development
outbox shows the HTML as it will look, in a sandbox of its own."""

import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.utils.html import escape

from mutuelle.enums import Channel
from mutuelle.models import OutboxMessage
from mutuelle.notifications import notification_render, notification_send
from tests.mutuelle.hostile import ESCAPES, HOSTILE, TEMPLATES, hostile_context

EMAILS = [p for p in TEMPLATES if p.name.endswith(".subject.txt")]
# A link whose query holds « & »: escaped in the HTML's href, as typed in the text.
URL = "https://portail.example.fr/{name}/?jeton=a1&suite=b2"
# Addresses in the text, without the punctuation that may end the sentence around them.
TEXT_URL = re.compile(r"https?://\S*[^\s.,;:!?)»]")


class Page(HTMLParser):
    """The links, button labels and visible text of an HTML part."""

    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.anchors: list[list] = []  # [href, text, style]
        self.text: list[str] = []
        self._open: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.hrefs.append(attrs["href"])
            self._open = [attrs["href"], "", attrs.get("style", "")]
            self.anchors.append(self._open)

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None

    def handle_data(self, data):
        self.text.append(data)
        if self._open is not None:
            self._open[1] += data


def parsed(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def render(path):
    """Subject, text and HTML of the e-mail ``path`` names, every value hostile and
    every link an address holding « & »."""
    name = path.name.removesuffix(".subject.txt")
    source = (path.parent / f"{name}.txt").read_text() + path.read_text()
    context = hostile_context(source)
    context["site_url"] = "https://portail.example.fr"
    for key in context:
        if key != "site_url" and ("url" in key or "link" in key):
            context[key] = URL.format(name=key)
    return notification_render(name, context, channel=Channel.EMAIL)


def test_every_e_mail_template_is_checked():
    assert len(EMAILS) > 25


@pytest.mark.parametrize("path", EMAILS, ids=lambda p: p.name.removesuffix(".subject.txt"))
def test_both_parts_carry_the_same_links(path):
    _subject, text, html = render(path)
    text_links = set(TEXT_URL.findall(text))
    assert set(parsed(html).hrefs) == text_links


@pytest.mark.parametrize("path", EMAILS, ids=lambda p: p.name.removesuffix(".subject.txt"))
def test_the_html_part_escapes_what_the_text_part_shows_as_typed(path):
    subject, text, html = render(path)
    for entity in ESCAPES:
        assert entity not in text and entity not in subject
    assert HOSTILE not in html, "a value reached the HTML unescaped"
    assert "&amp;amp;" not in html and "&amp;lt;" not in html, "escaped twice"
    page = parsed(html)
    # What a reader sees in the HTML is the text's words, as typed.
    shown = " ".join("".join(page.text).split())
    for line in text.splitlines():
        if TEXT_URL.fullmatch(line.strip()):
            continue  # a button's link: checked by the test of the links
        words = " ".join(line.removeprefix("- ").split()).rstrip(" :")
        assert words in shown, f"« {words} » is missing from the HTML"
    if HOSTILE in text:
        assert "Martin &amp; Fils &lt;l&#x27;Été&gt; &quot;SARL&quot;" in html
    assert "?jeton=a1&suite=b2" not in html, "an href must escape « & »"


@pytest.mark.parametrize("path", EMAILS, ids=lambda p: p.name.removesuffix(".subject.txt"))
def test_one_layout_with_the_mutuelles_identity_and_inline_styles(path, settings):
    subject, _text, html = render(path)
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in html
    assert "<style" not in html and "<link" not in html, "mail clients drop style sheets"
    assert settings.MUTUELLE["name"] in html and settings.MUTUELLE["address"] in html
    assert 'name="viewport"' in html and "max-width:600px" in html
    assert f"<title>{escape(subject)}</title>" in html


def test_the_invitation_has_the_button_of_seed_001():
    path = next(p for p in EMAILS if p.name == "invitation.subject.txt")
    _subject, text, html = render(path)
    page = parsed(html)
    buttons = [(href, label) for href, label, style in page.anchors if "padding" in style]
    link = URL.format(name="link")
    assert buttons == [(link, "Adhérer au contrat d'entreprise")]
    # The login page named in the text stays a plain link.
    assert any(href.endswith("/compte/login/") for href in page.hrefs)
    assert "Adhérer au contrat d'entreprise :\n" + link in text


def test_every_e_mail_with_a_link_to_follow_has_a_button():
    """Each e-mail asking the reader to open a page shows that action as a button."""
    without = []
    for path in EMAILS:
        _subject, text, html = render(path)
        if TEXT_URL.search(text) and not any(
            "padding" in style for _href, _label, style in parsed(html).anchors
        ):
            without.append(path.name)
    assert without == []


@pytest.mark.django_db
def test_a_sent_e_mail_has_the_html_alternative_and_its_secret_link(
    settings, django_capture_on_commit_callbacks
):
    settings.DEV_OUTBOX_ENABLED = False
    with django_capture_on_commit_callbacks(execute=True):
        message = notification_send(
            key="html-check",
            channel=Channel.EMAIL,
            to="claire@example.fr",
            template="password_reset_key",
            context={
                "password_reset_url": "https://portail.example.fr/reset/k3y-s3cr3t/?a=1&b=2",
                "reset_timeout_minutes": 60,
            },
        )
    assert "k3y-s3cr3t" not in message.html_stored
    assert "[secret:password_reset_url]" in message.html_stored
    (sent,) = mail.outbox
    assert "https://portail.example.fr/reset/k3y-s3cr3t/?a=1&b=2" in sent.body
    ((html, mimetype),) = sent.alternatives
    assert mimetype == "text/html"
    assert parsed(html).anchors[0][:2] == [
        "https://portail.example.fr/reset/k3y-s3cr3t/?a=1&b=2",
        "Choisir un nouveau mot de passe",
    ]
    # Delivered: the secret is gone from the database, the HTML keeps its mark only.
    message.refresh_from_db()
    assert message.secrets == "" and "k3y-s3cr3t" not in message.html_stored


@pytest.mark.django_db
def test_a_bulk_send_has_the_html_part_too():
    from mutuelle.notifications import Notification, notification_send_many

    notification_send_many(
        channel=Channel.EMAIL,
        template="reimbursement_available",
        notifications=[
            Notification(key="r:1", to="a@example.fr", context={"employee": {"first_name": "A"}})
        ],
    )
    message = OutboxMessage.objects.get(key="r:1")
    assert "Voir mes remboursements" in message.html_stored
    href, label, _style = parsed(message.html_stored).anchors[0]
    assert label == "Voir mes remboursements" and href.endswith("/adherent/remboursements/")


@pytest.mark.django_db
def test_the_development_outbox_shows_the_html_in_a_sandbox_of_its_own(settings, client):
    settings.DEV_OUTBOX_ENABLED = True
    message = notification_send(
        key="outbox-html",
        channel=Channel.EMAIL,
        to="claire@example.fr",
        template="reimbursement_available",
        context={"employee": {"first_name": "Claire", "last_name": "Martin & Fils"}},
    )
    page = client.get(f"/dev/outbox/{message.pk}/").text
    assert f'src="/dev/outbox/{message.pk}/html/"' in page and "sandbox" in page
    assert "Version texte" in page
    preview = client.get(f"/dev/outbox/{message.pk}/html/")
    assert preview.status_code == 200
    policy = preview["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "script-src" not in policy
    assert "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "Martin &amp; Fils" in preview.text
    settings.DEV_OUTBOX_ENABLED = False
    assert client.get(f"/dev/outbox/{message.pk}/html/").status_code == 404


@pytest.mark.django_db
def test_an_sms_has_no_html_preview(settings, client):
    settings.DEV_OUTBOX_ENABLED = True
    message = OutboxMessage.objects.create(
        key="sms:1", channel=Channel.SMS, recipient="+33612345678", body_text="Code : 123456"
    )
    assert client.get(f"/dev/outbox/{message.pk}/html/").status_code == 404
    assert "<iframe" not in client.get(f"/dev/outbox/{message.pk}/").text
