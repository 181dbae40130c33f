"""The REPL on a pseudo-terminal: a command typed and run, tab completion of
a command, a topic id and a section id, a non-ASCII line kept intact, Ctrl-C clearing the
line without leaving, Ctrl-D leaving with status 0, history kept, and the
terminal's modes as they were."""

import os
import tempfile

from clitest import BIN, expect, private_env, run_tests
from ptyrun import Pty

PROMPT = r"pydojo> $"


def session(tmp):
    env = private_env(tmp, TERM="xterm", PAGER="cat")
    return Pty([BIN], env)


def test_interactive_session():
    with tempfile.TemporaryDirectory() as tmp:
        p = session(tmp)
        try:
            banner = p.prompt(PROMPT)
            expect("topics" in banner.lower() or "pydojo" in banner.lower(),
                   f"no banner: {banner!r}")
            # A command typed and run.
            p.type("version\r")
            out = p.prompt(PROMPT)
            expect("pydojo 0." in out, f"version output: {out!r}")
            # Tab completes a unique command prefix...
            p.type("vers\t")
            p.read_until(r"version ")
            p.type("\r")
            out = p.prompt(PROMPT)
            expect("pydojo 0." in out, f"completed command did not run: {out!r}")
            # ...and a topic id after learn.
            p.type("sections generat\t")
            p.read_until(r"generators ")
            p.type("\r")
            out = p.prompt(PROMPT)
            expect("1. " in out, f"completed topic did not run: {out!r}")
            # ...and a section id after learn TOPIC.
            p.type("learn gil release-o\t")
            p.read_until(r"release-on-io ")
            p.type("\r")
            out = p.prompt(PROMPT)
            expect("What releases the GIL" in out and "In the interview" not in out,
                   f"completed section id did not run: {out!r}")
            # A non-ASCII line reaches the command intact.
            p.type("learn ĝil-ŝtono\r")
            out = p.prompt(PROMPT)
            expect("ĝil-ŝtono" in out, f"non-ASCII input mangled: {out!r}")
            # A lead byte with no continuation keeps the character after
            # it: the 'ŝ' that follows a stray \xc4 is still read whole.
            p.type(b"learn \xc4\xc5\x9dtono\r")
            out = p.prompt(PROMPT)
            expect("ŝtono" in out, f"a valid character after an invalid byte was lost: {out!r}")
            # Ctrl-C clears the line and stays in the REPL.
            p.type("learn gil")
            p.read_until(r"learn gil")
            p.type("\x03")
            p.prompt(PROMPT)
            p.type("version\r")
            out = p.prompt(PROMPT)
            expect("pydojo 0." in out and "Global Interpreter" not in out,
                   f"Ctrl-C did not clear the line: {out!r}")
            expect(p.proc.poll() is None, "Ctrl-C ended the REPL")
            # Ctrl-D leaves with status 0 and the terminal as it was.
            p.type("\x04")
            status = p.wait()
            expect(status == 0, f"exit status {status} after Ctrl-D")
            expect(p.modes_restored(), "terminal modes not restored")
        finally:
            p.close()
        hist = os.path.join(tmp, "xdg_state_home", "pydojo", "history")
        expect(os.path.exists(hist), "no history file")
        with open(hist, encoding="utf-8", errors="replace") as f:
            text = f.read()
        expect("version" in text, f"history lacks the commands: {text!r}")


def test_quit_and_history_recall():
    with tempfile.TemporaryDirectory() as tmp:
        p = session(tmp)
        try:
            p.prompt(PROMPT)
            p.type("sections gil\r")
            p.prompt(PROMPT)
            p.type("quit\r")
            expect(p.wait() == 0, "quit did not exit 0")
        finally:
            p.close()
        # A new REPL recalls the last line with the up arrow.
        p = session(tmp)
        try:
            p.prompt(PROMPT)
            p.type("\x1b[A")
            p.read_until(r"quit")
            p.type("\x15")          # Ctrl-U: kill the recalled line
            p.type("\x04")
            expect(p.wait() == 0, "Ctrl-D did not exit 0")
        finally:
            p.close()


run_tests(globals())
