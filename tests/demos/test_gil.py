"""demo-gil: the simulated GIL serialises CPU-bound threads, lets I/O-bound
threads overlap, and delays an I/O thread beside a CPU-bound one.

Only what holds by construction is asserted, on any machine, under load and
under the sanitizers: under the lock at most one thread runs bytecodes, so
the lock's hold periods never overlap and add up to no more than the run's
wall time, and the CPU work done under it is the whole work; the serial
reference is one thread's CPU time (best of three), which other load cannot
inflate, so threads under the GIL cannot beat it by much; sleeps released
from the lock overlap whatever the core count; a waiter that finds the lock
held waits a whole switch interval before it may ask for it."""

import signal

from demo_helpers import get, main

# Clock reads around a hold period: a little slack for the last digits.
SLACK_S = 0.002


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
        demo.expect(get(j, "cpu_s." + k) > 0, f"cpu_s.{k} not positive")
    demo.expect(get(j, "gil.max_concurrent_holders") == 1,
                f"{get(j, 'gil.max_concurrent_holders')} threads held the GIL at once")
    held, held_cpu = get(j, "gil.held_s"), get(j, "gil.held_cpu_s")
    wall_gil, cpu_gil = get(j, "wall_s.gil"), get(j, "cpu_s.gil")
    # Hold periods never overlap, so they fit in the run's wall time ...
    demo.expect(held <= wall_gil + SLACK_S,
                f"the GIL was held {held} s in a run of {wall_gil} s")
    # ... a thread gets no more CPU than the time it holds the lock ...
    demo.expect(held_cpu <= held + SLACK_S,
                f"{held_cpu} s of CPU while holding the GIL for {held} s")
    # ... and all the work is done under it (waiting costs next to no CPU).
    demo.expect(held_cpu >= 0.8 * cpu_gil - SLACK_S,
                f"only {held_cpu} s of the threads' {cpu_gil} s of CPU ran under the GIL")
    # So against one thread's CPU time, one thread at a time cannot speed up.
    demo.expect(get(j, "speedup.gil") <= 1.3,
                f"CPU-bound threads under the GIL sped up: {get(j, 'speedup.gil')} "
                f"(reference {get(j, 'reference_s.serial')} s of CPU, "
                f"wall {wall_gil} s)")
    demo.expect(get(j, "gil.drop_requests") >= 1,
                "two CPU-bound threads never needed a drop request")
    demo.expect(get(j, "gil.forced_drops") <= get(j, "gil.drop_requests"),
                "the holder dropped the GIL more often than it was asked to")
    demo.expect(get(j, "gil.switches") >= get(j, "gil.drop_requests") - 1,
                "fewer hand-overs than drop requests")
    demo.expect(get(j, "nogil.max_concurrent") >= 1, "no thread ran without the GIL")

    j = demo.run_json("--mode", "io", "--threads", "4", "--work-ms", "40")
    demo.expect(get(j, "gil.max_concurrent_holders") == 1,
                f"{get(j, 'gil.max_concurrent_holders')} I/O threads held the GIL at once")
    demo.expect(get(j, "gil.held_s") <= get(j, "wall_s.gil") + SLACK_S,
                "the GIL was held longer than the run lasted")
    # More time blocked in I/O than the run lasted: the waits overlapped.
    for k in ("gil", "nogil"):
        demo.expect(get(j, "io_s." + k) > 1.5 * get(j, "wall_s." + k),
                    f"I/O-bound threads ({k}) did not overlap their waits: "
                    f"{get(j, 'io_s.' + k)} s blocked in {get(j, 'wall_s.' + k)} s")
    demo.expect(get(j, "speedup.gil") > 1.0,
                f"I/O-bound threads under the GIL were slower than serial: "
                f"{get(j, 'speedup.gil')}")

    j = demo.run_json("--mode", "convoy", "--threads", "1", "--work-ms", "60",
                      "--io-ms", "2", "--interval-ms", "5")
    alone = get(j, "io_latency_ms.alone")
    busy = get(j, "io_latency_ms.with_cpu_thread")
    demo.expect(alone >= 2.0, f"a 2 ms wait took {alone} ms")
    demo.expect(get(j, "gil.max_concurrent_holders") == 1,
                "the I/O thread and the CPU thread held the GIL at once")
    # Finding the CPU thread holding the lock, the I/O thread waits at least
    # a switch interval before it may ask for it.
    demo.expect(get(j, "io_latency_max_ms.with_cpu_thread") >= 2.0 + 5.0,
                f"no wait of a switch interval beside a CPU thread: worst "
                f"{get(j, 'io_latency_max_ms.with_cpu_thread')} ms")
    demo.expect(busy >= alone,
                f"no convoy: {busy} ms beside a CPU thread against {alone} ms alone")
    demo.expect(get(j, "io_gil_wait_ms.with_cpu_thread") >= get(j, "io_gil_wait_ms.alone"),
                "getting the GIL back was quicker beside a CPU thread than alone")
    demo.expect(get(j, "gil.drop_requests") >= 1, "the I/O thread never asked for the GIL")
    demo.expect(get(j, "io_ops") >= 5, "too few I/O operations")

    rc, out, err = demo.run("--mode", "io", "--threads", "2", "--work-ms", "20")
    demo.expect(rc == 0 and "In Python terms" in out and "|" in out,
                "human output lacks the timeline or the closing line")

    demo.check_signal(["--threads", "2", "--work-ms", "400"], 0.3)
    demo.check_signal(["--threads", "2", "--work-ms", "300"], 1.3, signal.SIGTERM)


main("gil", check)
