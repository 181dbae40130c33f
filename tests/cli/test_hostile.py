"""Terminal controls from a content folder or from the user never reach the
terminal raw. A hostile folder (OSC 0 window title, CSI 6n, OSC 52 clipboard,
OSC 8 hidden link and C1 CSI in every text field) is refused by `check` at
each escape and by every command, their messages showing the controls as
text; bad ids, values, answers and file names are echoed the same way, and
an echo is cut to a line; pydojo's own SGR colours are the only escapes it
writes at a colour terminal. The printers fed such text past the loader are
tested in tests/unit/test-commands.c. Also: links in the Anki export keep
only http:, https: and #anchors."""

import os
import re
import select
import tempfile

from clitest import BIN, expect, private_env, run, run_tests
from progress_helpers import content_env
from ptyrun import Pty

# YAML double-quoted escapes: the raw bytes cannot be in a YAML file.
PAYLOAD = (r"pwned \e]0;title\a \e[6n \e]52;c;cHduZWQ=\a "
           r"\e]8;;http://x.example\e\\link\e]8;;\e\\ \u009b6n end")

LESSON = f"""\
id: evil
title: "{PAYLOAD}"
track: evil
level: core
summary: "{PAYLOAD}"
demos: [evil-demo]
sections:
  - title: "{PAYLOAD}"
    body: "{PAYLOAD}"
"""

QUIZ = f"""\
topic: evil
questions:
  - id: evil-choice
    type: choice
    prompt: "{PAYLOAD}"
    choices: ["{PAYLOAD}", plain]
    answer: 1
    hint: "{PAYLOAD}"
    explain: "{PAYLOAD}"
"""

DEMOS = f"""\
- id: evil-demo
  title: "{PAYLOAD}"
  summary: plain
  topics: [evil]
  binary: demo-evil
  params:
    - {{name: n, type: int, min: 1, max: 3, default: 1, help: "{PAYLOAD}"}}
"""

FIELDS = 10   # payloads in the three files above


def raw_controls(data, sgr_ok=False):
    """The control characters in data (bytes) other than tab, newline, CR
    before LF and, when sgr_ok, SGR sequences (ESC [ digits; m)."""
    text = data.decode("utf-8", "surrogateescape")
    if sgr_ok:
        text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    text = text.replace("\r\n", "\n")
    return [c for c in text if (ord(c) < 0x20 and c not in "\t\n") or 0x7f <= ord(c) <= 0x9f
            or 0xdc80 <= ord(c) <= 0xdcff]


def hostile_root(tmp):
    root = os.path.join(tmp, "evil")
    for sub, name, text in (("lessons", "evil.yaml", LESSON), ("quizzes", "evil.yaml", QUIZ),
                            ("demos", "demos.yaml", DEMOS)):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
        with open(os.path.join(root, sub, name), "w") as f:
            f.write(text)
    return root


