"""Layers (DESIGN.md §3, README « Architecture »): a lower layer imports no module of a
higher one, and does not name a higher layer's pages either: no URL name of a space
(``reverse("member_portal:…")``, ``redirect(…)``, ``{% url 'employer_portal:…' %}``) and
no written-out path of a space (``{{ site_url }}/adherent/…``) in the Python or the
templates of the domain apps. They ask mutuelle.pages for the page instead."""

import ast
import functools
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

LOWER_APPS = (
    "mutuelle",
    "enrolment",
    "dispensations",
    "benefits",
    "member_requests",
    "contributions",
    "conversations",
    "directory",
)
TOP_APPS = ("employer_portal", "member_portal", "portal", "backoffice", "demo", "benchmarks")
# From the bottom up; an app may import its own floor and the floors below.
FLOORS = (
    ("mutuelle",),
    ("enrolment",),
    LOWER_APPS[2:],
    TOP_APPS,
)
TEMPLATES = Path(settings.BASE_DIR) / "templates"

URL_NAME = re.compile(rf"^({'|'.join(TOP_APPS)}):")
TEMPLATE_URL = re.compile(rf"""{{%\s*url\s+['"]({"|".join(TOP_APPS)}):""")


@functools.cache
def space_prefixes() -> tuple[str, ...]:
    """« /adherent/ », « /entreprise/ »: where the spaces' URLs start."""
    return (reverse("member_portal:home"), reverse("employer_portal:companies"))


def python_violations(source: str) -> list[str]:
    """Strings of a module that name a space's URL or write out one of its paths."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            value = node.value
            if URL_NAME.match(value) or any(prefix in value for prefix in space_prefixes()):
                found.append(f"line {node.lineno}: {value!r}")
    return found


def higher_imports(source: str, *, app: str) -> list[str]:
    """Modules of a higher floor than ``app``'s that a module imports (lazily too)."""
    floor = next(n for n, apps in enumerate(FLOORS) if app in apps)
    higher = {a for apps in FLOORS[floor + 1 :] for a in apps}
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(node.lineno, n) for n in names if n.split(".")[0] in higher]
    return [f"line {line}: {name}" for line, name in sorted(found)]


def template_violations(text: str) -> list[str]:
    found = [match.group() for match in TEMPLATE_URL.finditer(text)]
    found += [prefix for prefix in space_prefixes() if prefix in text]
    return found


def lower_templates() -> list[Path]:
    """The project's templates but the top layer's folders, and the lower apps' own."""
    top = {TEMPLATES / app for app in TOP_APPS}
    files = [
        path
        for path in TEMPLATES.rglob("*")
        if path.is_file() and not any(folder in path.parents for folder in top)
    ]
    for app in LOWER_APPS:
        files += [
            p for p in (Path(settings.BASE_DIR) / app / "templates").rglob("*") if p.is_file()
        ]
    return files


def test_the_checks_catch_what_they_look_for():
    assert python_violations('url = reverse("member_portal:card")') == [
        "line 1: 'member_portal:card'"
    ]
    assert python_violations('redirect(f"employer_portal:{name}")')
    assert python_violations('link = settings.SITE_URL + "/adherent/contrat/"')
    assert not python_violations('reverse("admin:index"); reverse("account_login")')
    assert template_violations("{% url 'member_portal:home' %}")
    assert template_violations('{%  url "employer_portal:home" company.pk %}')
    assert template_violations("{{ site_url }}/adherent/contrat/carte/")
    assert not template_violations("{% url 'account_login' %} {% page_url 'member.card' %}")
    source = "def f():\n    from member_portal.views import home\nimport dispensations.models"
    assert higher_imports(source, app="enrolment") == [
        "line 2: member_portal.views",
        "line 3: dispensations.models",
    ]
    assert higher_imports(source, app="mutuelle") == higher_imports(source, app="enrolment")
    assert higher_imports(source, app="benefits") == ["line 2: member_portal.views"]
    assert not higher_imports("from mutuelle.models import User", app="enrolment")


def test_lower_layers_import_no_higher_layer():
    found = {}
    for app in LOWER_APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            if path.name == "settings.py" and app == "mutuelle":
                continue  # the project's settings list every app by name
            if violations := higher_imports(path.read_text(), app=app):
                found[str(path.relative_to(settings.BASE_DIR))] = violations
    assert found == {}


def test_lower_layers_python_does_not_name_the_spaces_urls():
    found = {}
    for app in LOWER_APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            if violations := python_violations(path.read_text()):
                found[str(path.relative_to(settings.BASE_DIR))] = violations
    assert found == {}


def test_lower_layers_templates_do_not_name_the_spaces_urls():
    files = lower_templates()
    assert TEMPLATES / "notifications" / "invitation.txt" in files
    assert TEMPLATES / "account" / "login.html" in files
    assert TEMPLATES / "member_portal" / "space" / "card.html" not in files
    found = {}
    for path in files:
        if violations := template_violations(path.read_text()):
            found[str(path.relative_to(settings.BASE_DIR))] = violations
    assert found == {}
