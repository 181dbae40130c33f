"""demo-gil: the simulated GIL serialises CPU-bound threads, lets I/O-bound
threads overlap, and delays an I/O thread beside a CPU-bound one.

Only what the GIL's semantics guarantee is asserted: under the lock at most
one thread runs, so CPU-bound threads cannot beat serial time by much; sleeps
overlap whatever the core count; a waiter that finds the lock held waits a
whole switch interval before it may ask for it."""

import signal

from demo_helpers import get, main


def check(demo):
    for bad in (["--threads", "0"], ["--threads=17"], ["--mode", "gpu"],
                ["--work-ms", "abc"], ["--bogus", "1"], ["--interval-ms=0"],
                ["--io-ms"], ["stray"]):
        demo.check_bad(*bad)

    j = demo.run_json("--mode", "cpu", "--threads", "2", "--work-ms", "60")
    demo.expect(get(j, "params.threads") == 2 and get(j, "params.mode") == "cpu",
                "params not echoed")
    for k in ("gil", "nogil", "processes"):
        demo.expect(get(j, "speedup." + k) > 0, f"speedup.{k} not positive")
    # One thread at a time under the GIL: no real speedup possible.
    demo.expect(get(j, "speedup.gil") < 1.5,
                f"CPU-bound threads under the GIL sped up: {get(j, 'speedup.gil')}")
    demo.expect(get(j, "gil.drop_requests") >= 1,
                "two CPU-bound threads never needed a drop request")
    demo.expect(get(j, "gil.switches") >= get(j, "gil.drop_requests") - 1,
                "fewer hand-overs than drop requests")
    # Waiters sleep on a condition variable: about one core busy at a time.
    demo.expect(get(j, "cpu_s.gil") < get(j, "wall_s.gil") * 1.5 + 0.05,
                "threads under the GIL used more than about one core")

    j = demo.run_json("--mode", "io", "--threads", "4", "--work-ms", "40")
    demo.expect(get(j, "speedup.gil") > 1.5,
                f"I/O-bound threads did not overlap: {get(j, 'speedup.gil')}")
    demo.expect(get(j, "speedup.processes") > 1.5, "I/O-bound processes did not overlap")

    j = demo.run_json("--mode", "convoy", "--threads", "1", "--work-ms", "60",
                      "--io-ms", "2", "--interval-ms", "5")
    alone = get(j, "io_latency_ms.alone")
    busy = get(j, "io_latency_ms.with_cpu_thread")
    demo.expect(alone >= 2.0, f"a 2 ms wait took {alone} ms")
    demo.expect(busy > alone + 2.5,
                f"no convoy: {busy} ms beside a CPU thread against {alone} ms alone")
    demo.expect(get(j, "io_ops") >= 5, "too few I/O operations")

    rc, out, err = demo.run("--mode", "io", "--threads", "2", "--work-ms", "20")
    demo.expect(rc == 0 and "In Python terms" in out and "|" in out,
                "human output lacks the timeline or the closing line")

    demo.check_signal(["--threads", "2", "--work-ms", "400"], 0.3)
    demo.check_signal(["--threads", "2", "--work-ms", "300"], 1.3, signal.SIGTERM)


main("gil", check)
