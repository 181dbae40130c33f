"""The `demo` command and its runner: the list; parameters refused before
anything starts (a wrapper program records whether it ever ran); unknown ids
and parameters with suggestions; a missing program (exit 3); --json passing
the demo's JSON through alone; the CPU time pydojo reports against the
demo's own figures; predict-then-run driven over a pipe; Ctrl-C on a
pseudo-terminal stopping the demo (whole process group) while the REPL goes
on; SIGINT forwarded when stdin is not a terminal; the time limit (status
124); a demo that leaves a process behind.

Most tests use a small content root of their own (two lessons and a
manifest naming the real demo programs), so they do not depend on the
shipped lessons; one lists the shipped manifest. Processes are found by a
marker variable in their environment (/proc/PID/environ)."""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import BIN, SRC, expect, private_env, run, run_tests  # noqa: E402
from ptyrun import Pty  # noqa: E402

DEMODIR = os.environ.get("PYDOJO_DEMODIR", os.path.join(os.path.dirname(BIN), "demos"))
MARKER = "PYDOJO_DEMO_TEST_MARKER"
PROMPT = r"pydojo> $"

LESSON = """id: {id}
title: {title}
track: concurrency
level: core
summary: A lesson for the demo tests.
sections:
  - title: Only
    body: Text.
demos: [{demos}]
"""

MANIFEST = """
- id: gil
  title: The GIL, simulated
  summary: A global lock with a switch interval.
  topics: [gil]
  binary: demo-gil
  params:
    - {name: mode, type: enum, values: [cpu, io, convoy], default: cpu, help: the workload}
    - {name: threads, type: int, min: 1, max: 16, default: 4, help: threads}
    - {name: work-ms, type: int, min: 20, max: 2000, default: 200, help: work per thread}
    - {name: interval-ms, type: float, min: 0.5, max: 50, default: 5, help: switch interval}
  watch: The speedup column.

- id: event-loop
  title: A small asyncio in C
  summary: Coroutines on one thread.
  topics: [asyncio]
  binary: demo-event-loop
  params:
    - {name: unit-ms, type: int, min: 1, max: 1000, default: 100, help: scenario unit}
    - {name: tasks, type: int, min: 0, max: 100000, default: 10000, help: sleeping tasks}
    - {name: ms, type: int, min: 1, max: 10000, default: 200, help: sleep of each task}
    - {name: trace, type: flag, help: print each decision}

- id: generators
  title: List, generator, iterator
  summary: Sum of squares three ways.
  topics: [asyncio]
  binary: demo-generators
  params:
    - {name: n, type: int, min: 1, max: 20000000, default: 5000000, help: how many squares}
    - {name: over, type: int, min: 0, max: 1000000000, default: 100, help: early exit bound}
  predict:
    - id: gen-break
      prompt: How many squares has the generator computed when the loop breaks at the first square over 100?
      run: {n: 5000, over: 100}
      figure: computed_on_break
      choices:
        - {text: "11", max: 11.5}
        - {text: "12", min: 11.5, max: 12.5}
        - {text: "all of them", min: 12.5}
    - id: gen-n
      prompt: Which n did that run use?
      run: {n: 5000, over: 100}
      figure: params.n
      choices:
        - {text: under 1000, max: 1000}
        - {text: 1000 or more, min: 1000}

- id: leaky
  title: Leaves a process behind
  summary: Starts a background sleep and exits.
  topics: [asyncio]
  binary: demo-leaky

- id: ghost
  title: Never built
  summary: Its program does not exist.
  topics: [gil]
  binary: demo-ghost
"""


