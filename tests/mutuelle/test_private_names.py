"""DESIGN.md §6: a module does not import another module's private names (``_name``).
A helper that two modules need is made public, named and documented, where it lives."""

import ast
from pathlib import Path

from django.conf import settings

PROJECT = Path(settings.BASE_DIR)
SKIPPED = {"tests"}  # the tests may reach into what they test


def private_imports(source: str) -> list[str]:
    """The private names a module imports from another one (dunders are not private)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            found += [
                f"line {node.lineno}: {alias.name} from {module}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            ]
    return found


def test_the_check_catches_private_imports():
    source = (
        "from enrolment.services.invitation import (DEADLINE_PASSED, _issue_link)\n"
        "def f():\n    from .employer import _FIRST, __version__\n"
    )
    assert private_imports(source) == [
        "line 1: _issue_link from enrolment.services.invitation",
        "line 3: _FIRST from .employer",
    ]
    assert not private_imports("from .links import link_issue\nimport _thread")


def test_no_module_imports_another_modules_private_names():
    found = {}
    packages = [
        folder
        for folder in PROJECT.iterdir()
        if (folder / "__init__.py").exists() and folder.name not in SKIPPED
    ]
    assert {"mutuelle", "enrolment", "dispensations", "benchmarks"} <= {p.name for p in packages}
    for path in (path for package in packages for path in package.rglob("*.py")):
        if violations := private_imports(path.read_text()):
            found[str(path.relative_to(PROJECT))] = violations
    assert found == {}
