"""mutuelle.cache.EmbeddedFileCache: the file cache of the embedded default counts its
folder once per tidy-up interval, not on every write, and drops expired entries first."""

import pytest
import time_machine

from mutuelle.cache import EmbeddedFileCache

START = 1_000_000
INTERVAL = EmbeddedFileCache.TIDY_EVERY_SECONDS


@pytest.fixture
def cache(tmp_path):
    return EmbeddedFileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 4}})


@pytest.fixture
def at(monkeypatch):
    """Both clocks at ``START + seconds``: the entries' expiry (wall clock) and the
    tidy-up interval (monotonic clock)."""
    travels = []

    def move(seconds: float):
        while travels:
            travels.pop().stop()
        travel = time_machine.travel(START + seconds, tick=False)
        travel.start()
        travels.append(travel)
        monkeypatch.setattr("mutuelle.cache.monotonic", lambda: START + seconds)

    yield move
    while travels:
        travels.pop().stop()


def test_the_folder_is_listed_once_per_interval(cache, at, monkeypatch):
    listings = []
    real = cache._list_cache_files
    monkeypatch.setattr(cache, "_list_cache_files", lambda: listings.append(1) or real())
    at(0)
    for n in range(10):
        cache.set(f"compteur-{n % 3}", n)
    # One tidy-up for ten writes: the expired pass, then Django's count.
    assert len(listings) == 2
    at(INTERVAL - 1)
    cache.set("compteur-1", 10)
    assert len(listings) == 2
    at(INTERVAL + 1)
    cache.set("compteur-0", 11)
    assert len(listings) == 4
    assert (cache.get("compteur-0"), cache.get("compteur-1"), cache.get("compteur-2")) == (
        11,
        10,
        8,
    )


def test_a_tidy_up_drops_expired_entries_and_keeps_live_ones(cache, at):
    at(0)
    cache.set("limite-connexion", 1, timeout=600)
    for n in range(4):
        cache.set(f"ancien-{n}", n, timeout=60)
    at(120)
    cache.set("nouveau", "x", timeout=600)
    # Five entries, over the limit of four: the expired ones went, not the live ones
    # (Django's own cull deletes a random third, live ones included).
    assert len(cache._list_cache_files()) == 2
    assert cache.get("limite-connexion") == 1 and cache.get("nouveau") == "x"


def test_live_entries_over_the_limit_are_still_culled(cache, at):
    at(0)
    cache.set("premier", 0)  # this write tidies the empty folder
    at(60)
    for n in range(5):
        cache.set(f"vivant-{n}", n)  # the first of them tidies 1 entry
    at(120)
    cache.set("dernier", 6)
    # Six live entries when this tidy-up ran (limit 4): a third of them went.
    assert len(cache._list_cache_files()) == 6 - 6 // 3 + 1
    assert cache.get("dernier") == 6


def test_an_entry_deleted_by_another_process_during_a_tidy_up(cache, at, monkeypatch):
    at(0)
    cache.set("a", 1)
    real = cache._list_cache_files
    gone = cache._key_to_file("parti")
    monkeypatch.setattr(cache, "_list_cache_files", lambda: [*real(), gone])
    at(60)
    cache.set("b", 2)
    assert cache.get("a") == 1 and cache.get("b") == 2
