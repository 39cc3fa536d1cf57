"""Issue 15 item 9 (WCAG 2.2.1): the 8-hour session ends at a time set at login that
every page knows; pages carry a warning shown before it with « Prolonger ma session »,
which extends it (JSON for the page's script, a redirect back without JavaScript)."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from tests.mutuelle.factories import CorrespondentAccessFactory

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


def home_of(access) -> str:
    return reverse("employer_portal:home", args=[access.company.pk])


def test_the_session_ends_eight_hours_after_login_whatever_is_written_meanwhile(client):
    access = CorrespondentAccessFactory()
    with time_machine.travel(START, tick=False):
        client.force_login(access.user)
    with time_machine.travel(START + dt.timedelta(hours=7, minutes=58), tick=False):
        html = client.get(home_of(access)).content.decode()
        # 10:00 in Paris: 09:00 UTC + 8 h = 17:00 UTC = 18:00 in Paris.
        assert 'Votre session se termine à <strong class="session-end">18:00</strong>' in html
        assert 'data-remaining="120"' in html and 'data-warning="300"' in html
        assert re.search(r'<script src="/static/js/session\.js" nonce="[^"]+" defer>', html)
        session = client.session
        session["written"] = True  # a write does not push the end back
        session.save()
    with time_machine.travel(START + dt.timedelta(hours=8, minutes=1), tick=False):
        response = client.get(home_of(access))
    assert response.status_code == 302 and "/compte/login/" in response["Location"]


def test_extending_gives_eight_more_hours(client):
    access = CorrespondentAccessFactory()
    with time_machine.travel(START, tick=False):
        client.force_login(access.user)
    with time_machine.travel(START + dt.timedelta(hours=7, minutes=57), tick=False):
        answer = client.post(reverse("session_extend"), headers={"accept": "application/json"})
        assert answer.json() == {"remaining": 8 * 3600, "ends_at": "01:57"}
    with time_machine.travel(START + dt.timedelta(hours=15, minutes=50), tick=False):
        assert client.get(home_of(access)).status_code == 200
        # Without JavaScript: the form comes back to its page, with a message.
        response = client.post(reverse("session_extend"), {"next": home_of(access)}, follow=True)
        assert response.redirect_chain == [(home_of(access), 302)]
        html = response.content.decode()
        assert "Votre session est prolongée jusqu" in html and "à 09:50." in html, html
        foreign = client.post(reverse("session_extend"), {"next": "https://ailleurs.example/"})
        assert foreign["Location"] == home_of(access)


def test_visitors_get_no_warning_and_cannot_extend(client):
    assert "session-warning" not in client.get(reverse("account_login")).content.decode()
    response = client.post(reverse("session_extend"))
    assert response.status_code == 302 and "/compte/login/" in response["Location"]
    client.force_login(CorrespondentAccessFactory().user)
    assert client.get(reverse("session_extend")).status_code == 405


def test_sms_code_page_shows_the_expiry_and_offers_a_new_code_before_it(client):
    from tests.enrolment.factories import EnrolmentFactory
    from tests.enrolment.signing import prepare_attempt, send_code
    from tests.mutuelle.factories import PASSWORD

    enrolment = EnrolmentFactory(ready_to_sign=True)
    client.login(username=enrolment.employee.user.username, password=PASSWORD)
    sms_url = reverse("member_portal:signature_sms", args=[enrolment.pk])
    with time_machine.travel(START, tick=False):
        send_code(prepare_attempt(enrolment))
    with time_machine.travel(START + dt.timedelta(minutes=3), tick=False):
        page = client.get(sms_url).content.decode()
    # Sent at 10:00 in Paris, valid 10 minutes.
    assert "Votre code expire à <strong>10:10</strong>" in page
    assert 'data-remaining="420"' in page and 'data-warning="120"' in page
    assert re.search(r'<script src="/static/js/code-timer\.js" nonce="[^"]+" defer>', page)
    assert "expire dans moins de 2 minutes" not in page
    assert "Je n'ai pas reçu le code : en recevoir un nouveau" in page
    with time_machine.travel(START + dt.timedelta(minutes=8, seconds=30), tick=False):
        page = client.get(sms_url).content.decode()
    assert "Votre code expire dans moins de 2 minutes" in page
    with time_machine.travel(START + dt.timedelta(minutes=11), tick=False):
        page = client.get(sms_url).content.decode()
    assert "Ce code a expiré" in page and "Votre code expire à" not in page


def test_seconds_left_reach_the_script_without_a_thousands_separator(client):
    # French formatting wrote « 28 800 », which the page's script read as NaN and showed
    # the warning at once on every page, over the menus.
    access = CorrespondentAccessFactory()
    with time_machine.travel(START, tick=False):
        client.force_login(access.user)
        html = client.get(home_of(access)).content.decode()
    assert 'data-remaining="28800"' in html