class Fixture:
    """A content root and a demo folder: links to the real demo programs,
    demo-gil wrapped by a script that records each start in a file, and
    demo-leaky, which leaves a sleeping child in its group."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="pydojo-demo-test-")
        root = self.tmp.name
        self.data = os.path.join(root, "data")
        self.demos = os.path.join(root, "bin")
        os.makedirs(os.path.join(self.data, "lessons"))
        os.makedirs(os.path.join(self.data, "demos"))
        os.makedirs(self.demos)
        with open(os.path.join(self.data, "lessons", "gil.yaml"), "w") as f:
            f.write(LESSON.format(id="gil", title="The GIL", demos="gil, ghost"))
        with open(os.path.join(self.data, "lessons", "asyncio.yaml"), "w") as f:
            f.write(LESSON.format(id="asyncio", title="asyncio", demos="event-loop, generators"))
        with open(os.path.join(self.data, "demos", "demos.yaml"), "w") as f:
            f.write(MANIFEST)
        for name in ("event-loop", "generators"):
            os.symlink(os.path.abspath(os.path.join(DEMODIR, "demo-" + name)),
                       os.path.join(self.demos, "demo-" + name))
        self.started = os.path.join(root, "gil-started")
        self.script("demo-gil", f'echo "$@" >> "{self.started}"\n'
                    f'exec "{os.path.abspath(os.path.join(DEMODIR, "demo-gil"))}" "$@"\n')
        self.script("demo-leaky", "sleep 1000 &\necho started a sleeper\n")
        self.marker = uuid.uuid4().hex
        self.env = private_env(os.path.join(root, "home"), PYDOJO_DATADIR=self.data,
                               PYDOJO_DEMODIR=self.demos, PAGER="cat", TERM="xterm",
                               PYDOJO_DEMO_TIMEOUT=None, **{MARKER: self.marker})

    def script(self, name, body):
        path = os.path.join(self.demos, name)
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + body)
        os.chmod(path, 0o755)

    def run(self, *args, stdin=None, timeout=120, **env):
        e = dict(self.env)
        e.update(env)
        return run(list(args), stdin=stdin if stdin is not None else "", env=e, timeout=timeout)

    def gil_starts(self):
        if not os.path.exists(self.started):
            return 0
        with open(self.started) as f:
            return len(f.read().splitlines())

    def marked(self, exclude=()):
        """Pids of live processes whose environment holds this marker."""
        needle = f"{MARKER}={self.marker}".encode()
        found = []
        for d in os.listdir("/proc"):
            if not d.isdigit() or int(d) in exclude:
                continue
            try:
                with open(f"/proc/{d}/environ", "rb") as f:
                    env = f.read().split(b"\0")
                with open(f"/proc/{d}/stat", "rb") as f:
                    state = f.read().rsplit(b")", 1)[1].split()[0]
            except OSError:
                continue
            if needle in env and state != b"Z":
                found.append(int(d))
        return found

    def wait_for(self, comm, timeout=20):
        """Waits until a marked process named comm runs; returns its pid."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for pid in self.marked():
                try:
                    with open(f"/proc/{pid}/comm") as f:
                        if f.read().strip() == comm:
                            return pid
                except OSError:
                    pass
            time.sleep(0.05)
        raise AssertionError(f"no process '{comm}' started")

    def expect_none_left(self, exclude=(), what="a process"):
        # Reaping is done before pydojo returns; allow the kernel a moment
        # to finish tearing a killed process down.
        deadline = time.monotonic() + 3
        left = self.marked(exclude)
        while left and time.monotonic() < deadline:
            time.sleep(0.05)
            left = self.marked(exclude)
        expect(not left, f"{what} left behind: {[comm(p) for p in left]}")

    def close(self):
        self.tmp.cleanup()


