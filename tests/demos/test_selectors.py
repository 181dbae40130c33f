"""demo-selectors: select, poll and epoll timed against N idle descriptors
and one ready one; select is skipped where descriptors pass FD_SETSIZE, and
N is clamped to the open-file limit.

The structure of the figures is exact (which N were run, which were skipped
for select, the clamp under a low limit); every call is checked inside the
demo to report exactly the one ready descriptor.  One ratio is asserted, and
it is safe by a wide margin: at 1,000 or more descriptors a poll() call has
the kernel check each of them, an epoll_wait() only its ready list, so poll
costs tens of times more, never less than twice."""

import json
import resource
import signal
import subprocess

from demo_helpers import get, main


def run_limited(demo, nofile, *args):
    """Runs with --json under an open-file limit of nofile (soft and hard)."""
    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
    p = subprocess.run([demo.binary, *args, "--json"], env=demo.env,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       preexec_fn=limit, timeout=120)
    demo.check_no_leftovers()
    demo.expect(p.returncode == 0, f"under a limit of {nofile} files: exit "
                f"{p.returncode}; stderr: {p.stderr.strip()[-300:]}")
    return json.loads(p.stdout)


def check(demo):
    for bad in (["--max-n", "9"], ["--max-n=1000001"], ["--calls", "31"],
                ["--ms-per-point", "0"], ["--calls", "x"], ["--bogus"],
                ["--max-n"], ["stray"]):
        demo.check_bad(*bad)

    j = demo.run_json("--max-n", "2000", "--calls", "400", "--ms-per-point", "30")
    demo.expect(get(j, "params.max-n") == 2000 and get(j, "params.calls") == 400,
                "params not echoed")
    demo.expect(get(j, "clamped") is False and get(j, "max_n_used") == 2000,
                "2000 descriptors should fit without clamping")
    sizes = ["10", "100", "1000", "2000"]
    for m in ("poll", "epoll"):
        per = get(j, "per_call_us." + m)
        demo.expect(sorted(per, key=int) == sizes,
                    f"{m} ran at N = {sorted(per, key=int)}, wanted {sizes}")
        demo.expect(all(v > 0 for v in per.values()), f"{m}: a non-positive time")
        for n in sizes:
            calls = get(j, f"calls.{m}.{n}")
            demo.expect(32 <= calls <= 400, f"{m} at N={n}: {calls} calls")
    sel = get(j, "per_call_us.select")
    demo.expect(sorted(sel, key=int) == ["10", "100", "1000"],
                f"select ran at N = {sorted(sel, key=int)}: only below FD_SETSIZE")
    demo.expect(get(j, "select_skipped") == [2000], "select_skipped")
    demo.expect(get(j, "fd_setsize") == 1024, "FD_SETSIZE")
    for n in ("1000", "2000"):
        poll, ep = get(j, "per_call_us.poll." + n), get(j, "per_call_us.epoll." + n)
        demo.expect(poll > 2 * ep,
                    f"at N={n} poll ({poll} us) was not dearer than epoll ({ep} us)")
    for m in ("select", "poll", "epoll"):
        demo.expect(get(j, "growth." + m) > 0, f"growth.{m}")
    demo.expect(get(j, "epoll_register_us.2000") > 0, "epoll registration not timed")

    # A low open-file limit: N is clamped to what fits, and said so.
    j = run_limited(demo, 200, "--max-n", "1000", "--ms-per-point", "10",
                    "--calls", "64")
    used = get(j, "max_n_used")
    demo.expect(get(j, "clamped") is True and 100 < used < 200,
                f"under a limit of 200 files: clamped {get(j, 'clamped')}, N {used}")
    demo.expect(get(j, "fd_limit.hard") == 200, "fd_limit.hard")
    demo.expect(sorted(get(j, "per_call_us.poll"), key=int) == ["10", "100", str(used)],
                "the clamped N is the last size")
    demo.expect(get(j, "select_skipped") == [], "all of it fits in an fd_set")

    rc, out, err = demo.run("--max-n", "2000", "--ms-per-point", "10", "--calls", "64")
    demo.expect(rc == 0 and "In Python terms" in out and "FD_SETSIZE" in out
                and "log scale" in out and "#" in out,
                "human output lacks the chart, the select note or the closing line")

    demo.check_signal(["--max-n", "19000", "--ms-per-point", "3000",
                       "--calls", "1000000"], 0.5)
    demo.check_signal(["--max-n", "19000", "--ms-per-point", "3000",
                       "--calls", "1000000"], 1.5, signal.SIGTERM)


main("selectors", check)
