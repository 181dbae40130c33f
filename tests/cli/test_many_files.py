"""Content folders with many files: the 'requires' cycle search must not
recurse once per lesson (a long chain under a 1 MiB stack), a cycle is still
reported with its whole path, and loading stays linear (a 20,000-file
catalog checks in seconds, not minutes)."""

import os
import resource
import subprocess
import tempfile

from clitest import BIN, SRC, expect, private_env, run_tests


def lesson(i, requires=None):
    text = (f"id: t{i:05d}\ntitle: Topic {i}\ntrack: language\nlevel: core\n"
            f"summary: Generated topic {i}.\n")
    if requires is not None:
        text += f"requires: [t{requires:05d}]\n"
    return text + "sections:\n  - title: Only\n    body: Text.\n"


def quiz(i):
    return (f"topic: t{i:05d}\nquestions:\n"
            f"  - id: t{i:05d}-q\n    type: truefalse\n    prompt: True?\n    answer: true\n")


def write_root(tmp, n, requires, quizzes=False):
    root = os.path.join(tmp, "many")
    os.makedirs(os.path.join(root, "lessons"))
    os.makedirs(os.path.join(root, "quizzes"))
    for i in range(n):
        with open(os.path.join(root, "lessons", f"t{i:05d}.yaml"), "w") as f:
            f.write(lesson(i, requires(i)))
        if quizzes:
            with open(os.path.join(root, "quizzes", f"t{i:05d}.yaml"), "w") as f:
                f.write(quiz(i))
    return root


def small_stack():
    resource.setrlimit(resource.RLIMIT_STACK, (1 << 20, 1 << 20))


def run_measured(args, tmp, preexec=None):
    """Runs pydojo; returns (status, stdout, stderr, cpu seconds)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen([BIN] + args, cwd=SRC, env=private_env(tmp), stdin=subprocess.DEVNULL,
                             stdout=out, stderr=err, preexec_fn=preexec)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (p.returncode, out.read().decode(), err.read().decode(),
                ru.ru_utime + ru.ru_stime)


def test_long_requires_chain_small_stack():
    # t00000 requires t00001, which requires t00002, ...: the search from
    # the first lesson goes 10,000 deep.
    with tempfile.TemporaryDirectory() as tmp:
        n = 10000
        root = write_root(tmp, n, lambda i: i + 1 if i + 1 < n else None)
        rc, out, err, _ = run_measured(["check", root], tmp, small_stack)
        expect(rc == 0, f"check of a {n}-lesson chain under a 1 MiB stack: status {rc}\n{err[-500:]}")
        expect(f"ok: {n} topics" in out, out)


def test_long_requires_cycle_reported_with_path():
    with tempfile.TemporaryDirectory() as tmp:
        n = 10000
        root = write_root(tmp, n, lambda i: (i + 1) % n)
        rc, out, err, _ = run_measured(["check", root], tmp, small_stack)
        expect(rc == 2, f"a cycle is a content error: status {rc}\n{err[-500:]}")
        lines = [l for l in err.splitlines() if "'requires' cycle" in l]
        expect(len(lines) == 1, f"one cycle, one error: {len(lines)}\n{err[:500]}")
        path = " -> ".join(f"t{i:05d}" for i in range(n)) + " -> t00000"
        expect(lines[0].endswith(f"error: 'requires' cycle: {path}"), lines[0][:300])
        expect(lines[0].startswith(os.path.join(root, "lessons", f"t{n - 1:05d}.yaml") + ":6:"),
               lines[0][:200])


def test_twenty_thousand_files_load_in_linear_time():
    # Quadratic look-ups took 21 s of CPU for 20,000 files, 16 times as long
    # as for 5,000; linear loading takes well under 2 s in a release build
    # (the benchmark's business). The bounds are loose enough for a
    # sanitizer build: under 10 s, and under 8 times the 5,000-file time.
    with tempfile.TemporaryDirectory() as tmp:
        cpu = {}
        for n in (2500, 10000):
            root = write_root(os.path.join(tmp, str(n)), n, lambda i: i - 1 if i else None,
                              quizzes=True)
            rc, out, err, cpu[n] = run_measured(["check", root], tmp)
            expect(rc == 0, f"status {rc}\n{err[-500:]}")
            expect(f"ok: {n} topics" in out and f"{n} questions" in out, out)
        expect(cpu[10000] < 10, f"check of 20,000 files took {cpu[10000]:.1f} s of CPU")
        expect(cpu[10000] < 8 * cpu[2500],
               f"20,000 files took {cpu[10000]:.2f} s of CPU, 5,000 took {cpu[2500]:.2f} s: not linear")
        rc, out, err, t = run_measured(["--content", root, "topics"], tmp)
        expect(rc == 0, f"status {rc}\n{err[-500:]}")
        expect("t09999" in out, out[-300:])
        expect(t < 10, f"topics over 20,000 files took {t:.1f} s of CPU")


if __name__ == "__main__":
    run_tests(globals())
