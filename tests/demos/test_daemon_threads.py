"""demo-daemon-threads: a daemon thread is cut off when the program ends; a
non-daemon thread is joined and finishes.

Exact: the joined thread does every iteration and every line arrives intact
and in order; the daemon thread's lines arrive only in whole flushes, in
order, and what it made but had not flushed (fewer than one flush) is lost;
its finally block never runs.  Timing, with a wide margin: 50 iterations of
20 ms (1 s) cannot finish in the 60 ms before the main thread ends, and 3
iterations of 1 ms always finish in 300 ms."""

import signal

from demo_helpers import get, main


def check(demo):
    for bad in (["--iterations", "0"], ["--iterations=100001"],
                ["--step-ms", "0.05"], ["--step-ms=101"], ["--main-ms=-1"],
                ["--main-ms", "10001"], ["--flush-every", "0"],
                ["--flush-every=1001"], ["--step-ms", "fast"], ["--bogus"],
                ["stray"]):
        demo.check_bad(*bad)

    n, f = 50, 4
    j = demo.run_json("--iterations", str(n), "--step-ms", "20", "--main-ms", "60",
                      "--flush-every", str(f))
    demo.expect(get(j, "params.iterations") == n and get(j, "params.flush-every") == f,
                "params not echoed")
    dn = lambda k: get(j, "daemon." + k)
    jn = lambda k: get(j, "joined." + k)
    demo.expect(dn("planned") == n and jn("planned") == n, "planned")
    demo.expect(dn("done") < n, f"the daemon thread finished all {n} iterations")
    demo.expect(dn("lines_made") - dn("done") in (0, 1),
                f"lines made {dn('lines_made')} against iterations {dn('done')}")
    demo.expect(dn("lines_written") == dn("lines_intact"),
                "a daemon line arrived damaged or out of order")
    demo.expect(dn("lines_written") % f == 0,
                f"{dn('lines_written')} lines written: not whole flushes of {f}")
    demo.expect(dn("lines_lost") == dn("lines_made") - dn("lines_written")
                and 0 <= dn("lines_lost") < f + 1,
                f"lines lost {dn('lines_lost')} with flushes of {f}")
    demo.expect(dn("never_done") == n - dn("done"), "never_done")
    demo.expect(dn("cleanup_ran") is False, "the daemon thread's finally block ran")
    demo.expect(jn("done") == n and jn("lines_made") == n, "the joined thread stopped early")
    demo.expect(jn("lines_written") == n and jn("lines_intact") == n,
                f"joined thread: {jn('lines_intact')} of {n} lines intact")
    demo.expect(jn("lines_lost") == 0 and jn("cleanup_ran") is True,
                "the joined thread lost lines or skipped its finally block")
    demo.expect(jn("exit_ms") >= n * 20 * 0.99,
                f"the joined run exited after {jn('exit_ms')} ms, before its work")
    demo.expect(dn("exit_after_main_ms") < jn("exit_after_main_ms"),
                "the exit waited for the daemon thread")

    # A daemon thread that is done before the program ends loses nothing.
    j = demo.run_json("--iterations", "3", "--step-ms", "1", "--main-ms", "300",
                      "--flush-every", "10")
    demo.expect(get(j, "daemon.done") == 3 and get(j, "daemon.lines_written") == 3
                and get(j, "daemon.cleanup_ran") is True,
                "a daemon thread that finished early lost work")

    rc, out, err = demo.run("--iterations", "20", "--step-ms", "5", "--main-ms", "30")
    demo.expect(rc == 0 and "In Python terms" in out and "daemon thread |" in out,
                "human output lacks the timeline or the closing line")

    demo.check_signal(["--iterations", "1000", "--main-ms", "5000"], 0.3)
    demo.check_signal(["--iterations", "1000", "--main-ms", "100"], 0.6, signal.SIGTERM)


main("daemon-threads", check)
