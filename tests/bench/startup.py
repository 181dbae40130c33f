"""Start-up benchmark: the CPU time of `pydojo topics`, `learn gil` and
`quiz gil` (stdin piped, quitting at once) on the shipped content, against
a bare libyaml event parse of the same files (tests/bench/yaml-parse), and
the CPU time of loading a 20,000-file catalog.

    python3 tests/bench/startup.py [BUILD_DIR]     (default: build-rel)

Build it as release first: meson setup build-rel --buildtype=release &&
ninja -C build-rel. Each round runs every program once, interleaved, so
drift on a busy machine hits all alike; CPU time (user + system of the
child, from wait4) is printed beside wall time, and the ratios use CPU
time. "warm" runs find the parsed-content cache ($XDG_CACHE_HOME/pydojo/
catalog) valid, as every run does once the content has not changed for
2 s; "cold" runs start without it (the first run after an edit: parse
everything and write the cache). Targets: warm runs cost no more CPU than
the bare parse (ratio <= 1); a 20,000-file `check` under 2 s of CPU."""

import glob
import os
import statistics
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "build-rel"))
PYDOJO = os.path.join(BUILD, "pydojo")
PARSE = os.path.join(BUILD, "tests", "bench", "yaml-parse")
ROUNDS = 31


def measure(argv, env, stdin=None):
    """Wall and CPU seconds of one run, output discarded, stdin from a file
    (or /dev/null)."""
    devnull = os.open(os.devnull, os.O_RDWR)
    fd = os.open(stdin, os.O_RDONLY) if stdin else devnull
    try:
        t = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=[
            (os.POSIX_SPAWN_DUP2, fd, 0), (os.POSIX_SPAWN_DUP2, devnull, 1),
            (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, status, ru = os.wait4(pid, 0)
        wall = time.perf_counter() - t
    finally:
        if fd != devnull:
            os.close(fd)
        os.close(devnull)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(argv)} failed ({os.waitstatus_to_exitcode(status)})")
    return wall, ru.ru_utime + ru.ru_stime


def many_files(root, n):
    """n lessons and n quizzes, each lesson requiring the one before."""
    os.makedirs(os.path.join(root, "lessons"))
    os.makedirs(os.path.join(root, "quizzes"))
    for i in range(n):
        req = f"requires: [t{i - 1:05d}]\n" if i else ""
        with open(os.path.join(root, "lessons", f"t{i:05d}.yaml"), "w") as f:
            f.write(f"id: t{i:05d}\ntitle: Topic {i}\ntrack: language\nlevel: core\n"
                    f"summary: Generated topic {i}.\n{req}sections:\n  - title: Only\n    body: Text.\n")
        with open(os.path.join(root, "quizzes", f"t{i:05d}.yaml"), "w") as f:
            f.write(f"topic: t{i:05d}\nquestions:\n  - id: t{i:05d}-q\n    type: truefalse\n"
                    f"    prompt: True?\n    answer: true\n")


def main():
    for exe in (PYDOJO, PARSE):
        if not os.access(exe, os.X_OK):
            sys.exit(f"{exe} is not built (ninja -C {BUILD})")
    files = sorted(glob.glob(os.path.join(TOP, "lessons", "*.yaml")) +
                   glob.glob(os.path.join(TOP, "quizzes", "*.yaml"))) + [
                       os.path.join(TOP, "demos", "demos.yaml")]
    size = sum(os.path.getsize(f) for f in files)
    with tempfile.TemporaryDirectory(prefix="pydojo-startup-") as tmp:
        env = dict(os.environ, NO_COLOR="1", PYDOJO_DATADIR=TOP,
                   PYDOJO_DEMODIR=os.path.join(BUILD, "demos"), HOME=tmp)
        for k in ("DATA", "STATE", "CONFIG", "CACHE"):
            env[f"XDG_{k}_HOME"] = os.path.join(tmp, k.lower())
        env.pop("PAGER", None)
        cache = os.path.join(tmp, "cache", "pydojo", "catalog")
        quit_in = os.path.join(tmp, "quit")
        with open(quit_in, "w") as f:
            f.write("quit\n")
        cmds = {"topics": ([PYDOJO, "topics"], None),
                "learn gil": ([PYDOJO, "learn", "gil"], None),
                "quiz gil": ([PYDOJO, "quiz", "gil"], quit_in)}
        for argv, stdin in cmds.values():   # the database and the cache exist
            measure(argv, env, stdin)
        print(f"shipped content: {len(files)} files, {size / 1024:.0f} KiB; {ROUNDS} rounds")
        times = {name: [] for name in ["bare parse"] + list(cmds) + [f"{c} (cold)" for c in cmds]}
        for _ in range(ROUNDS):
            times["bare parse"].append(measure([PARSE] + files, env))
            for name, (argv, stdin) in cmds.items():
                times[name].append(measure(argv, env, stdin))
            for name, (argv, stdin) in cmds.items():
                if os.path.exists(cache):   # (a binary without the cache leaves none)
                    os.unlink(cache)
                times[f"{name} (cold)"].append(measure(argv, env, stdin))
        base = statistics.median(t[1] for t in times["bare parse"])
        for name, t in times.items():
            wall = statistics.median(x[0] for x in t)
            cpu = statistics.median(x[1] for x in t)
            verdict = "" if name == "bare parse" or "cold" in name else \
                f"  (target <= 1x: {'PASS' if cpu <= base else 'MISS'})"
            print(f"{name:18s} cpu {cpu * 1000:6.2f} ms  wall {wall * 1000:6.2f} ms  "
                  f"{cpu / base:5.2f}x the bare parse{verdict}")

        root = os.path.join(tmp, "many")
        many_files(root, 10000)
        time.sleep(2.1)   # so that the cache the cold run writes is not racy
        wall, cpu = measure([PYDOJO, "check", root], env)
        print(f"check of 20,000 files: cpu {cpu:.2f} s, wall {wall:.2f} s  "
              f"(target < 2 s: {'PASS' if cpu < 2 else 'MISS'})")
        for what in ("cold", "warm"):
            wall, cpu = measure([PYDOJO, "--content", root, "topics"], env)
            print(f"topics with those 20,000 files ({what}): cpu {cpu:.2f} s, wall {wall:.2f} s")


main()
