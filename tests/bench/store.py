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

3. Start-up against the size of the review log: databases of 10, 100,000
   and 1,000,000 reviews (the last made from the second by copying its
   reviews with python's sqlite3, which takes seconds where recording them
   one answer at a time takes minutes), then `topics`, `quiz` start (to the
   first question and out: open, the session row, close) and `stats --json`
   over each, in interleaved rounds (every command at every size in each
   round, so a busy machine slows all alike), CPU time (user + system) and
   wall time, median of the rounds, and the ratios 100,000 : 10 and
   1,000,000 : 10. Target: no growth (stats under 50 ms at 1,000,000).
   ROUNDS (default 11) sets the rounds; SIZES=small skips the 1,000,000.

When the shipped catalog does not load (cross-references broken while
content is being written), both use a copy of its lessons and quizzes with
the cross-reference lines (demos, see_also, requires) taken out, which keeps
the size of the real content."""

import os
import re
import resource
import shutil
import sqlite3
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
        growth(tmp, env, db)


def growth(tmp, env, db100k):
    sizes = [10, REVIEWS] + ([] if os.environ.get("SIZES") == "small" else [10 * REVIEWS])
    dbs = {REVIEWS: db100k}
    small = os.path.join(tmp, "small.db")
    subprocess.run([BENCH, "--make-db", small, "10"], env=env, check=True, capture_output=True)
    dbs[10] = small
    if 10 * REVIEWS in sizes:
        big = os.path.join(tmp, "big.db")
        shutil.copy(db100k, big)
        con = sqlite3.connect(big)
        cols = ("question_id, topic, at, rating, correct, score, duration_ms, answer, session_id, was_new,"
                " before_state, before_step, before_stability, before_difficulty, before_due,"
                " before_last_review, before_reps, before_lapses")
        for _ in range(9):
            con.execute(f"INSERT INTO reviews ({cols}) SELECT {cols} FROM reviews WHERE id <= {REVIEWS}")
        con.commit()
        n, = con.execute("SELECT count(*) FROM reviews").fetchone()
        con.close()
        if n != 10 * REVIEWS:
            sys.exit(f"the big database has {n} reviews")
        dbs[10 * REVIEWS] = big
    cmds = {
        "topics": (["topics"], None),
        "quiz start": (["quiz", "gil", "-n", "1"], b"quit\n"),
        "stats": (["stats", "--json"], None),
    }
    rounds = int(os.environ.get("ROUNDS", "11"))
    res = {(c, n): ([], []) for c in cmds for n in sizes}
    for r in range(rounds + 1):          # round 0 warms up (and checks the copied file once)
        for c, (args, stdin) in cmds.items():
            for n in sizes:
                w, u = run_once(["--db", dbs[n]] + args, env, stdin)
                if r:
                    res[c, n][0].append(w)
                    res[c, n][1].append(u)
    print(f"\n== start-up against the review log: {', '.join(f'{n:,}' for n in sizes)} reviews,"
          f" median of {rounds} interleaved rounds ==")
    for c in cmds:
        cpu = [statistics.median(res[c, n][1]) for n in sizes]
        wall = [statistics.median(res[c, n][0]) for n in sizes]
        line = f"{c:11s} CPU " + " ".join(f"{1e3 * x:6.1f}" for x in cpu) + " ms"
        line += ", wall " + " ".join(f"{1e3 * x:6.1f}" for x in wall) + " ms"
        line += "; CPU ratio " + " : ".join(f"{x / cpu[0]:.2f}" for x in cpu)
        line += ", wall ratio " + " : ".join(f"{x / wall[0]:.2f}" for x in wall)
        print(line)
    for n in sizes:
        print(f"({n:,} reviews: {os.path.getsize(dbs[n]) / 2**20:.1f} MiB)")


def run_once(args, env, stdin):
    """Wall and CPU seconds of one whole run."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    r = subprocess.run([PYDOJO] + args, env=env, input=stdin, capture_output=True)
    dt = time.monotonic() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit(f"pydojo {' '.join(args)} failed: {r.stderr.decode()}")
    return dt, r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime


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