def run_bytes(args, env, stdin=b""):
    import subprocess
    p = subprocess.run([BIN] + args, input=stdin, env=env, capture_output=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def test_check_refuses_each_field_at_its_escape():
    with tempfile.TemporaryDirectory() as tmp:
        root = hostile_root(tmp)
        rc, out, err = run_bytes(["check", root], private_env(tmp))
        expect(rc == 2, f"check exited {rc}")
        expect(not raw_controls(out + err), f"raw controls: {raw_controls(out + err)}")
        lines = [l for l in err.decode().splitlines() if "control character" in l]
        expect(len(lines) == FIELDS, f"{len(lines)} control errors, want {FIELDS}: {err.decode()}")
        # The first escape of each payload is \e, at its column.
        title = err.decode().split("lessons/evil.yaml:2:")[1]
        expect(title.startswith("15: error: a control character (\\x1b) in a string"), title[:80])


def test_every_command_on_hostile_content():
    with tempfile.TemporaryDirectory() as tmp:
        root = hostile_root(tmp)
        env = private_env(tmp)
        for args in (["learn", "evil"], ["sections", "evil"], ["topics"], ["topics", "--json"],
                     ["search", "pwned"], ["quiz", "evil"], ["review"], ["interview", "--minutes", "1"],
                     ["demo", "list"], ["demo", "evil-demo", "--help"], ["export", "--anki", "-"]):
            # The hostile files are left out, each named on a line of its
            # own; what they hold is shown as text.
            rc, out, err = run_bytes(["--content", root] + args, env, b"a\n3\n")
            expect(rc in (0, 1, 2), f"{args}: exit {rc}")
            expect(b"pydojo: skipped " in err and b"control character (\\x1b)" in err,
                   f"{args}: no skipped line: {err[:200]!r}")
            bad = raw_controls(out + err)
            expect(not bad, f"{args}: raw controls {bad[:5]}")


def test_user_input_is_echoed_visibly():
    with tempfile.TemporaryDirectory() as tmp:
        env = private_env(tmp)
        evil = "\x1b]0;t\x07\x1b[6n\u009b"
        named = os.path.join(tmp, f"x{evil}.yaml")
        with open(named, "w") as f:
            f.write("id: x\n")
        for args in (["learn", evil], ["learn", "gil", evil], ["sections", evil], ["quiz", evil],
                     ["search", evil + "("], ["search", "zz" + evil], ["demo", evil], ["demo", "gil", "--x" + evil],
                     ["demo", "gil", "--threads", evil], [evil], ["--seed", evil, "topics"], ["--" + evil],
                     ["check", named], ["check", os.path.join(tmp, evil)], ["quiz", "gil", "-n", evil],
                     ["interview", "--minutes", evil], ["fsrs", evil], ["export", "--anki", "/nonexistent/" + evil]):
            rc, out, err = run_bytes([a.encode() for a in args], env)
            expect(rc != 0, f"{args!r}: exit {rc}")
            expect(b"\\x1b" in out + err, f"{args!r}: nothing echoed: {(out + err)[:200]!r}")
            expect(not raw_controls(out + err), f"{args!r}: raw controls in {(out + err)[:300]!r}")


def test_refused_answer_echo_is_one_line():
    with tempfile.TemporaryDirectory() as tmp:
        env = content_env(tmp)
        token = b"\x1b[6n" + b"z" * (10 << 20)
        rc, out, err = run_bytes(["--seed", "1", "quiz", "alpha", "-n", "1"], env, token + b"\nquit\n")
        expect(rc == 0, f"exit {rc}: {err[-300:]!r}")
        refused = [l for l in out.decode().splitlines() if "is not" in l]
        expect(refused, f"no refusal: {out[-600:]!r}")
        expect(len(out) < 4096, f"{len(out)} bytes of output for a refused answer")
        line = refused[0]
        expect(line.startswith("  '\\x1b[6nzzz") and "\u2026'" in line, line[:100])
        echo = line.split("'")[1]
        expect(len(echo) <= 60, f"echo of {len(echo)} columns")
        expect(not raw_controls(out + err), "raw controls")


def test_colour_terminal_gets_only_sgr():
    with tempfile.TemporaryDirectory() as tmp:
        env = private_env(tmp, TERM="xterm", PAGER="cat", NO_COLOR=None)
        p = Pty(["/bin/sh", "-c", f"'{BIN}' learn gil; '{BIN}' topics; '{BIN}' demo gil --help; '{BIN}' search 'switch interval'; "
                 f"'{BIN}' learn \"$(printf '\\033]0;t\\007')\""], env)
        try:
            p.wait()
            while select.select([p.master], [], [], 0.2)[0]:
                try:
                    data = os.read(p.master, 65536)
                except OSError:
                    break
                if not data:
                    break
                p.screen += data.decode("utf-8", "replace")
            raw = p.screen.encode("utf-8", "surrogateescape")
        finally:
            p.close()
        expect(b"\x1b[1m" in raw, "no colour at a terminal")
        expect(b"\\x1b]0;t\\x07" in raw, f"echo not shown: {raw[-300:]!r}")
        bad = raw_controls(raw, sgr_ok=True)
        expect(not bad, f"raw controls beside SGR: {bad[:5]}")


def test_anki_links_only_http_and_anchors():
    with tempfile.TemporaryDirectory() as tmp:
        env = content_env(tmp)
        quiz = os.path.join(env["PYDOJO_DATADIR"], "quizzes", "alpha.yaml")
        with open(quiz) as f:
            text = f.read()
        text = text.replace("explain: |\n      Because of *this*.",
                            "explain: |\n      Because of [js](javascript:alert(1)) [JS](JavaScript:alert(2)) "
                            "[ent](&#106;avascript:alert(3)) [data](data:text/html,x) [rel](evil.html) "
                            "![img](javascript:alert(4)) <javascript:alert(5)> "
                            "[web](https://example.org/a) [plain](http://example.org) [top](#top) "
                            "![pic](https://example.org/p.png).")
        with open(quiz, "w") as f:
            f.write(text)
        rc, out, err = run_bytes(["check"], env)
        expect(rc == 0, f"check: {err!r}")
        rc, out, err = run_bytes(["export", "--anki", "-"], env)
        expect(rc == 0, f"export: {err!r}")
        text = out.decode()
        hrefs = re.findall(r'(?:href|src)="([^"]*)"', text)
        expect(sorted(hrefs) == sorted(["https://example.org/a", "http://example.org", "#top",
                                        "https://example.org/p.png"]), f"links: {hrefs}")
        # A dropped link keeps its text, a dropped image its alt text.
        for kept in ("js", "JS", "ent", "data", "rel", "img"):
            expect(f" {kept} " in text, f"the text of [{kept}] is lost")


run_tests(globals())
