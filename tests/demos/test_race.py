"""demo-race: threads incrementing a shared counter lose updates without a
lock (a thread switch between the load and the store) and lose none with a
mutex or an atomic add.

The counts are exact.  The unlocked run yields between its load and its
store, so with several threads started together some loads see a value
another thread has loaded but not yet stored: lost updates are certain, not
a matter of timing.  One thread alone cannot lose anything."""

import signal

from demo_helpers import get, main

VARIANTS = ("unlocked", "unlocked_no_yield", "mutex", "atomic")


def check(demo):
    for bad in (["--threads", "0"], ["--threads=65"], ["--increments", "0"],
                ["--increments=10000001"], ["--increments", "1e3"],
                ["--bogus"], ["--threads"], ["stray"]):
        demo.check_bad(*bad)

    t, m = 4, 20000
    j = demo.run_json("--threads", str(t), "--increments", str(m))
    demo.expect(get(j, "params.threads") == t and get(j, "params.increments") == m,
                "params not echoed")
    demo.expect(get(j, "expected") == t * m, f"expected {get(j, 'expected')}")
    for v in VARIANTS:
        final = get(j, "final." + v)
        demo.expect(get(j, "increments_done." + v) == t * m,
                    f"{v}: {get(j, 'increments_done.' + v)} increments done")
        demo.expect(0 < final <= t * m, f"{v}: final {final} out of range")
        demo.expect(get(j, "lost." + v) == t * m - final, f"lost.{v}")
        demo.expect(get(j, "ns_per_increment." + v) > 0, f"ns_per_increment.{v}")
    demo.expect(get(j, "final.mutex") == t * m,
                f"the mutex lost updates: {get(j, 'final.mutex')}")
    demo.expect(get(j, "final.atomic") == t * m,
                f"the atomic lost updates: {get(j, 'final.atomic')}")
    demo.expect(get(j, "final.unlocked") < t * m,
                f"no update lost without a lock: {get(j, 'final.unlocked')}")
    demo.expect(get(j, "log.same_value_loaded") >= 1,
                "the log holds no two threads loading the same value")
    demo.expect(get(j, "log.increments") == t * 256, "log size")

    j = demo.run_json("--threads", "1", "--increments", "3000")
    for v in VARIANTS:
        demo.expect(get(j, "final." + v) == 3000,
                    f"one thread lost updates ({v}): {get(j, 'final.' + v)}")
    demo.expect(get(j, "log.same_value_loaded") == 0, "one thread raced with itself")

    rc, out, err = demo.run("--threads", "3", "--increments", "5000")
    demo.expect(rc == 0 and "In Python terms" in out and "one increment is lost" in out
                and "thread 3 |" in out,
                "human output lacks the lost-update listing, the timeline or the closing line")

    demo.check_signal(["--threads", "4", "--increments", "10000000"], 0.3)
    demo.check_signal(["--threads", "2", "--increments", "10000000"], 0.3, signal.SIGTERM)


main("race", check)
