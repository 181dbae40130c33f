"""demo-methods: instance, class and static methods on a C model of
CPython's objects.

The model runs the lesson's classes and prints what Python prints: the test
runs the same program on python3 and compares line by line.  Then the counts
the model keeps are exact: dicts probed per lookup (one per class along the
MRO), bound methods allocated (one per `obj.method` read as a value, none for
`obj.method(x)`), call-site cache hits and misses.  Timings are only checked
to be positive."""

import signal
import subprocess
import sys

from demo_helpers import get, main

TWIN = '''
class Counter:
    step = 1

    def __init__(self):
        self.n = 0

    def bump(self, by=1):
        self.n += by
        return self.n

    @classmethod
    def scaled(cls, by):
        return cls.step * by

    @staticmethod
    def clamp(x):
        return x if x > 0 else 0


class StepCounter(Counter):
    step = 10

    def bump(self, by=1):
        self.n += by * self.step
        return self.n


class Temperature:
    def __init__(self, celsius):
        self.celsius = celsius

    @classmethod
    def from_fahrenheit(cls, f):
        return cls(round((f - 32) * 5 / 9, 1))

    @staticmethod
    def c_to_f(c):
        return c * 9 / 5 + 32

    def __repr__(self):
        return f"{type(self).__name__}({self.celsius})"


class LabTemperature(Temperature):
    pass


c = Counter()
m = c.bump
print(type(m).__name__)
print(m.__self__ is c, m.__func__ is Counter.bump)
print(m(5), Counter.bump(c, 5))
print(c.bump is c.bump, c.bump == c.bump)
s = StepCounter()
print(s.bump(1), Counter.bump(s, 1))
print(type(Counter.bump).__name__, type(Counter.scaled).__name__,
      type(Counter.clamp).__name__)
print(Counter.scaled(3), StepCounter.scaled(3), s.scaled(3))
print(Counter.clamp(-4), c.clamp(7))
print(Temperature.from_fahrenheit(212))
print(LabTemperature.from_fahrenheit(98.6))
print(Temperature(5).from_fahrenheit(32))
print(Temperature.c_to_f(100), Temperature(1).c_to_f(-40))
Counter.bump = lambda self, by=1: -by
print(c.bump(3), s.bump(3))
'''

FORMS = ("direct", "method", "method_cached", "bound_value", "hoisted",
         "classmethod", "staticmethod", "inherited")


def check(demo):
    for bad in (["--calls", "999"], ["--calls=50000001"], ["--depth", "0"],
                ["--depth=17"], ["--repeats", "0"], ["--repeats=22"],
                ["--calls", "many"], ["--bogus"], ["--depth"], ["stray"]):
        demo.check_bad(*bad)

    want = subprocess.run([sys.executable, "-c", TWIN], capture_output=True,
                          text=True, check=True).stdout.splitlines()

    for calls, depth, repeats in ((2000, 3, 3), (1000, 1, 1), (5000, 16, 2)):
        j = demo.run_json("--calls", str(calls), "--depth", str(depth),
                          "--repeats", str(repeats))
        got = get(j, "transcript")
        demo.expect(got == want, "the model does not print what CPython prints:\n"
                    + "\n".join(f"  {g!r:40} CPython {w!r}" for g, w in
                                zip(got + [""] * len(want), want) if g != w))
        demo.expect(get(j, "results_ok") is True, "a call computed a wrong result")
        demo.expect(get(j, "cache.patch_invalidated") is True,
                    "patching the class did not invalidate the call-site cache")
        demo.expect(get(j, "cache.misses") == 1 and
                    get(j, "cache.hits") == calls * repeats - 1,
                    f"cache hits {get(j, 'cache.hits')} misses {get(j, 'cache.misses')}")
        probes = {"direct": 0, "method": 1, "bound_value": 1, "hoisted": 0,
                  "classmethod": 1, "staticmethod": 1, "inherited": depth + 1}
        for form, want_p in probes.items():
            p = get(j, "probes_per_call." + form)
            demo.expect(p == want_p, f"{form}: {p} dicts probed per call, wanted {want_p}")
        demo.expect(get(j, "probes_per_call.method_cached") < 0.01,
                    "a cached call site still looks the method up")
        for form in FORMS:
            a = get(j, "allocations_per_call." + form)
            want_a = 1 if form in ("bound_value", "classmethod") else 0
            demo.expect(a == want_a, f"{form}: {a} allocations per call, wanted {want_a}")
            demo.expect(get(j, "call_ns." + form) > 0, f"call_ns.{form}")
        demo.expect(get(j, "lookup.probes_direct_class") == 1, "probes on Counter")
        demo.expect(get(j, "lookup.probes_inherited") == depth + 1,
                    f"probes {depth} classes down")
        demo.expect(get(j, "lookup.allocations_method_call") == 0,
                    "obj.method(x) must not build a bound method")
        demo.expect(get(j, "lookup.allocations_bound_value") == 1,
                    "obj.method as a value must build one bound method")

    rc, out, err = demo.run("--calls", "1000", "--repeats", "1")
    demo.expect(rc == 0 and "In Python terms" in out and "-> LabTemperature(37.0)" in out,
                "human output lacks the examples or the closing line")

    demo.check_signal(["--calls", "50000000"], 0.3)
    demo.check_signal(["--calls", "50000000"], 0.5, signal.SIGTERM)


main("methods", check)
