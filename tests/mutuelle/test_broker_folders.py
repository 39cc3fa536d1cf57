"""Without Redis, Celery's filesystem transport keeps every folder under VAR_DIR: its
control folder (exchange table) used to land in the working directory."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from django.conf import settings

PUBLISH = textwrap.dedent(
    """
    import django
    django.setup()
    from mutuelle.celery import app
    app.send_task("mutuelle.tasks.deliver_message", args=[0])
    """
)


def test_filesystem_broker_writes_under_var_dir_only(tmp_path):
    var_dir, workdir = tmp_path / "var", tmp_path / "cwd"
    workdir.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_TASK_ALWAYS_EAGER", "DATABASE_URL"}
    }
    env |= {
        "VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "mutuelle.settings",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", PUBLISH], cwd=workdir, env=env, check=True, timeout=120
    )
    assert list(workdir.iterdir()) == []
    queue = var_dir / "celery-queue"
    assert (queue / "control" / "celery.exchange").is_file()
    assert any(path.suffix == ".msg" for path in queue.iterdir() if path.is_file())
    assert not Path(settings.BASE_DIR / "control").exists()
