"""Prose wraps to the terminal at word boundaries: `topics`, `stats`,
`help`, `help stats`, `demo gil --help` and a demo's own --help and prose,
run under a pseudo-terminal of 60 and of 120 columns. No line is wider than
the terminal (or than 100 columns, the widest prose), unless it is one word
that cannot break; and no word was split: the words, in order, are the same
at both widths and in a pipe. A demo's progress lines, rewritten in place on
a terminal, never reach a pipe."""
import os
import re
import subprocess
import tempfile

from clitest import BIN, expect, private_env, run, run_tests
from progress_helpers import content_env
from ptyrun import Pty

DEMODIR = os.environ.get("PYDOJO_DEMODIR", "build/demos")
ESC = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\x07")
PROSE_MAX = 100


def screen(argv, cols, env):
    """The lines a terminal of cols columns shows (a carriage return
    rewrites its line)."""
    p = Pty(argv, env, cols=cols)
    try:
        rc = p.wait(120)
        text = p.screen
    finally:
        p.close()
    expect(rc == 0, f"{argv} exited {rc}: {text[-400:]!r}")
    screen.raw = text
    lines = []
    for line in ESC.sub("", text).replace("\r\n", "\n").split("\n"):
        lines.append(line.split("\r")[-1])
    return lines


def check_width(lines, width, what, only_prose=False):
    for line in lines:
        if only_prose and (re.search(r"\S  ", line) or "|" in line):
            continue   # a table's row or a timeline, not prose
        if len(line) <= width:
            continue
        words = line.split()
        expect(len(words) == 1, f"{what}: a line of {len(line)} columns at {width}: {line!r}")


def same_words(a, b, what):
    wa, wb = " ".join(a).split(), " ".join(b).split()
    expect(wa == wb, f"{what}: the words differ at two widths: "
           + next((f"{x!r} != {y!r}" for x, y in zip(wa, wb) if x != y), f"{len(wa)} != {len(wb)} words"))


def pydojo_at(args, env):
    cols60 = screen([BIN, *args], 60, env)
    cols120 = screen([BIN, *args], 120, env)
    what = "pydojo " + " ".join(args)
    check_width(cols60, 60, what)
    check_width(cols120, PROSE_MAX, what)
    same_words(cols60, cols120, what)
    rc, out, err = run(list(args), env=env)
    expect(rc == 0, err)
    same_words(cols60, out.splitlines(), what + " (pipe)")
    return cols60, cols120


def test_commands():
    with tempfile.TemporaryDirectory() as tmp:
        env = private_env(tmp)
        for args in (["topics"], ["stats"], ["help"], ["help", "stats"], ["demo", "gil", "--help"], ["demo"]):
            cols60, cols120 = pydojo_at(args, env)
            expect(max(map(len, cols120)) > 60, f"{args}: at 120 columns the text uses the room")


def test_demo_help():
    with tempfile.TemporaryDirectory() as tmp:
        env = private_env(tmp)
        argv = [os.path.join(DEMODIR, "demo-gil"), "--help"]
        a, b = screen(argv, 60, env), screen(argv, 120, env)
        check_width(a, 60, "demo-gil --help")
        same_words(a, b, "demo-gil --help")


def test_demo_prose_and_progress():
    with tempfile.TemporaryDirectory() as tmp:
        env = private_env(tmp)
        argv = [os.path.join(DEMODIR, "demo-gil"), "--threads", "2", "--work-ms", "20"]
        lines = screen(argv, 60, env)
        check_width(lines, 60, "demo-gil prose", only_prose=True)
        text = "\n".join(lines)
        expect("In Python terms:" in text, text)
        timeline = [line for line in lines if re.search(r"\|[#. ]*\|$|\+-+\+$", line)]
        expect(len(timeline) >= 4 and all(len(line) <= 60 for line in timeline),
               f"the timelines fit 60 columns: {timeline}")
        # In a pipe: no line rewritten in place, and the results still there.
        p = subprocess.run(argv, env=env, capture_output=True, timeout=120)
        out = p.stdout.decode()
        expect(p.returncode == 0, p.stderr)
        expect("\r" not in out and "\x1b" not in out, f"a progress line reached the pipe: {out[:300]!r}")
        expect("1 thread alone (1 of 3)" not in out, "progress lines are for a terminal only")
        expect("In Python terms:" in out and "2 threads, GIL" in out, "the results are all there")
        expect("\r\x1b[K1 thread alone (1 of 3)" in screen.raw, "on a terminal the progress line is rewritten in place")


