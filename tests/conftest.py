"""Test set-up shared by every test: headless Qt, no network, a private data folder."""

from __future__ import annotations

import os
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from leaks import leftovers

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# BRIEFREADER_NO_FORK=1: Python as on Windows (spawn the default, fork refused) here and, through
# tests/nofork/sitecustomize.py on PYTHONPATH, in every Python the tests start. CI runs the core
# and end-to-end tests once more so.
NOFORK_DIR = Path(__file__).resolve().parent / "nofork"
if os.environ.get("BRIEFREADER_NO_FORK") == "1":
    sys.path.insert(0, str(NOFORK_DIR))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(NOFORK_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    import nofork

    nofork.refuse_fork()


def pytest_report_header() -> str | None:
    if os.environ.get("BRIEFREADER_NO_FORK") == "1":
        return "multiprocessing: spawn the default, fork refused (BRIEFREADER_NO_FORK=1)"
    return None


# Property tests draw the same examples on every run, so CI cannot fail on a draw no one can
# reproduce. To hunt for new failures by hand: HYPOTHESIS_PROFILE=explore make test.
settings.register_profile("default", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "000_476c018fafa87246.txt"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """briefreader never talks to the network: any attempt to connect fails the test."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a test tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    # A name lookup already leaks what a brief points at (DNS), before any connection.
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture(autouse=True)
def _nothing_left_running() -> Iterator[None]:
    """Fail a test that leaves a worker thread, a running QTimer or a QProcess behind.

    Work a test started must be finished (or stopped) by the test: a leftover would run
    into the next test and make it fail for a reason its name does not give.
    """
    before = set(threading.enumerate())
    yield
    left = leftovers(before)
    assert not left, "still running after the test: " + "; ".join(left)


@pytest.fixture(autouse=True)
def _data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own user data folder; nothing touches the real one."""
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("BRIEFREADER_DATA_DIR", str(data))
    return data


@pytest.fixture
def seed_path() -> Path:
    if not SEED.is_file():
        pytest.skip(f"the seed brief is not at {SEED}")
    return SEED
