"""demo-generators: a list, a generator and an iterator sum the same squares;
the list's peak memory grows with n while the generator's does not, and on
the classic early break the generator has computed only 12 squares.

Counts and sums are exact.  The one memory check is safe: the list of n
8-byte values must raise the peak by at least half its size, and the
generator's peak must stay under a quarter of the list's."""

import signal

from demo_helpers import get, main


def check(demo):
    for bad in (["--n", "0"], ["--n=20000001"], ["--over", "-1"],
                ["--n", "abc"], ["--bogus"], ["stray"]):
        demo.check_bad(*bad)

    n = 1000000
    j = demo.run_json("--n", str(n))
    want = sum(i * i for i in range(n))
    demo.expect(get(j, "sum") == str(want), f"sum {get(j, 'sum')}, wanted {want}")
    demo.expect(get(j, "sums_agree") is True, "the three variants disagree")
    for v in ("list", "generator", "iterator"):
        demo.expect(get(j, "computed." + v) == n, f"{v} did not make n values")
        demo.expect(get(j, "time_s." + v) > 0, f"time_s.{v}")
    demo.expect(get(j, "computed_on_break") == 12,
                f"computed_on_break {get(j, 'computed_on_break')}, wanted 12 (0..121)")
    demo.expect(get(j, "early_exit.computed.iterator") == 12, "iterator early exit")
    demo.expect(get(j, "early_exit.computed.list") == n,
                "the list must be built whole before the loop breaks")
    demo.expect(get(j, "early_exit.values") == [i * i for i in range(11)],
                f"printed {get(j, 'early_exit.values')}")
    if get(j, "peak_reset"):
        lst, gen = get(j, "peak_kib.list"), get(j, "peak_kib.generator")
        demo.expect(lst >= n * 8 / 1024 / 2, f"list peak {lst} KiB for {n} values")
        demo.expect(gen < lst / 4, f"generator peak {gen} KiB against list {lst} KiB")

    j = demo.run_json("--n", "1000", "--over", "0")
    demo.expect(get(j, "computed_on_break") == 2 and get(j, "early_exit.printed") == 1,
                "--over 0: print 0, break at 1")
    j = demo.run_json("--n", "1000", "--over", "1000000000")
    demo.expect(get(j, "computed_on_break") == 1000 and get(j, "early_exit.printed") == 1000,
                "no square over the limit: no break, every value")

    rc, out, err = demo.run("--n", "100000")
    demo.expect(rc == 0 and "In Python terms" in out and "producer" in out,
                "human output lacks the step chart or the closing line")

    demo.check_signal(["--n", "20000000"], 0.05)
    demo.check_signal(["--n", "20000000"], 0.1, signal.SIGTERM)


main("generators", check)
