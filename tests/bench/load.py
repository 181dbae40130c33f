"""Load benchmark: how close `pydojo check` (parse, build the typed catalog,
validate everything, compile and run every rubric pattern on its examples)
comes to a bare libyaml event parse of the same bytes, and the peak memory
of `pydojo topics` on the shipped content.

    python3 tests/bench/load.py [BUILD_DIR]     (default: build)

It generates a synthetic catalog of 30 files (15 lessons, 15 quizzes) with
500 sections and 1,500 questions, then times the two programs alternately,
whole processes, and prints the medians and their ratio. Targets: within 2x
of the bare parse; under 10 MiB peak RSS for `topics`."""

import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "build"))
PYDOJO = os.path.join(BUILD, "pydojo")
PARSE = os.path.join(BUILD, "tests", "bench", "yaml-parse")
PEAK = os.path.join(BUILD, "tests", "bench", "peak-rss")

LESSONS, SECTIONS, QUESTIONS = 15, 500, 1500
TYPES = ["choice", "multi", "truefalse", "order", "output", "text"]


def lesson(i, nsec):
    out = [f"id: topic-{i:02d}", f"title: Synthetic topic {i}", "track: concurrency",
           "level: core", f"summary: A generated lesson number {i} for the load benchmark.",
           f"requires: [{'topic-%02d' % (i - 1) if i else ''}]".replace("[]", "[]"),
           "sections:"]
    for s in range(nsec):
        out += [f"  - title: Section {s} of topic {i}",
                "    body: |",
                "      The **global interpreter lock** lets one thread run bytecode at a",
                "      time; a waiting thread asks for it after the `switch interval`.",
                "",
                "      - I/O releases it",
                "      - C extensions may release it"]
        if s % 3 == 0:
            out += ["    code:", "      source: |", f"        print(sum(range({s})))",
                    "      output: |", f"        {sum(range(s))}"]
    out += [f"see_also: [topic-{(i + 1) % LESSONS:02d}]"]
    return "\n".join(out) + "\n"


def question(t, i, k):
    qid = f"topic-{i:02d}-q{k:03d}"
    head = [f"  - id: {qid}", f"    type: {t}", "    explain: Because the lock is held by one thread.",
            "    hint: Think about who holds the lock."]
    if t == "choice":
        return head + ["    prompt: Which thread runs bytecode?", "    choices:",
                       "      - The one holding the GIL", "      - All of them", "      - None",
                       "    answer: 0"]
    if t == "multi":
        return head + ["    prompt: Which release the GIL?", "    choices:",
                       "      - time.sleep", "      - a pure-Python loop", "      - blocking read",
                       "    answer: [0, 2]"]
    if t == "truefalse":
        return head + ["    prompt: i += 1 is atomic under the GIL.", "    answer: false"]
    if t == "order":
        return head + ["    prompt: Order the steps.", "    items:", "      - LOAD", "      - ADD",
                       "      - STORE"]
    if t == "output":
        return head + ["    code: |", f"      print({k} * 2)", "    answer: |", f"      {k * 2}"]
    # A text question in the rubric language: terms, a bound subject, a
    # negation-aware reject, a wrong claim bound to its own subject, eight
    # passing and eight failing examples.
    passing = ["Blocking I/O releases the GIL and another thread can run.",
               "The read drops the GIL; other threads execute meanwhile.",
               "Waiting on a socket releases the GIL so other threads run.",
               "A thread that blocks on the network gives up the GIL: other threads get to run.",
               "`sock.recv()` releases the GIL while it waits, so other threads proceed.",
               "Other threads run because the waiting one has dropped the interpreter lock.",
               "While one thread sleeps in a read it frees the GIL and other threads execute.",
               "I/O waits release the global interpreter lock; another thread runs meanwhile."]
    failing = ["The GIL is never released.",
               "I/O does not release the GIL, other threads run anyway.",
               "Threads run in parallel on many cores.",
               "It is not true that blocking I/O releases the GIL; other threads wait.",
               "Threads are faster because of the GIL.",
               "Each thread has its own GIL, so all of them run at once.",
               "The GIL is released but other threads cannot run.",
               "Blocking I/O holds the GIL, so nothing else runs."]
    return head + ["    prompt: Why do threads help I/O-bound code despite the GIL?", "    rubric:",
                   "      - point: blocking I/O releases the GIL",
                   "        says: '@release .. @gil|@gil .. @release'",
                   "        reject: 'each @thread .. @own @gil'",
                   "      - point: other threads run while one waits",
                   "        says: '(other|another) @thread .. @run'",
                   "        reject: '(other|another) @thread .. (@not|cannot) @run'",
                   "        wrong: '@run .. (in parallel|at once)'",
                   "        wrong_about: '@thread'",
                   "        wrong_not_about: '@process'",
                   "    contrast: [[releases, holds]]",
                   "    model_answer: A thread blocked on I/O releases the GIL, so other threads run meanwhile.",
                   "    examples:", "      pass:"] + [f"        - {t!r}".replace("- '", "- '") for t in passing] + \
                  ["      fail:"] + [f"        - {t!r}" for t in failing]


