"""demo-event-loop: the C event loop runs each built-in scenario in exactly
CPython's order, and a crowd of sleeping tasks overlaps on one thread.

Each scenario's printed lines are compared, line for line, with those of its
twin program (event_loop_twins/<scenario>.py) run here under python3's
asyncio.  The callback counts asserted below follow from asyncio's rules
(a task's steps, one timer and one wakeup per sleep, one wakeup per awaited
pending task, the stop callback of run_until_complete), not from timing, so
they hold on any machine."""

import os
import signal
import subprocess
import sys

from demo_helpers import get, main

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = ["seed", "sleep0", "same-deadline", "spawn", "nested-gather"]
UNIT_MS = "20"

# Callbacks run from the ready queue, from asyncio's rules.  seed: steps of
# main, A and B; A's timer and wakeup; main's wakeup; B's timer and wakeup;
# main's wakeup; stop = 10.
CALLBACKS = {"seed": 10}


def twin_lines(scenario):
    path = os.path.join(HERE, "event_loop_twins", scenario + ".py")
    p = subprocess.run([sys.executable, path, UNIT_MS], capture_output=True,
                       text=True, timeout=60, stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        raise RuntimeError(f"{path} failed: {p.stderr}")
    return p.stdout.splitlines()


def check(demo):
    for bad in (["--scenario", "bogus"], ["--tasks=-1"], ["--tasks", "100001"],
                ["--unit-ms", "0"], ["--ms", "abc"], ["--bogus", "1"],
                ["--ms"], ["stray"]):
        demo.check_bad(*bad)

    for sc in SCENARIOS:
        j = demo.run_json("--scenario", sc, "--unit-ms", UNIT_MS, "--tasks", "0")
        lines = get(j, "scenario.lines")
        want = twin_lines(sc)
        for i, (a, b) in enumerate(zip(lines, want)):
            demo.expect(a == b, f"scenario {sc}, line {i + 1}: the demo printed "
                        f"{a!r}, CPython printed {b!r}")
        demo.expect(len(lines) == len(want),
                    f"scenario {sc}: {len(lines)} lines, CPython printed {len(want)}")
        demo.expect(get(j, "scenario.line_count") == len(lines), "line_count")
        demo.expect(get(j, "scenario.tasks_pending_at_end") == 0,
                    f"scenario {sc}: tasks left pending")
        demo.expect("wall_s" not in j, "--tasks 0 still ran the crowd")
        if sc in CALLBACKS:
            demo.expect(get(j, "scenario.callbacks_run") == CALLBACKS[sc],
                        f"scenario {sc}: {get(j, 'scenario.callbacks_run')} "
                        f"callbacks, wanted {CALLBACKS[sc]}")
    j = demo.run_json("--scenario", "same-deadline", "--unit-ms", UNIT_MS, "--tasks", "0")
    demo.expect(get(j, "scenario.timers_fired") == 3, "same-deadline: 3 timers")
    j = demo.run_json("--scenario", "spawn", "--tasks", "0")
    demo.expect(get(j, "scenario.tasks") == 8 and get(j, "scenario.timers_fired") == 0,
                "spawn: main and 7 nodes, no timers")

    n, ms = 2000, 50
    j = demo.run_json("--scenario", "sleep0", "--tasks", str(n), "--ms", str(ms))
    demo.expect(get(j, "tasks_completed") == n, "not every sleeping task finished")
    demo.expect(get(j, "crowd.timers_fired") == n, "one timer per sleep")
    # main's step, per task a step, a timer, a wakeup and a gather callback,
    # then main's wakeup and the stop callback.
    demo.expect(get(j, "crowd.callbacks_run") == 4 * n + 3,
                f"crowd callbacks {get(j, 'crowd.callbacks_run')}, wanted {4 * n + 3}")
    demo.expect(get(j, "ideal_s") == ms / 1000, "ideal_s is one sleep")
    demo.expect(get(j, "wall_s") >= get(j, "ideal_s"), "finished before one sleep")
    # Safe ratio: serial sleeping would take n * ideal (100 s).
    demo.expect(get(j, "wall_s") < 0.1 * n * get(j, "ideal_s"),
                f"the sleeps did not overlap: {get(j, 'wall_s')} s")
    demo.expect(get(j, "crowd.max_lateness_ms") >= 0, "woke before a deadline")
    demo.expect(0 < get(j, "alloc_bytes_per_task") < 4096,
                f"alloc_bytes_per_task {get(j, 'alloc_bytes_per_task')}")
    demo.expect(get(j, "peak_rss_kib") > 0 and get(j, "bytes_per_task") >= 0,
                "memory figures")

    rc, out, err = demo.run("--scenario", "seed", "--unit-ms", "10", "--tasks", "200",
                            "--ms", "20", "--trace")
    demo.expect(rc == 0 and "In Python terms" in out and "|" in out,
                "human output lacks the timeline or the closing line")
    demo.expect("Task A: I/O complete" in out and "epoll_wait" in out,
                "human output lacks the scenario's lines or the trace")

    demo.check_signal(["--tasks", "1000", "--ms", "8000"], 0.5)
    demo.check_signal(["--tasks", "1000", "--ms", "8000"], 0.5, signal.SIGTERM)


main("event-loop", check)
