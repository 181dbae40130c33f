"""demo-refcount-gc: reference counts, a cycle that survives del, CPython's
cycle collector on a model heap, and generations while a large list of
containers is built.

The small scenes are exact: counts after each statement, what del frees
(nothing of a cycle), the gc_refs the collector computes (refcount minus
references from inside the set) and its verdicts.  The build's collection
counts per generation are compared with CPython itself: the same
data = [[] for _ in range(n)] is run on python3 (3.11, threshold 700) with a
gc callback counting collections, and, when python3.13 is there
($PYDOJO_PYTHON313 or python3.13 on PATH), on it with
its threshold of 2,000 (that part is an extra, never a skip).  A small
tolerance allows a stray allocation in the interpreter.  Timings: only that
a full collection of the built heap takes longer than a young one of 700
objects (thousands of times more objects)."""

import signal
import subprocess
import sys

from demo_helpers import find_python, get, main

CPYTHON = '''
import gc, sys
n = int(sys.argv[1])
counts = [0, 0, 0]
gc.collect()
def cb(phase, info):
    if phase == "start":
        counts[info["generation"]] += 1
gc.callbacks.append(cb)
data = [[] for _ in range(n)]
gc.callbacks.remove(cb)
print(*counts, gc.get_threshold()[0])
'''


def cpython_counts(python, n):
    out = subprocess.run([python, "-c", CPYTHON, str(n)], capture_output=True,
                         text=True, check=True).stdout.split()
    return [int(x) for x in out]


def check_scenes(demo, j):
    demo.expect(get(j, "refcount.a_after_set") == 1 and get(j, "refcount.b_after_set") == 2,
                "a = Node(); b = Node(); a.child = b: refcounts 1 and 2")
    demo.expect(get(j, "refcount.b_after_del_b") == 1 and get(j, "refcount.freed_by_del_b") == 0,
                "del b must leave b alive with count 1")
    demo.expect(get(j, "refcount.freed_by_del_a") == 2 and get(j, "refcount.both_gone") is True,
                "del a must free a and then b")
    demo.expect(get(j, "cycle.refcnt_after_del.x") == 1 and get(j, "cycle.refcnt_after_del.y") == 1,
                "a cycle after del: each count is 1")
    demo.expect(get(j, "cycle.freed_by_del") == 0 and get(j, "cycle.alive_after_del") == 2,
                "del must not free a cycle")
    rows = {r["name"]: r for r in get(j, "collect.rows")}
    want = {"x": (1, 0, False), "y": (1, 0, False), "p": (2, 1, True), "q": (1, 0, True)}
    demo.expect(set(rows) == set(want), f"collected set {sorted(rows)}, wanted x, y, p, q")
    for name, (rc, gcr, reach) in want.items():
        r = rows[name]
        demo.expect((r["refcnt"], r["gc_refs"], r["reachable"]) == (rc, gcr, reach),
                    f"{name}: refcnt {r['refcnt']}, gc_refs {r['gc_refs']}, reachable "
                    f"{r['reachable']}; wanted {rc}, {gcr}, {reach}")
    demo.expect(get(j, "collect.freed") == 2 and get(j, "collect.cycle_alive_after") == 0,
                "gc.collect() must free the x/y cycle")
    demo.expect(get(j, "collect.kept") == 2, "p (a variable) and q (reached from p) are kept")
    demo.expect(get(j, "collect.examined") == 4, "the full collection examines 4 objects")


def check_build(demo, j, n, threshold, cpython):
    c = [get(j, f"build.collections.gen{g}") for g in range(3)]
    demo.expect(sum(c) == (n + 1) // (threshold + 1),
                f"{sum(c)} collections for {n + 1} allocations, threshold {threshold}")
    demo.expect(get(j, "build.freed_by_gc") == 0, "the build made no garbage")
    demo.expect(get(j, "build.examined.gen0") <= c[0] * (threshold + 1), "gen0 examined")
    fulls = get(j, "build.full_collections")
    demo.expect(len(fulls) == c[2], "one record per full collection")
    demo.expect(sum(f["objects"] for f in fulls) == get(j, "build.examined.gen2"),
                "full collections' objects")
    demo.expect(all(a["objects"] < b["objects"] for a, b in zip(fulls, fulls[1:])),
                f"the full collections must see a growing heap: {fulls}")
    demo.expect(all(f["objects"] <= n + 1 for f in fulls), "a full collection beyond the heap")
    demo.expect(get(j, "pause.full_objects") == n + 1, "gc.collect() examines the whole heap")
    demo.expect(get(j, "pause.young_objects") == threshold, "the young collection")
    if cpython:
        want = cpython_counts(cpython, n)
        demo.expect(want[3] == threshold, f"{cpython} has threshold {want[3]}")
        demo.expect(abs(c[0] - want[0]) <= 2 and abs(c[1] - want[1]) <= 1
                    and abs(c[2] - want[2]) <= 1,
                    f"collections per generation {c}, CPython ({cpython}) {want[:3]}")


def check(demo):
    for bad in (["--objects", "999"], ["--objects=5000001"], ["--threshold", "0"],
                ["--threshold=100001"], ["--objects", "lots"], ["--bogus"],
                ["--threshold"], ["stray"]):
        demo.check_bad(*bad)

    for n in (1000000, 50000):
        j = demo.run_json("--objects", str(n))
        check_scenes(demo, j)
        check_build(demo, j, n, 700, "/usr/bin/python3")
    j = demo.run_json("--objects", "200000")
    demo.expect(get(j, "pause.full_ms") > get(j, "pause.young_ms"),
                "a full collection of 200,001 objects was not slower than a young one")
    j = demo.run_json("--objects", "1000", "--threshold", "1")
    check_scenes(demo, j)
    check_build(demo, j, 1000, 1, None)
    p313 = find_python("3.13")
    if p313:
        j = demo.run_json("--objects", "200000", "--threshold", "2000")
        check_build(demo, j, 200000, 2000, p313)

    rc, out, err = demo.run("--objects", "100000")
    demo.expect(rc == 0 and "In Python terms" in out and "unreachable: freed" in out
                and "referenced from outside: kept" in out,
                "human output lacks the collector's table or the closing line")

    demo.check_signal(["--objects", "5000000", "--threshold", "1"], 0.3)
    demo.check_signal(["--objects", "5000000", "--threshold", "1"], 0.5, signal.SIGTERM)


main("refcount-gc", check)
