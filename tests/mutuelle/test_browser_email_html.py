"""The development outbox shows an e-mail's HTML as it will look (its inline styles
applied, in a sandbox), next to its text version; every page axe-checked."""

import re

import pytest

from mutuelle.enums import Channel
from mutuelle.notifications import notification_send

pytestmark = pytest.mark.browser


def test_the_outbox_shows_the_html_e_mail_with_its_button(page, live_server, transactional_db):
    notification_send(
        key="browser-html",
        channel=Channel.EMAIL,
        to="claire@example.fr",
        template="password_reset_key",
        context={
            "password_reset_url": f"{live_server.url}/compte/password/reset/key/x-y/",
            "reset_timeout_minutes": 60,
        },
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/dev/outbox/")
    page.get_by_role("link", name=re.compile("mot de passe")).click()
    page.get_by_role("heading", name="Version HTML, telle qu'elle s'affiche").wait_for()
    page.get_by_role("heading", name="Version texte").wait_for()

    frame = page.frame_locator("iframe.message-html")
    button = frame.get_by_role("link", name="Choisir un nouveau mot de passe")
    button.wait_for()
    # Inline styles apply in the preview (a srcdoc frame would inherit the site's
    # policy and drop them): a filled button of at least 44 px.
    cell_colour = button.evaluate("a => getComputedStyle(a.parentElement).backgroundColor")
    assert cell_colour == "rgb(11, 79, 138)"
    assert button.evaluate("a => getComputedStyle(a).color") == "rgb(255, 255, 255)"
    assert button.bounding_box()["height"] >= 44
    assert frame.get_by_text("Mutuelle Avenir Santé").first.is_visible()
    # The text version sits beside it on a wide screen.
    html_box = page.locator("iframe.message-html").bounding_box()
    text_box = page.locator(".message-body").bounding_box()
    assert text_box["x"] > html_box["x"] + html_box["width"] - 1

    # On a phone the layout fits the screen: no horizontal scroll in the e-mail.
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    frame = page.frame_locator("iframe.message-html")
    frame.get_by_role("link", name="Choisir un nouveau mot de passe").wait_for()
    assert frame.locator("body").evaluate(
        "b => b.scrollWidth <= b.ownerDocument.documentElement.clientWidth"
    )
