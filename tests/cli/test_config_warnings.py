"""config.yaml faults: every command that reads the settings (quiz,
review, interview) tells each fault once, as 'pydojo: warning:
FILE:LINE:COL: ...' on stderr, and runs with the defaults for the values
at fault (all of them when the file does not parse); a REPL session tells
them once, not per command; commands that do not read the settings say
nothing; and `check` reports them as errors at their line (exit 2), with
no argument or given the file."""

import os
import tempfile

from clitest import expect, private_env, run, run_tests

NOW = "2026-01-01T09:00:00Z"

CASES = [
    # (config.yaml, the warning after the path, new cards a day then)
    ("new_cards_per_day: 3\nretention: 0.9\n",
     ":2:1: unknown key 'retention' (known: desired_retention, new_cards_per_day,"
     " interview_minutes, fuzz)", 3),
    ("new_cards_per_day: lots\ndesired_retention: 0.8\n",
     ":1:20: 'new_cards_per_day' must be a whole number from 0 to 1000, not 'lots'", 10),
    ("new_cards_per_day: 3\nfuzz: [\n",
     ":3:1: yaml: did not find expected node content while parsing a flow node"
     " (at line 3, column 1)", 10),
]


def setup(tmp, text):
    env = private_env(tmp, PYDOJO_NOW=NOW)
    path = os.path.join(env["XDG_CONFIG_HOME"], "pydojo", "config.yaml")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return env, path


def warnings(err):
    return [l for l in err.splitlines() if l.startswith("pydojo: warning: ")]


def test_each_command_warns_once_and_goes_on():
    for text, want, per_day in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            env, path = setup(tmp, text)
            want = "pydojo: warning: " + path + want
            db = ["--db", os.path.join(tmp, "p.db")]
            status, out, err = run(db + ["review"], stdin="quit\n", env=env)
            expect(status == 0 and warnings(err) == [want] and err.splitlines() == [want],
                   f"{text!r}: review: exit {status}: {err!r}, want {want!r}")
            expect(f"Review: {per_day} cards to go" in out,
                   f"{text!r}: review does not use {per_day} new cards a day: {out[:200]!r}")
            for args in (["quiz", "gil", "-n", "1"], ["interview", "--minutes", "0.05"]):
                status, out, err = run(db + args, stdin="quit\n", env=env)
                expect(status == 0 and err.splitlines() == [want],
                       f"{text!r}: {args}: exit {status}: {err!r}")
            for args in (["topics"], ["learn", "gil"], ["stats"]):
                status, out, err = run(db + args, env=env)
                expect(status == 0 and err == "", f"{text!r}: {args}: exit {status}: {err!r}")


def test_repl_warns_once():
    with tempfile.TemporaryDirectory() as tmp:
        text, want, _ = CASES[0]
        env, path = setup(tmp, text)
        want = "pydojo: warning: " + path + want
        script = "topics\nreview --new-limit 0\nquiz gil -n 1\nquit\nreview --new-limit 0\nquit\n"
        status, out, err = run(["--db", os.path.join(tmp, "p.db")], stdin=script, env=env)
        expect(status == 0 and warnings(err) == [want], f"exit {status}: {err!r}")


def test_check_reports_config_at_its_line():
    for text, want, _ in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            env, path = setup(tmp, text)
            pos, msg = want.split(": ", 1)
            line = f"{path}{pos}: error: {msg}"
            status, out, err = run(["check"], env=env)
            expect(status == 2 and err.splitlines() == [line, "1 error"] and out == "",
                   f"{text!r}: check: exit {status}: {err!r}, want {line!r}")
            status, out, err = run(["check", path], env=env)
            expect(status == 2 and err.splitlines() == [line, "1 error"],
                   f"{text!r}: check FILE: exit {status}: {err!r}")
    with tempfile.TemporaryDirectory() as tmp:
        env, path = setup(tmp, "new_cards_per_day: 3\nfuzz: false\n")
        status, out, err = run(["check"], env=env)
        expect(status == 0 and out.startswith("ok: ") and err == "", f"a good file: exit {status}: {err!r}")


def test_warning_shows_no_control_characters():
    """A control character in the file is a fault at its column; it never
    reaches the terminal."""
    with tempfile.TemporaryDirectory() as tmp:
        env, path = setup(tmp, "new_cards_per_day: 3\n'\u009b2J\x1b[2J': 1\n")
        status, out, err = run(["--db", os.path.join(tmp, "p.db"), "review"], stdin="quit\n", env=env)
        expect(status == 0 and warnings(err) == [f"pydojo: warning: {path}:2:2: yaml: control characters"
                                                 " are not allowed"], f"exit {status}: {err!r}")
        expect("\u009b" not in err and "\x1b" not in err, f"a raw control character: {err!r}")
        expect("Review: 10 cards to go" in out, f"not the defaults: {out[:100]!r}")


run_tests(globals())
