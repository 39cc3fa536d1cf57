"""gunicorn.conf.py: one listening socket for all the processes, each taking a connection
only when it has a free thread (one by default)."""

import runpy

import pytest
from django.conf import settings

CONF = str(settings.BASE_DIR / "gunicorn.conf.py")


def read(monkeypatch, **env) -> dict:
    for name in ("DATABASE_URL", "GUNICORN_THREADS", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(CONF)


@pytest.mark.parametrize(
    ("env", "threads"),
    [
        ({}, 1),
        ({"DATABASE_URL": "postgres://portail:secret@db:5432/portail"}, 1),
        ({"GUNICORN_THREADS": "3"}, 3),
    ],
)
def test_threads_and_connections_per_process(monkeypatch, env, threads):
    conf = read(monkeypatch, **env)
    assert conf["threads"] == threads
    # A process accepts no more connections than it has threads to serve them, and no
    # idle kept-alive connection holds a thread's place.
    assert conf["worker_connections"] == threads
    assert conf["keepalive"] == 0


def test_processes_share_one_listening_socket(monkeypatch):
    conf = read(monkeypatch, WEB_CONCURRENCY="3")
    assert conf["reuse_port"] is False
    assert conf["worker_class"] == "gthread"
    assert conf["workers"] == 3
