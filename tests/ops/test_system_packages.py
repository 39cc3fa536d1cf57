"""scripts/system-packages.sh, run with fake Debian tools on PATH: it installs what is
missing as root, and without root or sudo stops with the exact command to run."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "system-packages.sh"


def _tool(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)


@pytest.fixture
def fake_debian(tmp_path):
    """``dpkg-query`` says every package is installed except chromium and poppler-utils;
    ``apt-get`` records its arguments; ``id -u`` answers what the test sets."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "apt-calls"
    _tool(
        bin_dir,
        "dpkg-query",
        'for last; do :; done\ncase "$last" in chromium|poppler-utils) exit 1;; esac\n'
        'printf "install ok installed"',
    )
    _tool(bin_dir, "apt-get", f'echo "$*" >> {calls}')
    _tool(bin_dir, "id", 'echo "$FAKE_UID"')
    for name in ("bash", "grep", "env", "cat"):
        (bin_dir / name).symlink_to(shutil.which(name))

    def run(uid: int, *args: str) -> subprocess.CompletedProcess:
        env = {"PATH": str(bin_dir), "FAKE_UID": str(uid), "HOME": str(tmp_path)}
        return subprocess.run(  # noqa: S603 - the project's own script
            [str(bin_dir / "bash"), str(SCRIPT), *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    return run, calls


def test_root_installs_only_the_missing_packages(fake_debian):
    run, calls = fake_debian
    result = run(0)
    assert result.returncode == 0, result.stderr
    lines = calls.read_text().splitlines()
    assert lines[0] == "update -qq"
    assert lines[1] == "install -y -qq --no-install-recommends poppler-utils chromium"


def test_ci_adds_the_database_and_redis(fake_debian, tmp_path):
    run, calls = fake_debian
    (tmp_path / "bin" / "dpkg-query").write_text(
        "#!/bin/sh\nfor last; do :; done\n"
        'case "$last" in postgresql|redis-server) exit 1;; esac\nprintf "install ok installed"\n'
    )
    assert run(0).returncode == 0
    assert not calls.exists()  # development machines do not need them
    assert run(0, "--ci").returncode == 0
    assert (
        calls.read_text()
        .splitlines()[1]
        .endswith("--no-install-recommends postgresql redis-server")
    )


def test_without_root_or_sudo_it_stops_with_the_command_to_run(fake_debian):
    run, calls = fake_debian
    result = run(1000)
    assert result.returncode == 1
    assert (
        "sudo apt-get update && sudo apt-get install -y --no-install-recommends "
        "poppler-utils chromium"
    ) in result.stderr
    assert not calls.exists()


def test_the_three_entry_points_use_the_script():
    root = SCRIPT.parents[1]
    makefile = (root / "Makefile").read_text()
    assert "bash scripts/system-packages.sh" in makefile
    assert "run: system-packages" in makefile and "test: system-packages" in makefile
    assert 'scripts/system-packages.sh" --ci' in (root / ".ci" / "run").read_text()
    assert os.access(SCRIPT, os.X_OK)