def comm(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f"{pid}:" + f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return f"{pid}:?"


def with_fixture(fn):
    def wrapper():
        fx = Fixture()
        try:
            fn(fx)
        finally:
            fx.close()
    wrapper.__name__ = fn.__name__
    return wrapper


REPORT = re.compile(r"demo (\S+): (.*?), ([0-9.]+) s wall, ([0-9.]+) s CPU")


def report(text):
    m = REPORT.search(text)
    expect(m, f"no 'demo ID: ..., N s wall, N s CPU' line in {text!r}")
    return m.group(2), float(m.group(3)), float(m.group(4))


# ---- listing ----

def test_list_shipped_manifest():
    import yaml
    with open(os.path.join(SRC, "demos", "demos.yaml")) as f:
        ids = [d["id"] for d in yaml.safe_load(f)]
    for args in (["demo"], ["demo", "list"]):
        status, out, err = run(args, stdin="")
        expect(status == 0, f"{args}: exit {status}: {err}")
        for i in ids:
            expect(re.search(rf"^  {re.escape(i)}\s", out, re.M), f"{args}: '{i}' not listed: {out}")
    status, out, err = run(["demo", "list", "--json"], stdin="")
    expect(status == 0, f"demo list --json: exit {status}: {err}")
    expect([d["id"] for d in json.loads(out)] == ids, f"--json ids differ: {out[:300]}")


@with_fixture
def test_list_fixture(fx):
    status, out, err = fx.run("demo", "list")
    expect(status == 0, f"exit {status}: {err}")
    for i in ("gil", "event-loop", "generators", "leaky"):
        expect(re.search(rf"^  {i}\s", out, re.M), f"'{i}' not listed: {out}")
    expect("List, generator, iterator" in out and "topics: asyncio" in out,
           f"titles or topics missing: {out}")
    expect(re.search(r"ghost .*\(not built\)", out), f"missing program not marked: {out}")
    expect("2 predictions" in out, f"predict count missing: {out}")
    status, out, err = fx.run("demo", "list", "--json")
    expect(status == 0, f"--json exit {status}: {err}")
    by_id = {d["id"]: d for d in json.loads(out)}
    expect(by_id["generators"]["lessons"] == ["asyncio"], f"lessons: {by_id['generators']}")
    expect(by_id["ghost"]["built"] is False and by_id["gil"]["built"] is True, "built flags")
    expect(by_id["gil"]["params"][1] == {"name": "threads", "type": "int", "min": 1, "max": 16,
                                         "default": "4"}, f"params: {by_id['gil']['params']}")


# ---- parameters refused before anything starts ----

@with_fixture
def test_bad_parameters_start_nothing(fx):
    cases = [
        (["--threads", "99"], r"'99' of '--threads' is out of range \(1 to 16\)"),
        (["--threads=0"], r"out of range"),
        (["--threads", "two"], r"'two' of '--threads' is not an integer"),
        (["--threads", "2.5"], r"not an integer"),
        (["--interval-ms", "nan"], r"'nan' of '--interval-ms' is not a number"),
        (["--interval-ms=51"], r"out of range \(0.5 to 50\)"),
        (["--mode", "gpu"], r"'gpu' of '--mode' is not one of cpu, io, convoy"),
        (["--thread", "2"], r"no parameter '--thread' \(did you mean '--threads'\?\)"),
        (["--colour", "red"], r"no parameter '--colour' \(it takes --mode, --threads"),
        (["--threads"], r"'--threads' needs a value"),
        (["--threads", "2", "--threads", "3"], r"'--threads' given twice"),
        (["stray"], r"unexpected 'stray'"),
        (["--threads", "2", "--predict"], r"--predict runs each question's own parameters"),
    ]
    for args, pattern in cases:
        status, out, err = fx.run("demo", "gil", *args)
        expect(status == 2, f"{args}: exit {status}, want 2: {err}")
        expect(re.search(pattern, err), f"{args}: error {err!r} does not match {pattern!r}")
        expect(len(err.strip().splitlines()) == 1, f"{args}: not a one-line error: {err!r}")
        expect("demo gil:" not in out and "Explained in" not in out, f"{args}: it ran: {out!r}")
    expect(fx.gil_starts() == 0, f"the demo program started {fx.gil_starts()} times")
    # The same wrapper records a good run, so the check above can fail.
    status, out, err = fx.run("demo", "gil", "--threads", "1", "--work-ms=20", "--json")
    expect(status == 0, f"good run: exit {status}: {err}")
    expect(fx.gil_starts() == 1, "the good run was not recorded")
    with open(fx.started) as f:
        expect(f.read().split() == ["--threads=1", "--work-ms=20", "--json"], "argument vector")


@with_fixture
def test_unknown_demo_and_missing_program(fx):
    status, out, err = fx.run("demo", "generatrs")
    expect(status == 2 and "unknown demo 'generatrs' (did you mean 'generators'?)" in err,
           f"exit {status}: {err!r}")
    status, out, err = fx.run("demo", "zzzzzz")
    expect(status == 2 and "unknown demo 'zzzzzz' (see 'demo list')" in err, f"exit {status}: {err!r}")
    status, out, err = fx.run("demo", "ghost")
    expect(status == 3, f"missing program: exit {status}, want 3: {err!r}")
    expect("program of demo 'ghost' is missing" in err and "demo-ghost" in err, err)
    status, out, err = fx.run("demo", "gil", "--help")
    expect(status == 0 and "--threads N" in out and "1 to 16, default 4" in out
           and "Explained in: learn gil" in out, f"--help: {status} {out!r}")


# ---- running ----

@with_fixture
def test_json_passes_through_alone(fx):
    status, out, err = fx.run("demo", "generators", "--n", "1000", "--json")
    expect(status == 0, f"exit {status}: {err}")
    j = json.loads(out)  # stdout is exactly the demo's JSON
    expect(j["params"]["n"] == 1000 and j["computed_on_break"] == 12, f"JSON: {j}")
    how, wall, cpu = report(err)
    expect(how == "exit 0", f"report: {how}")
    expect("Explained in: learn asyncio" in err, f"lessons not named: {err!r}")


@with_fixture
def test_run_reports_lessons_and_status(fx):
    status, out, err = fx.run("demo", "generators", "--n=2000")
    expect(status == 0, f"exit {status}: {err}")
    lessons = out.find("Explained in: learn asyncio")
    expect(lessons >= 0, f"lessons not named: {out!r}")
    expect(out.find("$ demo generators --n=2000") > lessons, f"command not shown: {out!r}")
    how, wall, cpu = report(out)
    expect(how == "exit 0" and out.rfind("demo generators: exit 0") > out.find("$ demo"), out)


@with_fixture
def test_cpu_time_agrees_with_the_demo(fx):
    status, out, err = fx.run("demo", "gil", "--mode", "cpu", "--threads", "2", "--work-ms", "100",
                              "--json")
    expect(status == 0, f"exit {status}: {err}")
    j = json.loads(out)
    how, wall, cpu = report(err)
    # The demo measures its own runs with getrusage (its children's through
    # wait4); pydojo's wait4 covers all of them and more.
    own = sum(v for v in j["cpu_s"].values() if isinstance(v, (int, float)))
    expect(own > 0, f"the demo measured no CPU: {j['cpu_s']}")
    expect(cpu > 0, "pydojo reported no CPU time for a CPU-bound demo")
    expect(cpu >= 0.9 * own - 0.01, f"reported CPU {cpu} s < the demo's own {own:.3f} s")
    cores = os.cpu_count() or 1
    expect(cpu <= wall * cores + 0.02, f"CPU {cpu} s > wall {wall} s x {cores} cores")


@with_fixture
def test_leftover_process_is_killed(fx):
    status, out, err = fx.run("demo", "leaky")
    expect(status == 0, f"exit {status}: {err}")
    expect("left processes behind" in err, f"no warning: {err!r}")
    fx.expect_none_left(what="the demo's background sleep")


@with_fixture
def test_time_limit(fx):
    status, out, err = fx.run("demo", "event-loop", "--unit-ms", "1", "--tasks", "10", "--ms", "10000",
                              PYDOJO_DEMO_TIMEOUT="0.5", timeout=60)
    expect(status == 124, f"exit {status}, want 124: {out[-300:]!r} {err!r}")
    how, wall, cpu = report(out)
    expect(how == "stopped by the 0.5 s time limit, status 124", f"report: {how}")
    expect(wall < 9, f"it ran its whole course: {wall} s")
    fx.expect_none_left()
    status, out, err = fx.run("demo", "generators", "--n", "10", PYDOJO_DEMO_TIMEOUT="soon")
    expect(status == 2 and "PYDOJO_DEMO_TIMEOUT must be a number" in err, f"{status} {err!r}")
    # Bounded: a limit beyond a day is a typo, not a wish.
    for bad in ("86400.5", "1e300", "-1"):
        status, out, err = fx.run("demo", "generators", "--n", "10", PYDOJO_DEMO_TIMEOUT=bad)
        expect(status == 2 and "to 86400" in err and out == "", f"{bad}: {status} {err!r}")


def start_long_demo(fx):
    p = subprocess.Popen([BIN, "demo", "event-loop", "--unit-ms", "1", "--tasks", "10", "--ms", "10000"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=fx.env, cwd=SRC)
    return p, fx.wait_for("demo-event-loop")


@with_fixture
def test_sigint_forwarded_without_terminal(fx):
    p, demo = start_long_demo(fx)
    try:
        os.kill(p.pid, signal.SIGINT)
        out, err = p.communicate(timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    out = out.decode()
    expect(p.returncode == 130, f"exit {p.returncode}, want 130: {out[-300:]!r} {err!r}")
    how, wall, cpu = report(out)
    expect(how == "interrupted, status 130", f"report: {how}")
    fx.expect_none_left()


@with_fixture
def test_nothing_outlives_a_killed_pydojo(fx):
    p, demo = start_long_demo(fx)
    try:
        p.kill()  # SIGKILL: no clean-up code runs; PR_SET_PDEATHSIG does it
        p.communicate(timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    fx.expect_none_left(what="the demo of a killed pydojo")


@with_fixture
def test_sigterm_stops_the_demo_then_pydojo(fx):
    p, demo = start_long_demo(fx)
    try:
        os.kill(p.pid, signal.SIGTERM)
        out, err = p.communicate(timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    expect(p.returncode == -signal.SIGTERM, f"pydojo exit {p.returncode}, want death by SIGTERM")
    fx.expect_none_left()


# ---- predict-then-run ----

@with_fixture
def test_predict_over_a_pipe(fx):
    status, out, err = fx.run("demo", "generators", "--predict", stdin="b\nb\n")
    expect(status == 0, f"all right: exit {status}: {out} {err}")
    expect("1. How many squares" in out and "   b) 12" in out, f"question not shown: {out}")
    expect(out.count("$ demo generators --n=5000 --over=100 --json") == 1, f"runs: {out}")
    expect("question 2: the same run as question 1" in out, f"the same run was repeated: {out}")
    expect("computed_on_break = 12" in out and "params.n = 5000" in out, f"figures: {out}")
    expect("2 of 2 predictions right" in out, f"total: {out}")
    # A wrong prediction, after answers that are not a choice; a number is
    # one, as in a quiz ("1" is a, "2" is b).
    status, out, err = fx.run("demo", "generators", "--predict", stdin="x\n9\n1\n2\n")
    expect(status == 1, f"one wrong: exit {status}: {out} {err}")
    expect("'x' is out of range: answer a to c (or 1 to 3)" in err
           and "'9' is out of range: answer a to c (or 1 to 3)" in err, f"bad answers not refused: {err!r}")
    expect(re.search(r"you said a\) 11: wrong", out) and re.search(r"you said b\) 1000 or more: right", out),
           f"verdicts: {out}")
    expect("1 of 2 predictions right" in out, f"total: {out}")
    # End of input abandons before anything runs.
    status, out, err = fx.run("demo", "generators", "--predict", stdin="b\n")
    expect(status == 1 and "abandoned (end of input); nothing was run" in out and "$ demo" not in out,
           f"EOF: exit {status}: {out}")
    # In the REPL the answers come through its line reading, and it goes on.
    status, out, err = fx.run(stdin="demo generators --predict\nb\na\nversion\n")
    expect("1 of 2 predictions right" in out and "pydojo 0." in out, f"REPL: {out} {err}")
    expect(status == 1, f"REPL exit {status}, want 1 (the last failing command)")
    status, out, err = fx.run("demo", "gil", "--predict")
    expect(status == 2 and "no predictions to make" in err, f"{status} {err!r}")


# ---- Ctrl-C on a terminal ----

@with_fixture
def test_ctrl_c_on_a_terminal(fx):
    p = Pty([BIN], fx.env)
    try:
        p.prompt(PROMPT)
        p.type("demo event-loop --unit-ms 1 --tasks 10 --ms 10000\r")
        p.read_until(r"\$ demo event-loop")
        demo = fx.wait_for("demo-event-loop")
        expect(os.getpgid(demo) == demo, "the demo is not the leader of its own group")
        expect(os.getpgid(demo) != os.getpgid(p.proc.pid), "the demo shares pydojo's group")
        p.type("\x03")
        out = p.prompt(PROMPT, timeout=20)
        how, wall, cpu = report(out)
        expect(how == "interrupted, status 130", f"report: {how}: {out!r}")
        expect(wall < 9, f"the demo ran its course: {wall} s")
        fx.expect_none_left(exclude=(p.proc.pid,))
        expect(p.proc.poll() is None, "Ctrl-C ended the REPL")
        # The REPL still works, and Ctrl-C at its prompt still only clears the line.
        p.type("topics\r")
        out = p.prompt(PROMPT)
        expect("gil" in out and "asyncio" in out, f"topics after Ctrl-C: {out!r}")
        p.type("demo generators --predict\r")
        p.prompt(r"your prediction \(a-c\): $")  # Ctrl-C only once line editing has the terminal
        p.type("\x03")
        out = p.prompt(PROMPT)
        expect("abandoned (Ctrl-C)" in out, f"Ctrl-C at a prediction: {out!r}")
        p.type("demo gil --threads 1 --work-ms 20\r")
        out = p.prompt(PROMPT, timeout=60)
        expect(report(out)[0] == "exit 0", f"a second demo: {out[-400:]!r}")
        p.type("\x04")
        status = p.wait()
        expect(status == 0, f"exit {status} after Ctrl-D")
        expect(p.modes_restored(), "terminal modes not restored")
    finally:
        p.close()
    fx.expect_none_left()


if __name__ == "__main__":
    run_tests(dict(globals()))
