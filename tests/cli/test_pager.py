"""The pager at a terminal: a PAGER that cannot start (a missing program, or
no PAGER and no less on PATH) prints the text directly with a one-line note,
on the command line and inside the REPL, where the session goes on."""

import os
import select
import tempfile

from clitest import BIN, expect, private_env, run_tests
from ptyrun import Pty


def run_pty(argv, env):
    p = Pty(argv, env)
    try:
        status = p.wait(60)
        # What the program wrote just before it exited.
        while select.select([p.master], [], [], 0.2)[0]:
            try:
                data = os.read(p.master, 65536)
            except OSError:
                break
            if not data:
                break
            p.screen += data.decode("utf-8", "replace")
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
        p = Pty([BIN], env)
        try:
            p.prompt(r"pydojo> $")
            p.type("learn gil\r")
            out = p.prompt(r"pydojo> $")
            expect("Global Interpreter Lock" in out, f"lesson not printed: {out[-300:]!r}")
            expect("printing directly" in out, "no note")
            p.type("version\r")
            out = p.prompt(r"pydojo> $")
            expect("pydojo 0." in out, f"the session ended after the pager failed: {out[-300:]!r}")
            p.type("\x04")
            status = p.wait()
            expect(status == 0, f"exit status {status}")
        finally:
            p.close()


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
