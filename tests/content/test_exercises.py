"""Every code exercise, run as pydojo runs a learner's code (share/harness.py
with `python -s -P`, in a fresh folder), under PYTHONHASHSEED 0 and 1:
its reference solution passes every test, each `wrong` solution fails the
test it names (and the run does not crash), and the starter fails at least
one test (an exercise that is solved before it starts teaches nothing). A
problem must show in a second run too (timing bounds on a loaded machine).

The shipped quizzes and the example content folder of the tests are
checked. An exercise whose `python` is newer than the interpreter is
skipped, and the file exits 77 when anything was skipped and nothing failed.
PYDOJO_PYTHON names another interpreter."""

import concurrent.futures
import glob
import json
import os
import subprocess
import sys
import tempfile

import yaml

SRC = os.environ.get("PYDOJO_SOURCE_ROOT",
                     os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PYTHON = os.environ.get("PYDOJO_PYTHON", sys.executable)
HARNESS = os.path.join(SRC, "share", "harness.py")
SEEDS = (0, 1)
VERSION = tuple(int(x) for x in subprocess.run(
    [PYTHON, "-c", "import sys; print(*sys.version_info[:2])"],
    capture_output=True, text=True, check=True).stdout.split())


def run(source, tests, seed, timeout):
    """Runs tests on source; returns ({name: passed}, error or None)."""
    with tempfile.TemporaryDirectory(prefix="pydojo-exercise-") as tmp:
        with open(os.path.join(tmp, "solution.py"), "w", encoding="utf-8") as f:
            f.write(source)
        listing = []
        for i, t in enumerate(tests):
            name = f"test_{i}.py"
            with open(os.path.join(tmp, name), "w", encoding="utf-8") as f:
                f.write(t["code"])
            listing.append({"name": t["name"], "file": name})
        with open(os.path.join(tmp, "tests.json"), "w", encoding="utf-8") as f:
            json.dump(listing, f)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": tmp,
               "PYTHONHASHSEED": str(seed), "PYTHONDONTWRITEBYTECODE": "1"}
        flags = ["-s", "-P"] if VERSION >= (3, 11) else ["-s"]
        try:
            subprocess.run([PYTHON, *flags, HARNESS, "results.jsonl"], cwd=tmp, env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout * 3 + 10)
        except subprocess.TimeoutExpired:
            return {}, f"no result in {timeout * 3 + 10} s"
        results, error = {}, None
        try:
            with open(os.path.join(tmp, "results.jsonl"), encoding="utf-8") as f:
                for line in f:
                    r = json.loads(line)
                    if "error" in r:
                        error = f"{r['error']} (line {r.get('line')})"
                    elif "name" in r:
                        results[r["name"]] = r["passed"]
        except OSError:
            error = "the harness wrote no results"
        return results, error


def jobs_of(path):
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    name = os.path.relpath(path, SRC)
    out, skipped = [], []
    for q in doc.get("questions") or []:
        if q.get("type") != "code":
            continue
        need = q.get("python")
        if need and tuple(int(x) for x in str(need).split(".")) > VERSION:
            skipped.append(f"{name}: {q['id']} needs python {need}")
            continue
        out.append((name, q))
    return out, skipped


def check(name, q, seed):
    """The problems of exercise q under one seed."""
    where = f"{name}: {q['id']} (PYTHONHASHSEED={seed})"
    tests, timeout = q["tests"], float(q.get("timeout", 10))
    names = [t["name"] for t in tests]
    problems = []
    got, err = run(q["solution"], tests, seed, timeout)
    failed = [n for n in names if not got.get(n)]
    if err or failed:
        problems.append(f"{where}: the solution fails {failed or ''} {err or ''}".rstrip())
    for i, w in enumerate(q.get("wrong") or []):
        got, err = run(w["code"], tests, seed, timeout)
        if err:
            problems.append(f"{where}: wrong solution {i + 1} does not run: {err}")
        elif got.get(w["fails"]) is not False:
            problems.append(f"{where}: wrong solution {i + 1} does not fail '{w['fails']}'")
    got, err = run(q["starter"], tests, seed, timeout)
    if not err and all(got.get(n) for n in names):
        problems.append(f"{where}: the starter already passes every test")
    return problems


def main():
    paths = sorted(glob.glob(os.path.join(SRC, "quizzes", "*.yaml")))
    paths += sorted(glob.glob(os.path.join(SRC, "tests", "data", "exercise", "quizzes", "*.yaml")))
    work, skipped = [], []
    for p in paths:
        w, s = jobs_of(p)
        work += w
        skipped += s
    problems = []
    def confirmed(job):
        # Timing bounds (overlapped waits, a loop that must keep ticking)
        # can miss once on a loaded machine: a problem counts when a second
        # run shows it again (each exercise was seen to pass 20 runs of 20).
        first = check(*job)
        if not first:
            return [], []
        again = check(*job)
        return [p for p in first if p in again], [p for p in first if p not in again]

    flaky = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for found, once in pool.map(confirmed, [(n, q, s) for n, q in work for s in SEEDS]):
            problems += found
            flaky += once
    for p in flaky:
        print(f"once, not again: {p}")
    for p in problems:
        print(p)
    for s in skipped:
        print(f"skip {s}")
    print(f"{len(work)} exercises, each under {len(SEEDS)} hash seeds: {len(problems)} problems, "
          f"{len(skipped)} skipped")
    if problems:
        return 1
    if not work:
        print("no exercise found")
        return 1
    return 77 if skipped else 0


if __name__ == "__main__":
    sys.exit(main())
