"""Demos against CPython, side by side on this machine, in one go:

  1. the event-loop demo's crowd of N sleeping tasks (N = 10,000 and
     100,000) against asyncio.gather of N asyncio.sleep calls: wall time over
     the ideal (one sleep), peak RSS of the whole process, memory per task;
  2. the threads-vs-processes demo's creation costs against
     threading.Thread start+join and multiprocessing.Process (fork)
     start+join, medians;
  3. the selectors demo's time per wait call with N idle descriptors and
     one ready one against Python's selectors module (SelectSelector,
     PollSelector, EpollSelector) at the same N.

    python3 tests/bench/demos.py [BUILD_DIR]     (default: build)

Each pair is printed with its ratio (Python / C). The targets of the demos
issue close the output: the C event loop's overhead over the ideal sleep at
100,000 tasks under a tenth of asyncio's, and its memory per task under a
quarter of asyncio's. A pair whose demo is not built is skipped, with a
message. This is a benchmark, not a test: it asserts nothing and always
exits 0 unless it cannot run at all."""

import json
import os
import statistics
import subprocess
import sys
import textwrap

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "build"))
DEMOS = os.path.join(BUILD, "demos")
SLEEP_MS = 200

# Runs a command as its only child and reports that child's peak RSS from
# getrusage(RUSAGE_CHILDREN): a fresh process per measurement, so the
# high-water mark belongs to this one command alone.
PEAK_WRAPPER = textwrap.dedent("""
    import resource, subprocess, sys
    p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)
    sys.stdout.buffer.write(p.stdout)
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    sys.stderr.write("PEAK_RSS_KIB=%d STATUS=%d\\n" % (ru.ru_maxrss, p.returncode))
""")

ASYNCIO_CROWD = textwrap.dedent("""
    import asyncio, json, sys, time

    def status_kib(field):
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return -1

    def reset_hwm():
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            return True
        except OSError:
            return False

    async def main(n, delay):
        rss0 = status_kib("VmRSS")
        reset = reset_hwm()
        t0 = time.perf_counter()
        await asyncio.gather(*(asyncio.sleep(delay) for _ in range(n)))
        wall = time.perf_counter() - t0
        hwm = status_kib("VmHWM")
        print(json.dumps({"wall_s": wall, "ideal_s": delay, "overhead_s": wall - delay,
                          "rss_before_kib": rss0, "peak_rss_kib": hwm, "peak_reset": reset,
                          "bytes_per_task": max(0, hwm - rss0) * 1024 / n}))

    asyncio.run(main(int(sys.argv[1]), float(sys.argv[2])))
""")

CREATION = textwrap.dedent("""
    import json, multiprocessing, os, statistics, sys, threading, time

    def noop():
        pass

    def median_us(fn, n):
        samples = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - t0) * 1e6)
        return statistics.median(samples)

    def thread():
        t = threading.Thread(target=noop)
        t.start()
        t.join()

    ctx = multiprocessing.get_context("fork")

    def process():
        p = ctx.Process(target=noop)
        p.start()
        p.join()

    def bare_fork():
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)

    n = int(sys.argv[1])
    print(json.dumps({"thread": median_us(thread, n), "process": median_us(process, n),
                      "fork": median_us(bare_fork, n)}))
""")

SELECTORS = textwrap.dedent("""
    import json, os, resource, selectors, sys, time

    ns = [int(x) for x in sys.argv[1].split(",")]
    max_calls, budget = int(sys.argv[2]), float(sys.argv[3]) / 1000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    kinds = {"select": getattr(selectors, "SelectSelector", None),
             "poll": getattr(selectors, "PollSelector", None),
             "epoll": getattr(selectors, "EpollSelector", None)}
    out = {k: {} for k in kinds}
    skipped = {}
    for n in ns:
        try:
            idle = [os.eventfd(0) for _ in range(n)]
        except OSError as e:
            skipped[str(n)] = str(e)
            continue
        r, w = os.pipe()
        os.write(w, b"x")
        for name, cls in kinds.items():
            if cls is None:
                continue
            if name == "select" and max(idle + [r]) >= 1024:
                continue  # select() takes descriptors below FD_SETSIZE only
            sel = cls()
            for fd in idle:
                sel.register(fd, selectors.EVENT_READ)
            sel.register(r, selectors.EVENT_READ)
            calls = 0
            t0 = time.perf_counter()
            while calls < max_calls:
                ready = sel.select(timeout=0)
                calls += 1
                assert len(ready) == 1
                if time.perf_counter() - t0 > budget:
                    break
            out[name][str(n)] = (time.perf_counter() - t0) / calls * 1e6
            sel.close()
        for fd in idle + [r, w]:
            os.close(fd)
    print(json.dumps({"per_call_us": out, "skipped": skipped}))
""")


def demo(name):
    path = os.path.join(DEMOS, "demo-" + name)
    return path if os.access(path, os.X_OK) else None


def run_peak(argv, timeout=600):
    """Runs argv as a fresh child of a wrapper; returns (stdout, peak KiB)."""
    p = subprocess.run([sys.executable, "-c", PEAK_WRAPPER] + argv, capture_output=True,
                       text=True, timeout=timeout)
    peak, status = None, None
    for line in p.stderr.splitlines():
        if line.startswith("PEAK_RSS_KIB="):
            fields = dict(f.split("=") for f in line.split())
            peak, status = int(fields["PEAK_RSS_KIB"]), int(fields["STATUS"])
    if status != 0:
        raise RuntimeError(f"{argv[0]} failed (status {status}): {p.stderr.strip()[-300:]}")
    return p.stdout, peak


