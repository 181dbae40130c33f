"""demo-celery-chain: Celery's canvas on a broker queue and k worker threads.

Exact: the chain's result is add(1, 1) then mul(2), add(1), ... computed
here; its tasks never overlap (each starts after the previous one ended);
the group's results come back in order and at most k run at once; by
default every parent's .get() is refused with RuntimeError and its children
still run; with sync subtasks allowed, as many parents as workers hold
every worker, nothing finishes before the stall is detected, no child has
started, and all their children are queued; with fewer parents than
workers there is no stall; the chord's callbacks all run with the sums
computed here and no worker ever waits.  Timing, safely: a chain of N
waits of D ms cannot end before N x D; the stall is not detected before the
timeout."""

import signal

from demo_helpers import get, main


def chain_value(n):
    v = 2
    for i in range(1, n):
        v = v * 2 if i % 2 else v + 1
    return v


def check(demo):
    for bad in (["--workers", "0"], ["--workers=17"], ["--parents=0"],
                ["--parents", "33"], ["--fanout=0"], ["--chain", "33"],
                ["--group=0"], ["--task-ms", "0"], ["--timeout-ms=49"],
                ["--timeout-ms", "x"], ["--bogus"], ["stray"]):
        demo.check_bad(*bad)

    k, parents, fanout, chain, group, ms, timeout = 3, 3, 2, 5, 7, 20, 300
    j = demo.run_json("--workers", str(k), "--parents", str(parents),
                      "--fanout", str(fanout), "--chain", str(chain),
                      "--group", str(group), "--task-ms", str(ms),
                      "--timeout-ms", str(timeout))
    demo.expect(get(j, "params.workers") == k and get(j, "params.chain") == chain,
                "params not echoed")
    # chain
    demo.expect(get(j, "chain.result") == chain_value(chain),
                f"chain result {get(j, 'chain.result')}, wanted {chain_value(chain)}")
    st, en = get(j, "chain.start_ms"), get(j, "chain.end_ms")
    demo.expect(len(st) == chain and all(st[i] >= en[i - 1] for i in range(1, chain)),
                f"a chain task started before the previous one ended: {st} {en}")
    demo.expect(get(j, "chain.overlaps") == 0, "chain overlaps")
    demo.expect(get(j, "chain.wall_s") >= chain * ms / 1000 * 0.99,
                f"chain of {chain} x {ms} ms took {get(j, 'chain.wall_s')} s")
    # group
    demo.expect(get(j, "group.results") == [2 * i for i in range(group)],
                f"group results {get(j, 'group.results')}")
    demo.expect(1 <= get(j, "group.max_running") <= k, "group ran more than k at once")
    demo.expect(get(j, "group.rounds") == -(-group // k), "group rounds")
    # the refusal
    demo.expect(get(j, "refusal.raised") == parents and get(j, "refusal.parents_ok") == 0,
                f"refusal: {get(j, 'refusal')}")
    demo.expect(get(j, "refusal.message") ==
                "RuntimeError: Never call result.get() within a task!",
                f"refusal message {get(j, 'refusal.message')!r}")
    demo.expect(get(j, "refusal.children_done") == parents * fanout,
                "the refused parents' children did not all run")
    # the starvation
    s = get(j, "starve")
    demo.expect(s["starved"] is True, f"no stall detected: {s}")
    demo.expect(s["detected_after_s"] >= timeout / 1000 * 0.99,
                f"stall detected before the timeout: {s['detected_after_s']}")
    demo.expect(s["completed_before_timeout"] == 0, f"a parent finished: {s}")
    demo.expect(s["children_started_before_timeout"] == 0, f"a child started: {s}")
    demo.expect(s["workers_held"] == k, f"workers held {s['workers_held']}")
    demo.expect(s["queued_at_detection"] == parents * fanout, f"queued {s}")
    demo.expect(s["timeouts"] == parents and s["children_done"] == parents * fanout,
                f"after the waits were cut: {s}")
    # the chord
    c = get(j, "chord")
    want = [(i + 1) * fanout * (fanout + 1) // 2 for i in range(parents)]
    demo.expect(c["completed"] == parents and c["results"] == want,
                f"chord results {c['results']}, wanted {want}")
    demo.expect(c["max_waiting"] == 0, f"a worker waited in the chord: {c}")

    # Fewer parents than workers: the free workers run the children.
    j = demo.run_json("--workers", "4", "--parents", "2", "--fanout", "2",
                      "--task-ms", "10", "--timeout-ms", "2000")
    s = get(j, "starve")
    demo.expect(s["starved"] is False and s["parents_ok"] == 2 and s["timeouts"] == 0,
                f"2 parents on 4 workers: {s}")
    # More parents than workers: stalls again after each cut, still ends.
    j = demo.run_json("--workers", "2", "--parents", "5", "--fanout", "1",
                      "--task-ms", "5", "--timeout-ms", "100")
    s = get(j, "starve")
    demo.expect(s["starved"] and s["timeouts"] + s["parents_ok"] == 5
                and s["children_done"] == 5 and s["stalls"] >= 2,
                f"5 parents on 2 workers: {s}")

    rc, out, err = demo.run("--task-ms", "5", "--timeout-ms", "100")
    demo.expect(rc == 0 and "In Python terms" in out and "worker 4 |" in out
                and "is held by parent" in out and "starved it" in out,
                "human output lacks the explanation, the timeline or the closing line")

    demo.check_signal(["--timeout-ms", "10000"], 0.6)
    demo.check_signal(["--task-ms", "1000", "--chain", "32"], 0.3, signal.SIGTERM)


main("celery-chain", check)
