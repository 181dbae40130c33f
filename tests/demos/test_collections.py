"""demo-collections: a deque against a list at the front, Counter,
defaultdict, ChainMap and an LRU cache on move_to_end.

The word stream is repeated here in Python, and every count, ordering, group
and cache statistic is compared with what CPython's collections module gives
for the same words.  The only timing check is a safe one: at 100,000 items,
list.insert(0, x)/pop(0) moves 800 KB per call and cannot come within 5x of
a deque's appendleft/popleft, which touch one slot."""

import signal
from collections import ChainMap, Counter, OrderedDict, defaultdict

from demo_helpers import get, main

VOCAB = 2000
SYL = ["ka", "lo", "mi", "nu", "pe", "ra", "si", "to",
       "va", "ze", "bo", "da", "fi", "gu", "ho", "ju"]


def word(rank):
    x, digits = rank + 1, []
    while x:
        digits.append(x % 16)
        x //= 16
    return "".join(SYL[d] for d in reversed(digits))


def words(n, seed):
    x = seed & 0x7FFFFFFF
    out = []
    for _ in range(n):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        a = x >> 15
        out.append(word((a * a * a * VOCAB) >> 48))
    return out


class LRU:
    """The lesson's LRU cache, counting hits and misses."""

    def __init__(self, capacity):
        self.capacity = capacity
        self.data = OrderedDict()
        self.hits = self.misses = self.evictions = 0

    def access(self, key):
        if key in self.data:
            self.hits += 1
            self.data.move_to_end(key)
            return
        self.misses += 1
        self.data[key] = len(key)
        if len(self.data) > self.capacity:
            self.data.popitem(last=False)
            self.evictions += 1


def check_stream(demo, n, seed, top, cache, layers):
    j = demo.run_json("--max-n", "1000", "--ops", "50", "--words", str(n),
                      "--seed", str(seed), "--top", str(top), "--cache", str(cache),
                      "--layers", str(layers))
    ws = words(n, seed)

    c = Counter(ws)
    want = [[w, k] for w, k in c.most_common(top)]
    demo.expect(get(j, "counter.most_common") == want,
                f"most_common({top}): {get(j, 'counter.most_common')}, CPython: {want}")
    demo.expect(get(j, "counter.distinct") == len(c), "distinct words")

    groups = defaultdict(list)
    for w in ws:
        groups[w[0]].append(w)
    before = len(groups)
    groups["k"]                           # the read that inserts
    want_groups = {k: len(v) for k, v in groups.items()}
    got = get(j, "defaultdict.groups")
    demo.expect(list(got.items()) == list(want_groups.items()),
                f"groups {got}, CPython {want_groups}")
    demo.expect(get(j, "defaultdict.keys_before_read") == before, "keys before the read")
    demo.expect(get(j, "defaultdict.keys_after_missing_read") == before + 1,
                "a read of a missing key did not insert it")
    demo.expect(get(j, "defaultdict.factory_calls") == before + 1,
                "the factory must run once per new key")

    lru = LRU(cache)
    for w in ws:
        lru.access(w)
    for k in ("hits", "misses", "evictions"):
        demo.expect(get(j, "lru." + k) == getattr(lru, k),
                    f"lru.{k}: {get(j, 'lru.' + k)}, CPython {getattr(lru, k)}")
    demo.expect(get(j, "lru.size") == len(lru.data), "lru size")
    demo.expect(get(j, "lru.most_recent") == list(lru.data)[-5:],
                f"most recent {get(j, 'lru.most_recent')}, CPython {list(lru.data)[-5:]}")

    for kind, probes in (("first", 1), ("last", layers), ("missing", layers),
                         ("merged", 1)):
        demo.expect(get(j, "chainmap.probes." + kind) == probes,
                    f"chainmap.probes.{kind} {get(j, 'chainmap.probes.' + kind)}, wanted {probes}")
        demo.expect(get(j, "chainmap.lookup_ns." + kind) > 0, "lookup time")
    demo.expect(get(j, "chainmap.write_landed_in") == 0, "a write must go to maps[0]")
    demo.expect(get(j, "chainmap.others_unchanged") is True, "a write changed a later map")
    demo.expect(get(j, "chainmap.user_from") == 0, "the first map must win")
    return j


def check(demo):
    for bad in (["--max-n", "99"], ["--max-n=1000001"], ["--ops", "9"],
                ["--words", "0"], ["--top=51"], ["--cache", "0"], ["--layers", "1"],
                ["--layers=65"], ["--seed", "-1"], ["--words", "lots"],
                ["--bogus"], ["stray"]):
        demo.check_bad(*bad)

    j = check_stream(demo, 20000, 1, 5, 100, 3)
    check_stream(demo, 3000, 12345, 12, 7, 9)
    check_stream(demo, 1, 0, 1, 1, 2)

    baseline = {"music": "bach", "art": "rembrandt"}
    adjustments = {"art": "van gogh", "opera": "carmen"}
    cm = ChainMap(adjustments, baseline)
    demo.expect(get(j, "chainmap.seed_keys") == list(cm),
                f"seed keys {get(j, 'chainmap.seed_keys')}, CPython {list(cm)}")
    demo.expect(get(j, "chainmap.seed_art") == cm["art"], "seed lookup of 'art'")

    j = demo.run_json("--max-n", "100000", "--ops", "200", "--words", "100")
    demo.expect(get(j, "front_same_contents") is True,
                "deque and list disagree after the front operations")
    sizes = sorted(int(k) for k in get(j, "front_ns.deque"))
    demo.expect(sizes == [100, 1000, 10000, 100000], f"sizes {sizes}")
    demo.expect(sorted(int(k) for k in get(j, "front_ns.list")) == sizes, "list sizes")
    for n in sizes:
        demo.expect(get(j, f"front_ops.list.{n}") >= 20, "too few list operations")
        demo.expect(get(j, f"front_ops.deque.{n}") >= 400, "too few deque operations")
    d, l = get(j, "front_ns.deque.100000"), get(j, "front_ns.list.100000")
    demo.expect(l > 5 * d, f"at 100,000 items list {l} ns against deque {d} ns")
    j = demo.run_json("--max-n", "2500", "--ops", "10", "--words", "10")
    demo.expect(sorted(int(k) for k in get(j, "front_ns.list")) == [100, 1000, 2500],
                "max-n not a power of ten must be measured too")

    rc, out, err = demo.run("--max-n", "1000", "--words", "2000")
    demo.expect(rc == 0 and "In Python terms" in out and "deque |" in out,
                "human output lacks the chart or the closing line")

    big = ["--max-n", "1000000", "--ops", "100000", "--words", "1000000",
           "--layers", "64", "--cache", "10000"]
    demo.check_signal(big, 0.1)
    demo.check_signal(big, 0.3, signal.SIGTERM)


main("collections", check)
