"""demo-serverless: workers that scale from zero.

Exact: the arrivals are the seed's (the same twice, different with another
seed) and fall inside the bursts; every endpoint serves every request;
no endpoint runs more workers than its limit; one worker is one; kept warm,
no worker is stopped, so the cold starts are at most the limit; with gaps
far longer than the idle timeout plus the work, every burst finds zero
workers and starts cold.  Timing, safely: no response comes before the
work is done, the first one not before a cold start plus the work (so
neither the maximum latency); busy time is the work done, at least
N x service; worker-seconds cover the busy time and stay under the limit
times the run."""

import signal

from demo_helpers import get, main


def check(demo):
    for bad in (["--requests", "0"], ["--requests=2001"], ["--rate=0"],
                ["--rate", "1001"], ["--burst-ms=9"], ["--gap-ms=-1"],
                ["--max-workers", "0"], ["--max-workers=33"], ["--idle-ms=60001"],
                ["--cold-ms=5001"], ["--service-ms", "0"], ["--seed=-1"],
                ["--rate", "x"], ["--bogus"], ["stray"],
                # arrivals spread over more than 120 s
                ["--requests", "2000", "--rate", "1"]):
        demo.check_bad(*bad)

    n, rate, burst, gap, k, idle, cold, service = 30, 100, 100, 600, 3, 100, 80, 10
    args = ["--requests", str(n), "--rate", str(rate), "--burst-ms", str(burst),
            "--gap-ms", str(gap), "--max-workers", str(k), "--idle-ms", str(idle),
            "--cold-ms", str(cold), "--service-ms", str(service)]
    j = demo.run_json(*args, "--seed", "7")
    demo.expect(get(j, "params.requests") == n and get(j, "params.seed") == 7,
                "params not echoed")
    at = get(j, "arrivals.at_s")
    demo.expect(len(at) == n and at == sorted(at), "arrival times")
    demo.expect(all((t % ((burst + gap) / 1000)) <= burst / 1000 + 1e-9 for t in at),
                f"an arrival outside the bursts: {at}")
    bursts = get(j, "arrivals.bursts")
    demo.expect(bursts == int(at[-1] // ((burst + gap) / 1000)) + 1, "burst count")
    j2 = demo.run_json(*args, "--seed", "7")
    demo.expect(get(j2, "arrivals.at_s") == at, "the same seed gave other arrivals")
    j3 = demo.run_json(*args, "--seed", "8")
    demo.expect(get(j3, "arrivals.at_s") != at, "another seed gave the same arrivals")

    run_s = get(j, "run_s")
    eps = get(j, "endpoints")
    demo.expect(sorted(eps) == ["double", "given", "no_idle", "one_worker", "warm"],
                f"endpoints {sorted(eps)}")
    for key, e in eps.items():
        lat = e["latency_ms"]
        demo.expect(e["served"] == n and len(lat) == n, f"{key}: served {e['served']}")
        demo.expect(min(lat) >= service * 0.99, f"{key}: a response before the work: {min(lat)}")
        demo.expect(e["max_ms"] >= (cold + service) * 0.99,
                    f"{key}: no request waited a cold start: max {e['max_ms']}")
        demo.expect(e["p50_ms"] <= e["p95_ms"] <= e["max_ms"], f"{key}: percentiles {e}")
        demo.expect(1 <= e["max_alive"] <= e["max_workers"], f"{key}: max_alive {e}")
        demo.expect(1 <= e["cold_starts"] <= n, f"{key}: cold starts {e['cold_starts']}")
        demo.expect(e["busy_s"] >= n * service / 1000 * 0.99, f"{key}: busy {e['busy_s']}")
        demo.expect(e["busy_s"] <= e["worker_s"] <= e["max_workers"] * run_s * 1.01,
                    f"{key}: worker-seconds {e['worker_s']} (busy {e['busy_s']}, run {run_s})")
    demo.expect(eps["one_worker"]["max_alive"] == 1, "one worker ran more")
    demo.expect(eps["warm"]["scale_to_zero"] == 0 and eps["warm"]["cold_starts"] <= k,
                f"kept warm: {eps['warm']}")
    demo.expect(eps["double"]["max_workers"] == 2 * k and eps["no_idle"]["idle_ms"] == 0,
                "endpoint limits")
    g = eps["given"]
    demo.expect(g["cold_starts"] >= bursts and g["scale_to_zero"] >= bursts - 1,
                f"bursts {bursts} apart by {gap} ms, idle timeout {idle} ms: {g}")
    demo.expect(get(j, "p95_ms") == g["p95_ms"] and get(j, "cold_starts") == g["cold_starts"],
                "top-level figures are not the given endpoint's")
    demo.expect(eps["warm"]["worker_s"] >= g["worker_s"] * 0.99,
                "kept warm cost fewer worker-seconds than scaling to zero")

    rc, out, err = demo.run("--requests", "12", "--gap-ms", "300", "--cold-ms", "50")
    demo.expect(rc == 0 and "worker 4 |" in out and "queue |" in out
                and "What the numbers mean" in out and "kept warm" in out,
                "human output lacks the timeline, the table or the closing line")

    demo.check_signal(["--requests", "2000", "--rate", "20", "--gap-ms", "0"], 0.5)
    demo.check_signal(["--cold-ms", "5000"], 0.3, signal.SIGTERM)


main("serverless", check)
