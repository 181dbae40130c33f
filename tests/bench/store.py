"""Progress benchmark: the answer path and `stats`.

    python3 tests/bench/store.py [BUILD_DIR] [ANSWERS]   (default: build, 10000)

1. store-bench pushes ANSWERS simulated answers through rubric grading
   (the text questions of the shipped content, their examples and model
   answers as answers), fsrs scheduling and store_record_review, in one
   process, into a temporary database: answers/s and the median time per
   answer. Target: median under 1 ms.
2. store-bench --make-db fills a database with 100,000 reviews of the
   catalog's questions over 12 weeks; then `pydojo stats` and `stats --json`
   are timed as whole processes, median of 5 runs after a warm-up, wall
   and CPU time (on a shared machine the wall time includes waiting for a
   CPU). Target: under 50 ms. Use an optimized build (--buildtype=release).

When the shipped catalog does not load (cross-references broken while
content is being written), both use a copy of its lessons and quizzes with
the cross-reference lines (demos, see_also, requires) taken out, which keeps
the size of the real content."""

import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "build"))
ANSWERS = sys.argv[2] if len(sys.argv) > 2 else "10000"
PYDOJO = os.path.join(BUILD, "pydojo")
BENCH = os.path.join(BUILD, "tests", "bench", "store-bench")
REVIEWS = 100000
NOW = "2024-03-13T15:00:00Z"


def content(tmp, env):
    """The shipped content root, or a loadable copy of it."""
    if subprocess.run([PYDOJO, "check"], env=env, capture_output=True).returncode == 0:
        return TOP
    root = os.path.join(tmp, "content")
    for sub in ("lessons", "quizzes"):
        shutil.copytree(os.path.join(TOP, sub), os.path.join(root, sub))
    for name in os.listdir(os.path.join(root, "lessons")):
        p = os.path.join(root, "lessons", name)
        with open(p) as f:
            text = f.read()
        text = re.sub(r"(?m)^(demos|see_also|requires):.*\n", "", text)
        with open(p, "w") as f:
            f.write(text)
    env["PYDOJO_DATADIR"] = root
    r = subprocess.run([PYDOJO, "check"], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("the content does not load:\n" + r.stderr)
    print("(the shipped catalog does not load now; using its lessons and quizzes"
          " without cross-references)")
    return root


def main():
    with tempfile.TemporaryDirectory(prefix="store-bench-") as tmp:
        env = dict(os.environ, PYDOJO_DATADIR=TOP, PYDOJO_NOW=NOW, TZ="UTC",
                   NO_COLOR="1", XDG_DATA_HOME=os.path.join(tmp, "data"),
                   XDG_CONFIG_HOME=os.path.join(tmp, "config"),
                   XDG_STATE_HOME=os.path.join(tmp, "state"))
        content(tmp, env)
        print(f"== {ANSWERS} answers: grade, schedule, store ==")
        subprocess.run([BENCH, ANSWERS], env=env, check=True)

        db = os.path.join(tmp, "progress.db")
        print(f"\n== stats over {REVIEWS:,} reviews ==")
        t = time.monotonic()
        subprocess.run([BENCH, "--make-db", db, str(REVIEWS)], env=env, check=True)
        print(f"(made in {time.monotonic() - t:.1f} s, {os.path.getsize(db) / 2**20:.1f} MiB)")
        for args in (["--db", db, "stats"], ["--db", db, "stats", "--json"],
                     ["topics"]):
            wall, cpu = timed(args, env)
            name = " ".join(a for a in args if a not in ("--db", db))
            line = (f"pydojo {name:13s} median {1e3 * statistics.median(wall):6.1f} ms"
                    f" wall (min {1e3 * min(wall):.1f}), {1e3 * statistics.median(cpu):5.1f} ms CPU")
            if name.startswith("stats"):
                line += f"  target < 50 ms: {'met' if statistics.median(wall) < 0.05 else 'MISSED'}"
            else:
                line += "  (the catalog load alone, for scale)"
            print(line)
        print("(the machine's load average now:"
              f" {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


def timed(args, env, n=5):
    """Wall and CPU (user + system) seconds of n whole runs after a
    warm-up."""
    wall, cpu = [], []
    for i in range(n + 1):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.monotonic()
        r = subprocess.run([PYDOJO] + args, env=env, capture_output=True)
        dt = time.monotonic() - t
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if r.returncode != 0:
            sys.exit(f"pydojo {' '.join(args)} failed: {r.stderr.decode()}")
        if i:
            wall.append(dt)
            cpu.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    return wall, cpu


if __name__ == "__main__":
    main()
