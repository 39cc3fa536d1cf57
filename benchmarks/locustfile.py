"""Locust scenario of ``make loadtest`` (run by ``manage.py loadtest``, which sets the
``LOADTEST_*`` variables and starts gunicorn in production settings).

Twenty users with 0.2–0.8 s of think time: correspondents browsing their lists, searches
and details, a member on their pages, people logging in and out, and a trivial endpoint
(the health check, named « trivial: … ») measured in the same run. A page that lands on
the login form counts as a failure.

In production gunicorn sits behind a TLS proxy (README): each user here talks to
gunicorn as that proxy does. The proxy ends TLS and says so (``X-Forwarded-Proto``), so
the production cookies (``Secure``) and CSRF checks are those of HTTPS; it appends the
client's address to ``X-Forwarded-For``, each simulated user having its own, so the
per-address login limits apply per user; and, as nginx does by default, it opens a new
connection to gunicorn for each request, taken by whichever worker is free
(gunicorn.conf.py). Users kept on one connection each stayed with the worker that
accepted it: twenty connections split unevenly, one worker's core saturated while the
other's idled.
"""

import itertools
import os
import random
import re
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlencode

from locust import FastHttpUser, between, task

COMPANY_ID = os.environ.get("LOADTEST_COMPANY_ID", "0")
PASSWORD = os.environ.get("LOADTEST_PASSWORD", "")
CORRESPONDENT = os.environ.get("LOADTEST_CORRESPONDENT", "")
MEMBER = os.environ.get("LOADTEST_MEMBER", "")
# Mostly the first pages, as people read lists; now and then further.
PAGES = [1, 1, 1, 1, 2, 2, 3, 4, 5, 8, 12, 20]
SEARCHES = ["martin", "Dubois", "léa", "petit 01", "Hugo Durand", "chloé", "thomas 9"]
TRIVIAL = "trivial: /sante/"
_addresses = itertools.count(1)
# The login form, as a page that should not show it is recognised (the client follows
# redirects without telling where they ended).
LOGIN_FORM = 'action="/compte/login/"'
# The browser's side of the proxy is HTTPS: its ``Secure`` cookies are sent.
BEHIND_TLS_PROXY = DefaultCookiePolicy(secure_protocols=("https", "http"))


class PortalUser(FastHttpUser):
    """locust's lighter client: it shares the machine's two cores with gunicorn."""

    abstract = True
    wait_time = between(0.2, 0.8)

    def on_start(self):
        self.client.cookiejar.set_policy(BEHIND_TLS_PROXY)
        self.new_address()

    def new_address(self) -> None:
        n = next(_addresses)
        self.proxy_headers = {
            "X-Forwarded-For": f"10.{n // 250}.{n % 250}.{1 + n % 200}",
            "X-Forwarded-Proto": "https",
            "Connection": "close",
        }

    def page(self, path: str, name: str):
        """A GET that must answer 200 without being sent to the login form."""
        with self.client.get(
            path, name=name, headers=self.proxy_headers, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif LOGIN_FORM in (response.text or ""):
                response.failure("renvoyé vers la connexion")
            return response

    def _csrf(self, path: str, name: str) -> str:
        page = self.client.get(path, name=name, headers=self.proxy_headers)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text or "")
        return found.group(1) if found else ""

    def login(self, email: str) -> None:
        token = self._csrf("/compte/login/", "connexion (formulaire)")
        with self.client.post(
            "/compte/login/",
            data={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={**self.proxy_headers, "Referer": f"https://{self._host()}/compte/login/"},
            name="connexion",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or LOGIN_FORM in (response.text or ""):
                response.failure(f"connexion refusée (HTTP {response.status_code})")

    def logout(self) -> None:
        token = next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")
        self.client.post(
            "/compte/logout/",
            data={"csrfmiddlewaretoken": token},
            headers={**self.proxy_headers, "Referer": f"https://{self._host()}/"},
            name="déconnexion",
        )

    def _host(self) -> str:
        return self.host.split("://", 1)[1].rstrip("/")


class Correspondent(PortalUser):
    fixed_count = 12
    base = f"/entreprise/{COMPANY_ID}"

    def on_start(self):
        super().on_start()
        self.login(CORRESPONDENT)
        self.enrolments: list[str] = []
        self.requests: list[str] = []
        self.employees()
        self.request_list()

    def _remember(self, html: str) -> None:
        self.enrolments += re.findall(rf"{self.base}/collaborateurs/(\d+)/", html)
        self.requests += re.findall(rf"{self.base}/demandes/(\d+)/", html)
        del self.enrolments[:-200], self.requests[:-200]

    @task(2)
    def home(self):
        self.page(f"{self.base}/", "entreprise: accueil")

    @task(3)
    def employees(self):
        page = random.choice(PAGES)  # noqa: S311 - load pattern, not a secret
        response = self.page(
            f"{self.base}/collaborateurs/?page={page}", "entreprise: collaborateurs"
        )
        self._remember(response.text)

    @task(2)
    def search(self):
        query = urlencode({"q": random.choice(SEARCHES)})  # noqa: S311
        response = self.page(
            f"{self.base}/collaborateurs/?{query}", "entreprise: recherche collaborateurs"
        )
        self._remember(response.text)

    @task(3)
    def request_list(self):
        page = random.choice(PAGES)  # noqa: S311
        response = self.page(f"{self.base}/demandes/?page={page}", "entreprise: demandes")
        self._remember(response.text)

    @task(1)
    def request_filtered(self):
        self.page(
            f"{self.base}/demandes/?status=en_attente&type=affiliation",
            "entreprise: demandes filtrées",
        )

    @task(2)
    def employee_detail(self):
        if self.enrolments:
            enrolment = random.choice(self.enrolments)  # noqa: S311
            self.page(f"{self.base}/collaborateurs/{enrolment}/", "entreprise: fiche collaborateur")

    @task(1)
    def request_detail(self):
        if self.requests:
            request = random.choice(self.requests)  # noqa: S311
            self.page(f"{self.base}/demandes/{request}/", "entreprise: détail demande")


class Member(PortalUser):
    fixed_count = 4

    def on_start(self):
        super().on_start()
        self.login(MEMBER)

    @task
    def home(self):
        self.page("/adherent/", "adhérent: accueil")


class LoggingIn(PortalUser):
    """Logs in and out again and again (the password hash is part of the load), each
    time as another person from another address: one address logging in more than 30
    times a minute is refused by the login limit (429), as it should be."""

    fixed_count = 2

    @task
    def log_in_and_out(self):
        self.new_address()
        self.login(CORRESPONDENT)
        self.logout()


class Trivial(PortalUser):
    fixed_count = 2

    @task
    def health(self):
        self.page("/sante/", TRIVIAL)