def quiz(i, nq):
    out = [f"topic: topic-{i:02d}", "questions:"]
    for k in range(nq):
        out += question(TYPES[k % len(TYPES)], i, k)
    return "\n".join(out) + "\n"


def generate(root):
    os.makedirs(os.path.join(root, "lessons"))
    os.makedirs(os.path.join(root, "quizzes"))
    # The shared vocabulary the text questions use (a root checked alone has
    # only its own terms).
    shutil.copy(os.path.join(TOP, "terms.yaml"), os.path.join(root, "terms.yaml"))
    files = []
    for i in range(LESSONS):
        nsec = SECTIONS // LESSONS + (1 if i < SECTIONS % LESSONS else 0)
        nq = QUESTIONS // LESSONS
        for kind, text in (("lessons", lesson(i, nsec)), ("quizzes", quiz(i, nq))):
            path = os.path.join(root, kind, f"topic-{i:02d}.yaml")
            with open(path, "w") as f:
                f.write(text.replace("requires: []\n", ""))
            files.append(path)
    return files


def timed(argv, env):
    t = time.perf_counter()
    p = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"{argv[0]} failed ({p.returncode}): {p.stderr.decode()[-500:]}")
    return dt, p.stdout.decode()


def timed_quiet(argv, env):
    """Wall time and CPU time (user + system, from wait4) of one run with
    output discarded. Both programs are single-threaded, so CPU time is the
    work itself, without the waits a busy shared machine adds to wall time."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        t = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=[
            (os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, status, ru = os.wait4(pid, 0)
        dt = time.perf_counter() - t
    finally:
        os.close(devnull)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{argv[0]} failed ({os.waitstatus_to_exitcode(status)})")
    return dt, ru.ru_utime + ru.ru_stime


def peak_rss_kib(argv, env):
    """Peak RSS of one run, measured by the small peak-rss launcher (a child
    forked from this Python process would start with Python's size as its
    high-water mark)."""
    p = subprocess.run([PEAK] + argv, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    kib = [int(l.split()[1]) for l in p.stderr.splitlines() if l.startswith("peak-rss: ")]
    return (kib[0] if kib else 0), p.returncode


def main():
    for exe in (PYDOJO, PARSE, PEAK):
        if not os.access(exe, os.X_OK):
            sys.exit(f"{exe} is not built (ninja -C {BUILD})")
    env = dict(os.environ, NO_COLOR="1")
    with tempfile.TemporaryDirectory(prefix="pydojo-bench-") as tmp:
        # The synthetic catalog's text questions repeat: measured without a
        # verified set, every rubric checked on every run.
        env["XDG_CACHE_HOME"] = os.path.join(tmp, "no-cache-here", "file")
        open(os.path.join(tmp, "no-cache-here"), "w").close()
        root = os.path.join(tmp, "content")
        files = generate(root)
        size = sum(os.path.getsize(f) for f in files)
        _, summary = timed([PYDOJO, "check", root], env)
        _, events = timed([PARSE] + files, env)
        print(f"synthetic catalog: {len(files)} files, {size / 1024:.0f} KiB; "
              f"check says: {summary.strip()}; {events.strip()}")
        rounds = 41
        check_t, parse_t = [], []
        for _ in range(rounds):        # alternate, so drift hits both alike
            check_t.append(timed_quiet([PYDOJO, "check", root], env))
            parse_t.append(timed_quiet([PARSE] + files, env))
        for i, what in ((0, "wall"), (1, "cpu ")):
            c = statistics.median(t[i] for t in check_t)
            p = statistics.median(t[i] for t in parse_t)
            print(f"{what}: pydojo check (load + validate) median {c * 1000:6.2f} ms, "
                  f"bare libyaml event parse median {p * 1000:6.2f} ms, over {rounds} runs each")
        wall = statistics.median(c[0] for c in check_t) / statistics.median(p[0] for p in parse_t)
        cpu = statistics.median(c[1] for c in check_t) / statistics.median(p[1] for p in parse_t)
        print(f"ratio check / parse: {wall:.2f}x wall, {cpu:.2f}x cpu  "
              f"(target <= 2x: {'PASS' if wall <= 2 else 'MISS'} on wall time)")
    shipped_env = dict(env, PYDOJO_DATADIR=TOP, PYDOJO_DEMODIR=os.path.join(BUILD, "demos"))
    shipped = sorted(glob.glob(os.path.join(TOP, "lessons", "*.yaml")) +
                     glob.glob(os.path.join(TOP, "quizzes", "*.yaml")) +
                     [os.path.join(TOP, "demos", "demos.yaml"), os.path.join(TOP, "terms.yaml")])
    # check, cold: every rubric run against its examples (no verified
    # set, no parsed-content cache); warm: nothing changed since the last
    # check, as when a learner or an author runs it again (the trees come
    # from the parsed-content cache, the verified set skips the rubrics);
    # every file read: the verified set but no parsed-content cache, as
    # after a checkout that touched every file and changed no question.
    with tempfile.TemporaryDirectory() as cache:
        cold_env = dict(shipped_env, XDG_CACHE_HOME=os.path.join(cache, "cold"))
        warm_env = dict(shipped_env, XDG_CACHE_HOME=os.path.join(cache, "warm"))
        read_env = dict(shipped_env, XDG_CACHE_HOME=os.path.join(cache, "read"))
        timed([PYDOJO, "check"], warm_env)
        timed([PYDOJO, "check"], read_env)
        check_t, warm_t, read_t, parse_t = [], [], [], []
        for _ in range(41):
            shutil.rmtree(cold_env["XDG_CACHE_HOME"], ignore_errors=True)
            check_t.append(timed_quiet([PYDOJO, "check"], cold_env))
            warm_t.append(timed_quiet([PYDOJO, "check"], warm_env))
            os.unlink(os.path.join(read_env["XDG_CACHE_HOME"], "pydojo", "catalog"))
            read_t.append(timed_quiet([PYDOJO, "check"], read_env))
            parse_t.append(timed_quiet([PARSE] + shipped, shipped_env))
    for i, what in ((0, "wall"), (1, "cpu")):
        p = statistics.median(t[i] for t in parse_t)
        for label, ts in (("cold", check_t), ("warm", warm_t), ("every file read", read_t)):
            c = statistics.median(t[i] for t in ts)
            print(f"shipped content: check ({label}) {c * 1000:6.2f} ms {what}, bare parse {p * 1000:6.2f} ms "
                  f"{what}: {c / p:.2f}x  (target <= 2.5x: {'PASS' if c / p <= 2.5 else 'MISS'})")
    # Without a cache (its folder cannot be made: a file stands in the
    # way), as the target was set; the first run, which writes the cache;
    # and with the cache that run leaves, as a learner runs it.
    with tempfile.TemporaryDirectory() as home:
        shipped_env.update(XDG_DATA_HOME=home, XDG_STATE_HOME=home, XDG_CONFIG_HOME=home)
        open(os.path.join(home, "not-a-folder"), "w").close()
        none_env = dict(shipped_env, XDG_CACHE_HOME=os.path.join(home, "not-a-folder", "cache"))
        warm_env = dict(shipped_env, XDG_CACHE_HOME=os.path.join(home, "cache"))
        peak_rss_kib([PYDOJO, "topics"], warm_env)
        first = [peak_rss_kib([PYDOJO, "topics"], dict(shipped_env, XDG_CACHE_HOME=os.path.join(home, f"first{i}")))
                 for i in range(5)]
        for label, e in (("without a cache", none_env), ("on the first run, writing the cache", None),
                         ("with a warm cache", warm_env)):
            rss = first if e is None else [peak_rss_kib([PYDOJO, "topics"], e) for _ in range(5)]
            kib = max(r for r, _ in rss)
            if any(rc for _, rc in rss):
                print("note: pydojo topics failed on the shipped content")
            print(f"peak RSS of 'pydojo topics' on the shipped content, {label}: {kib} KiB = {kib / 1024:.2f} MiB"
                  f"  (target < 10 MiB: {'PASS' if kib < 10 * 1024 else 'MISS'})")


if __name__ == "__main__":
    main()
