"""Write errors on standard output: output that is lost (a full device, a
closed stdout, a file past the size limit) ends with one line
`error: write error: CAUSE` on stderr and exit status 3, in one-shot
commands and in the scripted prompt; a reader that goes away early (`| head
-1`) is no error and nothing is reported."""

import os
import resource
import signal
import subprocess
import tempfile

from clitest import BIN, SRC, expect, private_env, run_tests

ENOSPC = "error: write error: No space left on device\n"


def pydojo(args, tmp, stdin=None, stdout=None, preexec=None, restore=True):
    """Runs pydojo with stdout as given; returns (status, stderr)."""
    p = subprocess.run([BIN] + args, cwd=SRC, env=private_env(tmp),
                       input=stdin.encode() if stdin is not None else None,
                       stdin=None if stdin is not None else subprocess.DEVNULL,
                       stdout=stdout, stderr=subprocess.PIPE, timeout=60,
                       preexec_fn=preexec, restore_signals=restore)
    return p.returncode, p.stderr.decode()


def to_full(args, stdin=None):
    with tempfile.TemporaryDirectory() as tmp, open("/dev/full", "wb") as full:
        return pydojo(args, tmp, stdin=stdin, stdout=full)


def test_stats_json_to_full_device():
    rc, err = to_full(["stats", "--json"])
    expect(rc == 3, f"exit {rc}: {err}")
    expect(err == ENOSPC, f"stderr {err!r}")


def test_fsrs_replay_to_full_device():
    rc, err = to_full(["fsrs", "replay"], stdin="2024-01-01T09:00:00Z 3\n")
    expect(rc == 3, f"exit {rc}: {err}")
    expect(err == ENOSPC, f"stderr {err!r}")


def test_version_and_help_to_full_device():
    for args in (["--version"], ["--help"], ["help", "learn"]):
        rc, err = to_full(args)
        expect(rc == 3, f"{args}: exit {rc}: {err}")
        expect(err == ENOSPC, f"{args}: stderr {err!r}")


def test_topics_with_stdout_closed():
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.run(["sh", "-c", 'exec "$0" topics >&-', BIN], cwd=SRC,
                           env=private_env(tmp), stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=60)
        err = p.stderr.decode()
        expect(p.returncode == 3, f"exit {p.returncode}: {err}")
        expect(err == "error: write error: Bad file descriptor\n", f"stderr {err!r}")


def test_closed_stdout_that_nothing_writes_to_is_fine():
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.run(["sh", "-c", 'exec "$0" check >/dev/null; exec "$0" fsrs replay >&-', BIN],
                           cwd=SRC, env=private_env(tmp), input=b"", capture_output=True,
                           timeout=60)
        expect(p.returncode == 0, f"exit {p.returncode}: {p.stderr.decode()}")
        expect(p.stderr == b"", f"stderr {p.stderr!r}")


def test_learn_past_the_file_size_limit():
    limit = 2000

    def small_files():
        # Ignored, SIGXFSZ no longer kills: the write fails with EFBIG.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "out.txt")
        with open(path, "wb") as f:
            # No database: the limit would stop it too (a warning, not this test).
            rc, err = pydojo(["--db", ":memory:", "learn", "gil"], tmp, stdout=f, preexec=small_files,
                             restore=False)
        expect(rc == 3, f"exit {rc}: {err}")
        expect(err == "error: write error: File too large\n", f"stderr {err!r}")
        expect(os.path.getsize(path) == limit, f"size {os.path.getsize(path)}")


def test_repl_script_to_full_device():
    rc, err = to_full([], stdin="topics\nlearn gil\nsections gil\n")
    expect(rc == 3, f"exit {rc}: {err}")
    # The session ends at the first lost output: one message, not one a command.
    expect(err == ENOSPC, f"stderr {err!r}")


def test_pipe_to_head_is_quiet():
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.run(["sh", "-c", '"$0" learn gil | head -1', BIN], cwd=SRC,
                           env=private_env(tmp), stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=60)
        expect(p.returncode == 0, f"exit {p.returncode}: {p.stderr.decode()}")
        expect(p.stderr == b"", f"stderr {p.stderr!r}")
        expect(p.stdout.decode().startswith("The Global Interpreter Lock"),
               f"stdout {p.stdout!r}")


def test_reader_leaving_early_is_quiet_even_with_sigpipe_ignored():
    # More than a pipe buffer of output, and a parent that ignores SIGPIPE
    # (Python does; restore_signals=False passes that on): pydojo is ended
    # by SIGPIPE or sees EPIPE, and reports neither.
    for restore in (True, False):
        with tempfile.TemporaryDirectory() as tmp:
            p = subprocess.Popen([BIN, "export", "--anki", "-"], cwd=SRC,
                                 env=private_env(tmp), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 restore_signals=restore)
            first = p.stdout.readline()
            p.stdout.close()
            err = p.stderr.read().decode()
            rc = p.wait(timeout=60)
            p.stderr.close()
            expect(first, "no output")
            expect(err == "", f"restore={restore}: stderr {err!r}")
            expect(rc in (0, -signal.SIGPIPE), f"restore={restore}: exit {rc}")


if __name__ == "__main__":
    run_tests(globals())
