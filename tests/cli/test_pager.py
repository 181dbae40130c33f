"""The pager at a terminal: a PAGER that cannot start (a missing program, or
no PAGER and no less on PATH) prints the text directly with a one-line note,
on the command line and inside the REPL, where the session goes on."""

import os
import tempfile

from clitest import BIN, expect, private_env, run_tests
from ptyrun import Pty


def run_pty(argv, env, typed=None):
    p = Pty(argv, env)
    try:
        if typed is not None:
            p.prompt(r"pydojo> $")
            p.type(typed)
        status = p.wait(60)
        return status, p.screen
    finally:
        p.close()


def test_missing_pager_prints_directly():
    with tempfile.TemporaryDirectory() as tmp:
        env = private_env(tmp, TERM="xterm", PAGER="/nonexistent/pager -R")
        status, screen = run_pty([BIN, "learn", "gil"], env)
        expect(status == 0, f"exit status {status}: {screen[-400:]!r}")
        expect("Global Interpreter Lock" in screen, f"lesson not printed: {screen[:400]!r}")
        expect("cannot start the pager '/nonexistent/pager -R'" in screen and "printing directly" in screen,
               f"no note: {screen[:400]!r}")
        expect(screen.count("printing directly") == 1, "more than one note")


def test_no_less_on_path():
    with tempfile.TemporaryDirectory() as tmp:
        empty = os.path.join(tmp, "bin")
        os.mkdir(empty)
        env = private_env(tmp, TERM="xterm", PATH=empty)
        status, screen = run_pty([BIN, "learn", "gil"], env)
        expect(status == 0, f"exit status {status}: {screen[-400:]!r}")
        expect("Global Interpreter Lock" in screen, f"lesson not printed: {screen[:400]!r}")
        expect("cannot start the pager 'less -R'" in screen, f"no note: {screen[:400]!r}")


def test_missing_pager_in_repl_keeps_session():
    with tempfile.TemporaryDirectory() as tmp:
        env = private_env(tmp, TERM="xterm", PAGER="/nonexistent")
        status, screen = run_pty([BIN], env, "learn gil\rsections gil\rversion\r\x04")
        expect(status == 0, f"exit status {status}: {screen[-400:]!r}")
        expect("Global Interpreter Lock" in screen, "lesson not printed")
        expect("pydojo 0." in screen, f"the session ended after the pager failed: {screen[-400:]!r}")


def test_working_pager_is_used():
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "paged")
        pager = os.path.join(tmp, "pager")
        with open(pager, "w") as f:
            f.write(f"#!/bin/sh\ncat > {out}\n")
        os.chmod(pager, 0o755)
        env = private_env(tmp, TERM="xterm", PAGER=pager)
        status, screen = run_pty([BIN, "learn", "gil"], env)
        expect(status == 0, f"exit status {status}")
        with open(out) as f:
            expect("Global Interpreter Lock" in f.read(), "the pager did not get the text")
        expect("printing directly" not in screen and "Global Interpreter Lock" not in screen,
               f"printed as well as paged: {screen[:300]!r}")


run_tests(globals())
