"""The enrolment tasks import the services they run, never the other way round: a
service that queues a task is called from a module the tasks do not import, so no
lazy import is needed to dodge a cycle."""

import ast
from pathlib import Path

import enrolment

PACKAGE = Path(enrolment.__file__).parent


def _module_name(path: Path) -> str:
    parts = ["enrolment", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Every module of the package and the package modules it imports, at the top or
    inside a function."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}
    graph = {}
    for name, path in paths.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = here[: len(here) - node.level + 1] if node.level else []
                module = ".".join([*base, *([node.module] if node.module else [])])
                targets |= {module, *(f"{module}.{alias.name}" for alias in node.names)}
            elif isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
        graph[name] = {t for t in targets if t in paths and t != name}
    return graph


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), list(graph[start])
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(graph[module])
    return seen


def test_nothing_the_tasks_import_imports_the_tasks_back():
    graph = _imports()
    assert "enrolment.services.postal_letters" in graph["enrolment.tasks"]
    assert "enrolment.tasks" not in _reachable(graph, "enrolment.tasks")
