"""demo-decorators: fib(n) plain and memoized through decorators modelled as
closures over function pointers; a decorator factory; what functools.wraps
keeps.

The counts are exact: plain recursion with `if n < 2: return n` makes
2*F(n+1)-1 calls, the memoized body runs n+1 times and the name fib is
called 2n-1 times (the rest are cache hits); the test computes these from
the formulas (which hold for n >= 2, the smallest --n) and compares them
with what the demo counted.  The layers of
@repeat(times) run 1, 1, calls and calls*times times.  The wraps transcript
is compared line by line with the same program run on python3.  Timings are
only checked to be positive."""

import signal
import subprocess
import sys

from demo_helpers import get, main

TWIN = '''
import functools
WRAPS = {wraps}


def memoize(func):
    cache = {{}}

    def wrapper(n):
        if n not in cache:
            cache[n] = func(n)
        return cache[n]
    if WRAPS:
        wrapper = functools.wraps(func)(wrapper)
    return wrapper


def repeat(times):
    def decorator(func):
        def wrapper(n):
            for _ in range(times):
                r = func(n)
            return r
        if WRAPS:
            wrapper = functools.wraps(func)(wrapper)
        return wrapper
    return decorator


@memoize
def fib(n):
    """Return the n-th Fibonacci number."""
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


@repeat(2)
def greet(n):
    """Say hello."""
    return n + 1


for f in (fib, greet):
    print(f.__name__, f.__qualname__, f.__doc__, hasattr(f, "__wrapped__"))
print(fib(20), greet(41))
if WRAPS:
    print(fib.__wrapped__.__name__, hasattr(fib.__wrapped__, "__wrapped__"))
'''


def F(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def check(demo):
    for bad in (["--n", "1"], ["--n=41"], ["--times", "0"], ["--times=11"],
                ["--repeats", "0"], ["--repeats=22"], ["--n", "ten"],
                ["--bogus"], ["--n"], ["stray"]):
        demo.check_bad(*bad)

    want = []
    for w in (False, True):
        want += subprocess.run([sys.executable, "-c", TWIN.format(wraps=w)],
                               capture_output=True, text=True,
                               check=True).stdout.splitlines()

    for n, times in ((30, 3), (2, 1), (3, 10), (17, 2), (35, 5)):
        j = demo.run_json("--n", str(n), "--times", str(times), "--repeats", "1")
        demo.expect(get(j, "fib.plain") == F(n) and get(j, "fib.memo") == F(n),
                    f"fib({n}) = {get(j, 'fib.plain')}/{get(j, 'fib.memo')}, wanted {F(n)}")
        calls = get(j, "calls.plain")
        demo.expect(calls == 2 * F(n + 1) - 1,
                    f"fib({n}) plain: {calls} calls counted, 2*F(n+1)-1 = {2 * F(n + 1) - 1}")
        demo.expect(get(j, "body_runs.plain") == calls, "plain: body runs != calls")
        demo.expect(get(j, "cache_hits.plain") == 0, "plain: cache hits")
        demo.expect(get(j, "body_runs.memo") == n + 1,
                    f"fib({n}) memoized: body ran {get(j, 'body_runs.memo')} times, wanted n+1")
        demo.expect(get(j, "calls.memo") == 2 * n - 1,
                    f"fib({n}) memoized: {get(j, 'calls.memo')} calls of fib, wanted 2n-1")
        demo.expect(get(j, "cache_hits.memo") == get(j, "calls.memo") - (n + 1),
                    "memoized: hits + body runs != calls")
        demo.expect(get(j, "formula.plain_calls") == 2 * F(n + 1) - 1, "formula")
        for k in ("plain", "memo"):
            demo.expect(get(j, "time_s." + k) >= 0, f"time_s.{k}")
        demo.expect(get(j, "time_s.plain") > 0, "time_s.plain")
        layers = {"factory": 1, "decorator": 1, "wrapper": 0, "body": 0}
        for k, v in layers.items():
            demo.expect(get(j, "factory.after_def." + k) == v,
                        f"after the def, {k} ran {get(j, 'factory.after_def.' + k)} times, wanted {v}")
        layers.update(wrapper=2, body=2 * times)
        for k, v in layers.items():
            demo.expect(get(j, "factory.after_calls." + k) == v,
                        f"after two calls, {k} ran {get(j, 'factory.after_calls.' + k)} times, wanted {v}")
        got = get(j, "transcript")
        demo.expect(got == want, "the model does not print what CPython prints:\n"
                    + "\n".join(f"  {g!r:60} CPython {w!r}" for g, w in
                                zip(got + [""] * len(want), want) if g != w))

    rc, out, err = demo.run("--repeats", "1")
    demo.expect(rc == 0 and "In Python terms" in out and "2,692,537" in out
                and "(equal)" in out, "human output lacks the table or the closing line")

    demo.check_signal(["--n", "40", "--repeats", "21"], 0.3)
    demo.check_signal(["--n", "40", "--repeats", "21"], 0.5, signal.SIGTERM)


main("decorators", check)
