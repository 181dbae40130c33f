"""Submit to result for a trivial exercise, against the same harness run by
hand, on the same files, interleaved:

  submit: tests/bench/exercise-run (exercise_run, as pydojo calls it): the
          folder made and filled, the limits, the namespaces (or uid 65534),
          Python, the results read back, the folder removed; timed inside
          the program (submit_ms) and from outside (the program's own start
          included);
  hand:   `PYTHON -s -P harness.py` in a folder holding the same files, with
          the same environment, timed from here.

    python3 tests/bench/exercise.py [BUILD_DIR [RUNS]]   (default: build 30)

PYDOJO_PYTHON picks the Python (default /usr/bin/python3). Prints the
medians, the ratio and the target of the exercise issue (submit within 1.3x
hand plus 20 ms). A benchmark, not a test: it asserts nothing."""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "build"))
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 30
PYTHON = os.environ.get("PYDOJO_PYTHON") or "/usr/bin/python3"
RUNNER = os.path.join(BUILD, "tests", "bench", "exercise-run")

SOLUTION = "def add(a, b):\n    return a + b\n"
TEST = "from solution import add\nassert add(2, 3) == 5\n"


def main():
    if not os.access(RUNNER, os.X_OK):
        sys.exit(f"exercise.py: {RUNNER} is not built (ninja -C {BUILD})")
    with tempfile.TemporaryDirectory(prefix="pydojo-bench-exercise-") as tmp:
        os.chmod(tmp, 0o711)   # reachable by uid 65534 when run as root
        src = os.path.join(tmp, "src")
        hand = os.path.join(tmp, "hand")
        os.mkdir(src)
        os.mkdir(hand)
        for folder in (src, hand):
            with open(os.path.join(folder, "solution.py"), "w") as f:
                f.write(SOLUTION)
        with open(os.path.join(src, "add.py"), "w") as f:
            f.write(TEST)
        with open(os.path.join(hand, "test_1.py"), "w") as f:
            f.write(TEST)
        with open(os.path.join(hand, "tests.json"), "w") as f:
            json.dump([{"name": "add", "file": "test_1.py"}], f)
        shutil.copy(os.path.join(TOP, "share", "harness.py"), hand)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
               "PYTHONDONTWRITEBYTECODE": "1", "HOME": hand}
        run_env = dict(os.environ, PYDOJO_PYTHON=PYTHON, PYDOJO_DATADIR=TOP, TMPDIR=tmp)
        submit_in, submit_out, by_hand, mode = [], [], [], "?"
        for i in range(RUNS + 2):
            t0 = time.perf_counter()
            p = subprocess.run([RUNNER, os.path.join(src, "solution.py"), os.path.join(src, "add.py")],
                               env=run_env, capture_output=True, text=True)
            t1 = time.perf_counter()
            if p.returncode != 0:
                sys.exit(f"exercise.py: exercise-run failed: {p.stdout}{p.stderr}")
            line = json.loads(p.stdout)
            h0 = time.perf_counter()
            q = subprocess.run([PYTHON, "-s", "-P", "harness.py"], cwd=hand, env=env, capture_output=True)
            h1 = time.perf_counter()
            if q.returncode != 0:
                sys.exit(f"exercise.py: the harness by hand failed: {q.stderr!r}")
            if i < 2:
                continue   # warm-up
            mode = line["mode"]
            submit_in.append(line["submit_ms"])
            submit_out.append((t1 - t0) * 1000)
            by_hand.append((h1 - h0) * 1000)
    med = statistics.median
    s_in, s_out, h = med(submit_in), med(submit_out), med(by_hand)
    print(f"python: {PYTHON}, mode: {mode}, runs: {RUNS} (interleaved, medians)")
    print(f"  by hand (python -s -P harness.py): {h:7.1f} ms")
    print(f"  submit (exercise_run):             {s_in:7.1f} ms   ratio {s_in / h:.2f}")
    print(f"  submit (exercise-run, whole):      {s_out:7.1f} ms   ratio {s_out / h:.2f}")
    target = 1.3 * h + 20
    print(f"  target: within 1.3 x {h:.1f} + 20 = {target:.1f} ms: "
          f"{'met' if s_in <= target else 'missed'} (exercise_run)")


if __name__ == "__main__":
    main()
