"""demo-celery-chain's claims, checked against real Celery and Redis.

Runs on the system's Python (/usr/bin/python3, where Debian installs
python3-celery and python3-redis; re-executed there when the test's own
Python lacks them).  A private Redis (tests/stacklib.py) on a Unix socket is
the broker and the result backend; a real worker (`celery worker --pool
threads -c K`, a child process that dies with this test) runs the tasks of
celery_shape.py.  Checked, as the demo claims with the same shape:
1. a task calling .get() on a subtask's result fails with RuntimeError by
   default (the demo's refusal.raised);
2. with disable_sync_subtasks=False, K parents each waiting on a child in a
   pool of K: none finishes within a window 60 times the work (the demo's
   starve.completed_before_timeout is 0), then their waits time out
   (TimeoutError; the first to do so frees a worker, which may still serve
   the others' children in time); K - 1 such parents do finish;
3. the chord version completes with the right sums (the demo's chord).
Exit 77 only when celery or redis cannot be imported."""

import os
import subprocess
import sys
import tempfile
import time

SYSTEM_PYTHON = "/usr/bin/python3"
HERE = os.path.dirname(os.path.abspath(__file__))
K = 3
WINDOW_S = 3.0          # the starved parents must not finish within it
PARENT_TIMEOUT_S = 4.0  # their own get(timeout=...)

try:
    import celery  # noqa: F401
    import redis  # noqa: F401
except ImportError:
    if (os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON)
            and os.access(SYSTEM_PYTHON, os.X_OK)):
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, os.path.abspath(__file__), *sys.argv[1:]])
    print("SKIP: celery or redis cannot be imported (Debian: python3-celery python3-redis)")
    sys.exit(77)

import gc  # noqa: E402
import json  # noqa: E402

sys.path.insert(0, os.path.dirname(HERE))
from stacklib import Redis, die_with_parent  # noqa: E402


class Failure(Exception):
    pass


def expect(cond, message):
    if not cond:
        raise Failure(message)


def start_worker(folder, env):
    log = open(os.path.join(folder, "worker.log"), "w")
    p = subprocess.Popen(
        [SYSTEM_PYTHON, "-m", "celery", "-A", "celery_shape", "worker", "--pool", "threads",
         "-c", str(K), "--without-heartbeat", "--without-mingle", "--without-gossip",
         "--loglevel", "WARNING", "-n", "shape@localhost"],
        cwd=folder, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
        start_new_session=True, preexec_fn=die_with_parent)
    log.close()
    return p


def stop_worker(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def check_refusal(shape):
    r = shape.parent_get.delay(0, 1, False, 5)
    exc = r.get(timeout=20, propagate=False)
    expect(isinstance(exc, RuntimeError) and "Never call result.get() within a task" in str(exc),
           f"a task's .get() on a subtask gave {exc!r}, not the RuntimeError")
    return 1


def check_starvation(shape):
    # The control: K - 1 waiting parents leave one worker for the children.
    ps = [shape.parent_get.delay(i, 1, True, 10, 'control', K - 1) for i in range(K - 1)]
    got = [p.get(timeout=15) for p in ps]
    expect(got == [i + 1 for i in range(K - 1)], f"{K - 1} parents on {K} workers gave {got}")
    t0 = time.monotonic()
    ps = [shape.parent_get.delay(i, 1, True, PARENT_TIMEOUT_S, 'starve', K) for i in range(K)]
    done = 0
    while time.monotonic() - t0 < WINDOW_S:
        done = sum(p.ready() for p in ps)
        if done:
            break
        time.sleep(0.05)
    expect(done == 0, f"{done} of {K} waiting parents finished in a pool of {K}: no starvation "
           f"({[(p.state, p.result) for p in ps if p.ready()]!r})")
    # The first wait to time out frees a worker, which may run the others'
    # children before their own timeouts: each ends timed out or with its
    # result, and at least one timed out.
    ends = [p.get(timeout=30, propagate=False) for p in ps]
    timed_out = [type(e).__name__ == "TimeoutError" for e in ends]
    expect(any(timed_out) and all(t or e == i + 1 for i, (t, e) in enumerate(zip(timed_out, ends))),
           f"the starved parents ended with {ends!r}, not TimeoutError")
    return done


def check_chord(shape):
    cs = [shape.parent_chord.delay(i, 2) for i in range(K)]
    ids = [c.get(timeout=15) for c in cs]
    sums = [shape.app.AsyncResult(i).get(timeout=15) for i in ids]
    expect(sums == [(i + 1) * 3 for i in range(K)], f"chord sums {sums}")
    return len(sums)


def check_demo(demo_dir, refused, completed, chords):
    p = subprocess.run([os.path.join(demo_dir, "demo-celery-chain"), "--json", "--workers", str(K),
                        "--parents", str(K), "--fanout", "1", "--timeout-ms", "500"],
                       capture_output=True, text=True, timeout=60)
    expect(p.returncode == 0, f"demo-celery-chain exited {p.returncode}: {p.stderr}")
    j = json.loads(p.stdout)
    expect(j["refusal"]["raised"] == refused == K,
           f"refusals: demo {j['refusal']['raised']}, Celery {refused}")
    expect(j["starve"]["completed_before_timeout"] == completed == 0,
           f"finished while starved: demo {j['starve']['completed_before_timeout']}, Celery {completed}")
    expect(j["chord"]["completed"] == chords == K, f"chords: demo {j['chord']['completed']}, Celery {chords}")


def run(demo_dir, folder):
    redis_server = Redis(folder)
    os.environ["PYDOJO_REDIS_SOCKET"] = redis_server.sock
    env = dict(os.environ, PYTHONPATH=HERE, PYTHONDONTWRITEBYTECODE="1")
    worker = None
    shape = None
    failure = None
    try:
        sys.path.insert(0, HERE)
        import celery_shape as shape
        worker = start_worker(folder, env)
        try:
            expect(shape.child.delay(0, 0).get(timeout=20) == 1, "the worker's first result")
        except Exception as e:
            raise Failure(f"the worker did not answer ({e!r}); see {folder}/worker.log")
        t = time.monotonic()
        refused = check_refusal(shape)
        completed = check_starvation(shape)
        t, ts = time.monotonic(), time.monotonic() - t
        chords = check_chord(shape)
        tc = time.monotonic() - t
        check_demo(demo_dir, K if refused else 0, completed, chords)
        print(f"refusal and starvation {ts:.1f} s, chords {tc:.1f} s")
    except Failure as e:
        # Kept as text: the traceback would keep results alive past Redis.
        failure = str(e)
    finally:
        # Result messages nobody waited for (the parents' final states,
        # which list their children's results) are buffered by the backend;
        # each result unsubscribes when collected, so that happens now,
        # while Redis still runs, not at exit.
        if shape is not None:
            shape.app.backend._pending_messages.clear()
        gc.collect()
        if shape is not None:
            shape.app.close()
        if worker is not None:
            stop_worker(worker)
        redis_server.stop()
    if failure:
        raise Failure(failure)


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} BUILD_DEMO_DIR", file=sys.stderr)
        sys.exit(2)
    t0 = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="pydojo-celery-") as folder:
            run(sys.argv[1], folder)
    except Failure as e:
        print(f"FAIL celery-real: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"ok celery-real ({time.monotonic() - t0:.1f} s)")


main()