TABLE_LESSON = """\
id: tbl
title: Tables
track: one
level: core
summary: A lesson with tables.
sections:
  - title: Compare
    body: |
      Before the table.

      | tool | best for | releases the GIL |
      | :--- | :---: | ---: |
      | `threading` | I/O-bound work that waits on sockets and files | yes, while blocked |
      | `multiprocessing` | CPU-bound work | n/a |

      | alphabetically | bewilderingly | catastrophically | disproportionately | extraordinarily |
      | --- | --- | --- | --- | --- |
      | incomprehensible | uncharacteristically | counterproductive | indistinguishable | overcompensation |
"""


def test_key_points_wrap_under_themselves():
    """A key point longer than the terminal wraps under its own text, where
    the line naming the section to read goes, in the verdict and in the list
    of missed questions (it ran on past the edge, which cut words)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = private_env(tmp)
        p = Pty([BIN, "quiz", "gil-what-and-why"], env, cols=60)
        try:
            head = ESC.sub("", p.prompt(r"answer> $")).replace("\r", "")
            p.type("a lock\r")
            p.prompt(r"\.\.\. $")
            p.type(".\r")
            text = p.prompt(r"rating> $")
            p.type("\r")
            rc = p.wait(30)
            text += ESC.sub("", p.screen).replace("\r", "")
        finally:
            p.close()
        expect(rc == 0, f"quiz exited {rc}")
        # The answering hint, its keys and the rating line with its contest
        # offer fit too: each part on a line of its own at 60 columns.
        both = (head + text).split("\n")
        for key in ("for keys", "(Enter: ", "c N: you made missed point N"):
            found = [line for line in both if key in line]
            expect(found and all(len(line) <= 60 for line in found), f"{key!r} at 60 columns: {found}")
        lines = text.split("\n")
        verdict = lines[next(i for i, line in enumerate(lines) if line.startswith("✗ wrong")):]
        check_width(verdict[:verdict.index("  model answer:")], 60, "a quiz's key points")
        at = next((i for i, line in enumerate(lines) if "✗ missed it protects reference counts" in line), None)
        expect(at is not None, f"the third point is missed: {text!r}")
        expect(lines[at + 1].startswith(" " * 13 + "internals") and lines[at + 3] == " " * 13 + "read: learn gil what-it-is",
               f"the point wraps under itself, its read line after it: {lines[at:at + 4]}")
        tail = lines[lines.index("Missed"):]
        at = next(i for i, line in enumerate(tail) if line.startswith("    3. it protects"))
        expect(len(tail[at]) <= 60 and re.match(r" {7}internals \(cheap", tail[at + 1]),
               f"the missed list wraps it too: {tail[at:at + 3]}")


def test_tables():
    """A Markdown table renders as aligned columns under a rule; narrower
    than its text, its cells wrap within their columns; narrower than its
    longest words, each row becomes a block of 'header: value' lines."""
    with tempfile.TemporaryDirectory() as tmp:
        env = content_env(tmp)
        env["PAGER"] = "cat"
        with open(os.path.join(env["PYDOJO_DATADIR"], "lessons", "tbl.yaml"), "w") as f:
            f.write(TABLE_LESSON)
        wide = screen([BIN, "learn", "tbl"], 120, env)
        first = wide[:next(i for i, line in enumerate(wide) if "alphabetically" in line)]
        rows = [line for line in first if "│" in line]
        expect(len(rows) == 3, f"one line per row at 120 columns: {wide}")
        cols = {tuple(i for i, ch in enumerate(line) if ch == "│") for line in rows}
        expect(len(cols) == 1, f"the columns are aligned: {rows}")
        rule = wide[wide.index(rows[0]) + 1]
        expect(set(rule) <= {"─", "┼"} and rule.index("┼") == rows[0].index("│"), f"a rule under the header: {rule!r}")
        expect(rows[1].rstrip().endswith("yes, while blocked") and rows[2].rstrip().endswith("n/a"),
               f"the third column is right-aligned: {rows}")
        expect("| --- |" not in "\n".join(wide), "no raw Markdown table")
        narrow = screen([BIN, "learn", "tbl"], 60, env)
        check_width(narrow, 60, "a table at 60 columns")
        rows = [line for line in narrow if "│" in line]
        expect(not any("alphabetically" in line for line in rows), "the second table is not drawn at 60")
        expect(len(rows) > 3, f"cells wrap within their columns: {narrow}")
        expect(len({tuple(i for i, ch in enumerate(line) if ch == "│") for line in rows}) == 1,
               f"the wrapped columns stay aligned: {rows}")
        cell = " ".join(line.split("│")[1].strip() for line in rows[2:] if len(line.split("│")) > 1).split()
        expect(" ".join(cell).startswith("I/O-bound work that waits on sockets and files"), f"a cell's words in order: {cell}")
        expect("alphabetically: incomprehensible" in narrow and "extraordinarily: overcompensation" in narrow,
               f"a table wider than its words: a block per row: {narrow}")


if __name__ == "__main__":
    run_tests(globals())
