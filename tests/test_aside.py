"""Tests of pipeline/aside.py: a function's value from a forked child, or from this process when the child fails."""
from __future__ import annotations

import os
import signal
import time

import pytest

from pipeline.aside import Aside, can_fork

needs_fork = pytest.mark.skipif(not can_fork(), reason="no fork on this platform: the function runs in-process")


@needs_fork
def test_the_value_comes_from_a_child():
    aside = Aside(lambda: (os.getpid(), [1.5, "x", {"a": None}]))
    pid, value = aside.result()
    assert pid != os.getpid() and aside.forked
    assert value == [1.5, "x", {"a": None}]


@needs_fork
def test_the_child_sees_the_data_as_it_was_when_forked():
    data = {"n": 1}
    aside = Aside(lambda: data["n"])
    data["n"] = 2  # this process's change is not the child's
    assert aside.result() == 1


def test_disabled_runs_the_function_here_at_once():
    calls = []
    aside = Aside(lambda: calls.append(os.getpid()) or "done", enabled=False)
    assert calls == [os.getpid()]  # run where it was asked for, not when the value is taken
    assert aside.result() == "done" and calls == [os.getpid()] and not aside.forked


@needs_fork
def test_an_error_in_the_child_is_raised_here():
    def fail():
        raise ValueError("bad chart")

    aside = Aside(fail)
    with pytest.raises(ValueError, match="bad chart"):
        aside.result()


@needs_fork
def test_a_child_that_dies_is_replaced_by_a_run_here():
    marker = {"here": False}

    def work():
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        marker["here"] = True
        return 42

    parent = os.getpid()
    aside = Aside(work)
    assert aside.result() == 42 and marker["here"] and not aside.forked


@needs_fork
def test_cancel_ends_the_child():
    parent = os.getpid()
    aside = Aside(lambda: time.sleep(60) if os.getpid() != parent else "here")
    pid = aside._pid
    aside.cancel()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # killed and reaped
    assert aside.result() == "here"  # after a cancel the function runs in this process


def test_a_core_is_free_only_with_two_cores_and_room_on_one(monkeypatch):
    from pipeline import aside

    monkeypatch.setattr(aside.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(aside.os, "getloadavg", lambda: (1.2, 1.0, 1.0))
    assert aside.core_free()
    monkeypatch.setattr(aside.os, "getloadavg", lambda: (1.9, 1.0, 1.0))
    assert not aside.core_free()
    monkeypatch.setattr(aside.os, "sched_getaffinity", lambda pid: {0})
    monkeypatch.setattr(aside.os, "getloadavg", lambda: (0.1, 0.1, 0.1))
    assert not aside.core_free()