def python(script, *args, timeout=600):
    p = subprocess.run([sys.executable, "-c", script] + [str(a) for a in args],
                       capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"python3 failed: {p.stderr.strip()[-300:]}")
    return json.loads(p.stdout)


def ratio(py, c):
    if c is None or py is None:
        return "—"
    if c <= 0:
        return "inf" if py > 0 else "—"
    return f"{py / c:.1f}x"


def row(label, c, py, unit, fmt="{:.3f}"):
    cs = fmt.format(c) if c is not None else "—"
    ps = fmt.format(py) if py is not None else "—"
    print(f"  {label:<34} {cs:>12} {ps:>12}  {unit:<8} {ratio(py, c):>8}")


def header(title):
    print(f"\n{title}")
    print(f"  {'':<34} {'C demo':>12} {'CPython':>12}  {'unit':<8} {'Py / C':>8}")


def event_loop(results):
    exe = demo("event-loop")
    if not exe:
        print("\nevent loop: skipped (demo-event-loop is not built)")
        return
    for n in (10000, 100000):
        header(f"event loop: {n:,} tasks each sleeping {SLEEP_MS} ms, gathered")
        out, c_peak = run_peak([exe, "--unit-ms", "1", "--tasks", str(n), "--ms", str(SLEEP_MS), "--json"])
        c = json.loads(out)
        out, py_peak = run_peak([sys.executable, "-c", ASYNCIO_CROWD, str(n), str(SLEEP_MS / 1000)])
        py = json.loads(out)
        row("wall time", c["wall_s"], py["wall_s"], "s")
        row("overhead over the ideal sleep", c["overhead_s"], py["overhead_s"], "s")
        row("peak RSS, whole process", c_peak / 1024, py_peak / 1024, "MiB", "{:.1f}")
        row("memory per task (peak - before)", c["bytes_per_task"], py["bytes_per_task"], "bytes",
            "{:.0f}")
        results[n] = (c, py)


def creation():
    exe = demo("threads-vs-processes")
    if not exe:
        print("\ncreation: skipped (demo-threads-vs-processes is not built)")
        return
    spawn = 200
    header(f"creation cost, median of {spawn} (create + start + join/wait)")
    p = subprocess.run([exe, "--json", "--spawn", str(spawn), "--workers", "2", "--increments", "1000",
                        "--work-ms", "20"], capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        print(f"  demo-threads-vs-processes failed: {p.stderr.strip()[-300:]}")
        return
    c = json.loads(p.stdout)["create_us"]
    py = python(CREATION, spawn)
    row("thread (threading.Thread)", c["thread"], py["thread"], "us", "{:.1f}")
    row("process (multiprocessing, fork)", c["process"], py["process"], "us", "{:.1f}")
    row("process (os.fork + waitpid)", c["process"], py["fork"], "us", "{:.1f}")


def selector_calls():
    exe = demo("selectors")
    if not exe:
        print("\nselectors: skipped (demo-selectors is not built)")
        return
    header("selectors: time per wait call, N idle descriptors + 1 ready")
    p = subprocess.run([exe, "--json", "--max-n", "10000", "--calls", "4000", "--ms-per-point", "150"],
                       capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        print(f"  demo-selectors failed: {p.stderr.strip()[-300:]}")
        return
    c = json.loads(p.stdout)["per_call_us"]
    ns = sorted({int(n) for method in c.values() for n in method})
    py = python(SELECTORS, ",".join(map(str, ns)), 4000, 150)
    names = {"select": "SelectSelector", "poll": "PollSelector", "epoll": "EpollSelector"}
    for method in ("select", "poll", "epoll"):
        for n in ns:
            cv = c.get(method, {}).get(str(n))
            pv = py["per_call_us"].get(method, {}).get(str(n))
            if cv is None and pv is None:
                continue
            row(f"{method} / {names[method]}, N={n:,}", cv, pv, "us", "{:.2f}")
    if py.get("skipped"):
        print(f"  Python skipped: {py['skipped']}")
    print("  (select() only below FD_SETSIZE, 1024, on both sides)")


def targets(results):
    print("\nTargets of the demos issue (at 100,000 tasks):")
    if 100000 not in results:
        print("  not measured (demo-event-loop is not built)")
        return
    c, py = results[100000]
    over_ok = c["overhead_s"] < py["overhead_s"] / 10
    print(f"  event loop overhead < 1/10 of asyncio's: {c['overhead_s']:.3f} s against "
          f"{py['overhead_s']:.3f} s / 10 = {py['overhead_s'] / 10:.3f} s: {'PASS' if over_ok else 'MISS'}")
    mem_ok = c["bytes_per_task"] < py["bytes_per_task"] / 4
    print(f"  memory per task < 1/4 of asyncio's: {c['bytes_per_task']:.0f} B against "
          f"{py['bytes_per_task']:.0f} B / 4 = {py['bytes_per_task'] / 4:.0f} B: {'PASS' if mem_ok else 'MISS'}")


def main():
    if not os.path.isdir(DEMOS):
        print(f"no demos folder in '{BUILD}' (build first: ninja -C {BUILD})", file=sys.stderr)
        return 2
    print(f"Demos of {BUILD} against {sys.executable} "
          f"(Python {sys.version.split()[0]}, {os.cpu_count()} cores)")
    results = {}
    event_loop(results)
    creation()
    selector_calls()
    targets(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
