import ast
import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
ENV_READERS = {"env", "env_bool", "env_list", "get"}


def environment_variables_read_by_settings() -> set[str]:
    tree = ast.parse((BASE_DIR / "mutuelle" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        first = node.args[0]
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if (
            name in ENV_READERS
            and isinstance(first, ast.Constant)
            and isinstance(first.value, str)
            and re.fullmatch(r"[A-Z][A-Z0-9_]+", first.value)
        ):
            names.add(first.value)
    return names


def test_readme_configuration_table_lists_every_environment_variable():
    readme = (BASE_DIR / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", table, flags=re.M))
    read = environment_variables_read_by_settings()
    assert len(read) > 30
    missing = sorted(read - documented)
    assert not missing, f"Add these settings to the README's configuration table: {missing}"
