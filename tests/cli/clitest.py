"""Shared helpers for the tests that run the real pydojo binary.

Each test file defines functions named test_*; run_tests() runs them all,
prints one line per test and exits 1 if any failed. The binary comes from
PYDOJO_BIN (set by tests/meson.build); every run gets a private temporary
XDG tree so nothing leaks between tests or into the user's files."""

import os
import subprocess
import sys
import tempfile
import traceback

BIN = os.environ.get("PYDOJO_BIN", "build/pydojo")
SRC = os.environ.get("PYDOJO_SOURCE_ROOT",
                     os.path.dirname(os.path.dirname(os.path.dirname(
                         os.path.abspath(__file__)))))


class Failure(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise Failure(msg)


def private_env(tmp, **extra):
    env = dict(os.environ)
    for k in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        env[k] = os.path.join(tmp, k.lower())
    env["HOME"] = tmp
    env["NO_COLOR"] = "1"
    env.pop("PAGER", None)
    env.update({k: v for k, v in extra.items() if v is not None})
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
    return env


def run(args, stdin=None, cwd=None, env=None, timeout=60, tmp=None):
    """Runs pydojo with args; returns (status, stdout, stderr) as text."""
    own = None
    if env is None:
        own = tempfile.TemporaryDirectory(prefix="pydojo-test-")
        env = private_env(tmp or own.name)
    if isinstance(stdin, str):
        stdin = stdin.encode()
    try:
        p = subprocess.run([BIN] + list(args), input=stdin, cwd=cwd or SRC,
                           env=env, capture_output=True, timeout=timeout,
                           stdin=None if stdin is not None else subprocess.DEVNULL)
    finally:
        if own:
            own.cleanup()
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    return p.returncode, out, err


def run_tests(namespace):
    tests = [(n, f) for n, f in namespace.items()
             if n.startswith("test_") and callable(f)]
    failed = 0
    for name, fn in tests:
        try:
            fn()
            print(f"ok   {name}")
        except Failure as e:
            failed += 1
            print(f"FAIL {name}: {e}")
        except Exception:
            failed += 1
            print(f"FAIL {name}: exception")
            traceback.print_exc(file=sys.stdout)
    print(f"{len(tests) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
