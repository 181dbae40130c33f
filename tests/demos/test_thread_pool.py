"""demo-thread-pool: ThreadPoolExecutor's semantics.

Exact: every task runs once; map and result() follow submission order; one
worker runs the queue in FIFO order; the raising task's exception reaches
its future and nowhere else; at most k tasks run at once.  Timing, safely:
N waits of D ms on k workers cannot end before ceil(N/k) x D (each round
waits at least D), and with 4 workers they end well before N x D."""

import signal

from demo_helpers import get, main


def check(demo):
    for bad in (["--tasks", "0"], ["--tasks=1001"], ["--workers", "0"],
                ["--workers=65"], ["--ms", "0"], ["--ms=2001"], ["--fail=-2"],
                ["--fail", "x"], ["--bogus"], ["stray"]):
        demo.check_bad(*bad)

    n, k, ms = 8, 4, 100
    j = demo.run_json("--tasks", str(n), "--workers", str(k), "--ms", str(ms),
                      "--fail", "2")
    demo.expect(get(j, "params.tasks") == n and get(j, "params.fail") == 2,
                "params not echoed")
    wall, expected = get(j, "wall_s"), get(j, "expected_s")
    demo.expect(abs(expected - 0.2) < 1e-9, f"expected_s {expected}, wanted 0.2")
    demo.expect(wall >= expected * 0.99, f"wall {wall} s under the {expected} s minimum")
    demo.expect(wall < get(j, "serial_s") * 0.8,
                f"4 workers did not overlap their waits: {wall} s")
    demo.expect(get(j, "workers_started") == k, "workers started")
    demo.expect(get(j, "max_running") == k, f"max_running {get(j, 'max_running')}")
    demo.expect(sorted(get(j, "order.completion")) == list(range(n)),
                f"completion order is not a permutation: {get(j, 'order.completion')}")
    demo.expect(get(j, "order.submission") == list(range(n)), "submission order")
    demo.expect(get(j, "order.map") == list(range(n)),
                f"result() order {get(j, 'order.map')}")
    demo.expect(sum(get(j, "tasks_per_worker")) == n, "tasks per worker")
    demo.expect(get(j, "results_ok") == n - 1, f"results_ok {get(j, 'results_ok')}")
    demo.expect(get(j, "exception.task") == 2, "the wrong task raised")
    demo.expect(get(j, "exception.message") == "ValueError('task 2 failed')",
                f"exception message {get(j, 'exception.message')!r}")
    demo.expect(get(j, "exception.delivered") == 1, "the exception was not delivered once")
    demo.expect(get(j, "varied.order.map") == list(range(6)), "varied map order")
    comp = get(j, "varied.order.completion")
    demo.expect(sorted(comp) == list(range(6)), f"varied completion {comp}")
    fin = get(j, "varied.finished_ms")
    demo.expect(fin == sorted(fin), f"finishing times out of order: {fin}")
    got = get(j, "varied.map_got_ms")
    demo.expect(got == sorted(got) and got[0] >= max(fin) * 0.99,
                f"map handed over task 0 before the longest task ended: {got} {fin}")

    # Tasks of 600, 500, ..., 100 ms on 6 workers: 100 ms apart, the longest
    # (submitted first) finishes last.
    j = demo.run_json("--tasks", "6", "--workers", "6", "--ms", "600", "--fail", "-1")
    comp = get(j, "varied.order.completion")
    demo.expect(comp[-1] == 0 and comp[0] != 0, f"completion order {comp}")
    demo.expect(get(j, "results_ok") == 6 and get(j, "exception.delivered") == 0,
                "no task should raise with --fail -1")

    # One worker runs the queue in FIFO order.
    j = demo.run_json("--tasks", "5", "--workers", "1", "--ms", "5", "--fail", "0")
    demo.expect(get(j, "order.completion") == list(range(5)),
                f"one worker, completion order {get(j, 'order.completion')}")
    demo.expect(get(j, "tasks_per_worker") == [5], "one worker ran everything")
    demo.expect(get(j, "exception.worker_ran_after") == 4,
                "the worker did not carry on after the exception")
    demo.expect(get(j, "max_running") == 1, "more than one task ran on one worker")

    rc, out, err = demo.run("--tasks", "6", "--workers", "3", "--ms", "20")
    demo.expect(rc == 0 and "In Python terms" in out and "worker 3 |" in out,
                "human output lacks the timeline or the closing line")

    demo.check_signal(["--tasks", "100", "--workers", "4", "--ms", "2000"], 0.3)
    demo.check_signal(["--tasks", "100", "--workers", "2", "--ms", "500"], 0.5,
                      signal.SIGTERM)


main("thread-pool", check)
