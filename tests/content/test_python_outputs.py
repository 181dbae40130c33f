"""Runs every Python program of the shipped content on CPython and compares
its output exactly: each lesson section's `code` with an `output`, and each
`output` question's `code` against its `answer` (those that declare
`needs:` run in test_stack.py instead). Each program runs twice,
under PYTHONHASHSEED 0 and 1, so output that depends on hash order fails.
A program marked `python: ">=3.12"` that this interpreter is too old for is
reported as skipped, never counted as passed. PYDOJO_PYTHON runs the programs
on another interpreter (the content is checked on 3.11, 3.12 and 3.13 this
way, and by `--version 3.12` or `--version 3.13`, which find that
interpreter as $PYDOJO_PYTHON312 / python3.12 on PATH and exit 77 without
one). The programs run in parallel, one worker per processor, each in a
folder of its own; the report keeps the content's order."""

import concurrent.futures
import glob
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

SRC = os.environ.get("PYDOJO_SOURCE_ROOT",
                     os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def find_python(version):
    """The interpreter of version "3.N": $PYDOJO_PYTHON3N, else python3.N on
    PATH; None when neither runs (a version manager's shim may be on PATH
    and refuse)."""
    for cand in (os.environ.get("PYDOJO_PYTHON" + version.replace(".", "")), shutil.which("python" + version)):
        if not cand:
            continue
        try:
            got = subprocess.run([cand, "-c", "import sys; print(*sys.version_info[:2], sep='.')"],
                                 capture_output=True, text=True, timeout=30)
        except OSError:
            continue
        if got.returncode == 0 and got.stdout.strip() == version:
            return cand
    return None


# `--version 3.N` runs every program on CPython 3.N instead (the content is
# checked on 3.12 and 3.13 too, and the programs that need them run only
# there); without that interpreter the test is skipped (exit 77).
if len(sys.argv) == 3 and sys.argv[1] == "--version":
    PYTHON = find_python(sys.argv[2])
    if not PYTHON:
        print(f"no Python {sys.argv[2]}: set PYDOJO_PYTHON{sys.argv[2].replace('.', '')} or put "
              f"python{sys.argv[2]} on PATH")
        sys.exit(77)
else:
    PYTHON = os.environ.get("PYDOJO_PYTHON", sys.executable)
# The interpreter the programs run on (PYDOJO_PYTHON may name another one).
TARGET = tuple(int(x) for x in subprocess.run(
    [PYTHON, "-c", "import sys; print(*sys.version_info[:3])"],
    capture_output=True, text=True, check=True).stdout.split())
TARGET_NAME = ".".join(map(str, TARGET))


def version_ok(spec):
    if not spec:
        return True
    spec = str(spec).strip()
    if not spec.startswith(">="):
        raise ValueError(f"unsupported python spec {spec!r}")
    want = tuple(int(x) for x in spec[2:].split("."))
    return TARGET[:len(want)] >= want


def programs():
    for path in sorted(glob.glob(os.path.join(SRC, "lessons", "*.yaml"))):
        doc = yaml.safe_load(open(path, encoding="utf-8"))
        for i, sec in enumerate(doc.get("sections") or []):
            code = sec.get("code")
            # A program that needs a framework runs in test_stack.py.
            if code and "output" in code and code.get("lang", "python") == "python" and not code.get("needs"):
                yield (f"{os.path.relpath(path, SRC)} § {i + 1} {sec.get('title')!r}",
                       code["source"], code["output"], code.get("python"))
    for path in sorted(glob.glob(os.path.join(SRC, "quizzes", "*.yaml"))):
        doc = yaml.safe_load(open(path, encoding="utf-8"))
        for q in doc.get("questions") or []:
            if q.get("type") == "output" and not q.get("needs"):
                yield (f"{os.path.relpath(path, SRC)} {q['id']}",
                       q["code"], q["answer"], q.get("python"))


def run(source, seed, tmp):
    env = dict(os.environ, PYTHONHASHSEED=str(seed), PYTHONDONTWRITEBYTECODE="1",
               PYTHONIOENCODING="utf-8")
    prog = os.path.join(tmp, "example.py")
    with open(prog, "w", encoding="utf-8") as f:
        f.write(source)
    p = subprocess.run([PYTHON, "-I", prog], capture_output=True, env=env,
                       cwd=tmp, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def check(source, want, tmp):
    """None when the program prints want under both seeds, else why not.
    tmp is this program's own folder (programs may write files)."""
    for seed in (0, 1):
        rc, out, err = run(source, seed, tmp)
        if out != want:
            return (f"PYTHONHASHSEED={seed}: output differs (exit {rc})\n"
                    f"    want: {want!r}\n    got:  {out!r}\n    stderr: {err[-400:]!r}")
    return None


def main():
    passed = failed = skipped = 0
    with tempfile.TemporaryDirectory() as tmp, \
            concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        jobs = []
        source_of, want_of = {}, {}
        os.mkdir(os.path.join(tmp, "again"))
        for i, (name, source, want, spec) in enumerate(programs()):
            source_of[name], want_of[name] = source, want
            if not version_ok(spec):
                jobs.append((name, None, spec))
                continue
            folder = os.path.join(tmp, str(i))
            os.mkdir(folder)
            jobs.append((name, pool.submit(check, source, want, folder), spec))
        for name, job, spec in jobs:
            if job is None:
                skipped += 1
                print(f"skip {name}: needs python {spec}, this is {TARGET_NAME}")
                continue
            bad = job.result()
            if bad:
                # Some examples time things (asyncio timeouts of 10 ms):
                # run beside others on a loaded machine they can miss. A
                # failure is run again alone, and fails only if it fails
                # there too.
                again = check(source_of[name], want_of[name], os.path.join(tmp, "again"))
                if again is None:
                    print(f"note {name}: passed when run alone, not in parallel ({bad.splitlines()[0]})")
                else:
                    bad = again
            if bad:
                failed += 1
                print(f"FAIL {name}: {bad}")
            else:
                passed += 1
    print(f"{passed} programs matched CPython {TARGET_NAME} ({PYTHON}), "
          f"{failed} failed, {skipped} skipped")
    sys.exit(1 if failed or passed == 0 else 0)


main()
