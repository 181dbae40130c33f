"""demo-blocking: blocking sleeps in sequence add up, coroutines on one loop
and one thread per task overlap, and one blocking call inside the loop makes
every other task late.

What is asserted holds by construction, whatever the machine: N sleeps of D
in a row take at least N x D, and the last of them ends at least (N-1) x D
after it would alone; the loop runs the blocker (its timer is due first)
before the others' timers, so none of them can finish before the blocking
call returns, which makes each at least B - D/2 late.  The overlap checks are
loose ratios (overlapping sleeps against N of them in a row), and sleeping
uses far less CPU than wall time."""

import signal

from demo_helpers import get, main


def check(demo):
    for bad in (["--tasks", "0"], ["--tasks=1001"], ["--ms", "0"],
                ["--block-ms", "5001"], ["--ms", "1.5"], ["--bogus"],
                ["--tasks"], ["stray"]):
        demo.check_bad(*bad)

    n, ms, block = 8, 100, 250
    j = demo.run_json("--tasks", str(n), "--ms", str(ms), "--block-ms", str(block))
    demo.expect(get(j, "params.tasks") == n and get(j, "params.ms") == ms
                and get(j, "params.block-ms") == block, "params not echoed")
    for k in ("hard", "soft", "threads"):
        demo.expect(get(j, "tasks_done." + k) == n, f"not every task finished ({k})")
    demo.expect(get(j, "tasks_done.soft_with_blocker") == n + 1,
                "the tasks and the blocker did not all finish")

    hard, soft, thr = (get(j, "wall_s." + k) for k in ("hard", "soft", "threads"))
    demo.expect(hard >= n * ms / 1000 * 0.999,
                f"{n} sleeps of {ms} ms in a row took {hard} s")
    demo.expect(get(j, "max_lateness_ms.hard") >= (n - 1) * ms * 0.999,
                f"the last task in sequence was only "
                f"{get(j, 'max_lateness_ms.hard')} ms late")
    demo.expect(soft >= ms / 1000 * 0.999 and thr >= ms / 1000 * 0.999,
                "a task finished before its wait was over")
    demo.expect(soft < hard / 2 and thr < hard / 2,
                f"the waits did not overlap: hard {hard} s, soft {soft} s, "
                f"threads {thr} s")
    demo.expect(get(j, "cpu_s.hard") < hard / 2,
                f"sleeping used CPU: {get(j, 'cpu_s.hard')} s in {hard} s")

    late = get(j, "max_lateness_ms.soft_with_blocker")
    demo.expect(late >= (block - ms / 2) * 0.999,
                f"with a {block} ms blocking call the others were only {late} ms late")
    demo.expect(get(j, "mean_lateness_ms.soft_with_blocker") >= (block - ms / 2) * 0.999,
                "some task escaped the blocked loop")
    demo.expect(get(j, "late_tasks.soft_with_blocker") == n,
                f"{get(j, 'late_tasks.soft_with_blocker')} of {n} tasks late, wanted all")
    demo.expect(get(j, "wall_s.soft_with_blocker") >= (ms / 2 + block) / 1000 * 0.999,
                "the blocker's run ended before its blocking call could")
    demo.expect(get(j, "max_lateness_ms.soft") <= late,
                "the loop was later without the blocking call than with it")
    demo.expect(get(j, "loop_wakeups.soft") >= 1, "the loop never waited")
    demo.expect(get(j, "threads_memory_kib.virtual") > 0,
                "the threads' memory was not measured")

    j = demo.run_json("--tasks", "1", "--ms", "10", "--block-ms", "40")
    demo.expect(get(j, "tasks_done.soft_with_blocker") == 2
                and get(j, "late_tasks.soft_with_blocker") == 1, "one task beside the blocker")
    demo.expect(get(j, "max_lateness_ms.soft_with_blocker") >= 35 * 0.999,
                "one task beside a 40 ms blocking call")

    rc, out, err = demo.run("--tasks", "3", "--ms", "20", "--block-ms", "30")
    demo.expect(rc == 0 and "In Python terms" in out and "|" in out
                and "X blocks the loop" in out,
                "human output lacks the timelines or the closing line")

    # Stops in each phase: the sequence, the threads, the blocking call.
    demo.check_signal(["--tasks", "50", "--ms", "100"], 0.4)
    demo.check_signal(["--tasks", "1", "--ms", "300", "--block-ms", "5000"],
                      1.0, signal.SIGTERM)
    demo.check_signal(["--tasks", "2", "--ms", "1000"], 3.5)


main("blocking", check)
