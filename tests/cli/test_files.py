"""Files and paths that are not what pydojo expects: a FIFO in place of a
content file or of config.yaml (an error, never a wait for a writer), a
UTF-8 byte-order mark (accepted), an empty path and a folder that holds no
content given to check or --content, a quoted number in config.yaml, and a
relative HOME or XDG_*_HOME (ignored, as the XDG spec says)."""

import os
import tempfile

from clitest import expect, private_env, run, run_tests

# A FIFO with no writer: opened the plain way, pydojo would wait for ever;
# the timeout turns that into a failed test.
TIMEOUT = 20

LESSON = """\
id: my-topic
title: My own topic
track: language
level: core
summary: A topic from outside the shipped catalog.
sections:
  - title: Only section
    body: Some text.
"""

QUIZ = """\
topic: my-topic
questions:
  - id: my-topic-tf
    type: truefalse
    prompt: Is this a test?
    answer: true
"""

BOM = "\ufeff"


def make_root(tmp, lesson=LESSON, quiz=QUIZ, newline="\n"):
    root = os.path.join(tmp, "mine")
    os.makedirs(os.path.join(root, "lessons"))
    os.makedirs(os.path.join(root, "quizzes"))
    for sub, text in (("lessons", lesson), ("quizzes", quiz)):
        with open(os.path.join(root, sub, "my-topic.yaml"), "w", encoding="utf-8",
                  newline=newline) as f:
            f.write(text)
    return root


def write_config(env, text):
    path = os.path.join(env["XDG_CONFIG_HOME"], "pydojo", "config.yaml")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if text is None:
        os.mkfifo(path)
    else:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return path


def test_fifo_lesson():
    with tempfile.TemporaryDirectory() as tmp:
        root = make_root(tmp)
        fifo = os.path.join(root, "lessons", "x.yaml")
        os.mkfifo(fifo)
        want = f"{fifo}:1:1: error: cannot read file: not a regular file"
        rc, out, err = run(["check", root], timeout=TIMEOUT)
        expect(rc == 2, f"check: exit {rc}: {err!r}")
        expect(want in err.splitlines(), f"check: no '{want}' in {err!r}")
        # Through --content the FIFO is left out, and the rest loads.
        want = (f"pydojo: skipped {fifo}:1:1: cannot read file: not a regular file;"
                f" run 'pydojo check {root}'")
        rc, out, err = run(["--content", root, "topics"], timeout=TIMEOUT)
        expect(rc == 0 and "my-topic" in out, f"--content: exit {rc}: {err!r}")
        expect(err.splitlines() == [want], f"--content: not '{want}': {err!r}")
        fifo2 = os.path.join(tmp, "one.yaml")
        os.mkfifo(fifo2)
        rc, out, err = run(["check", fifo2], timeout=TIMEOUT)
        expect(rc == 2 and f"{fifo2}:1:1: error: " in err, f"exit {rc}: {err!r}")


def test_fifo_config():
    with tempfile.TemporaryDirectory() as tmp:
        env = private_env(tmp)
        path = write_config(env, None)
        db = os.path.join(tmp, "p.db")
        want = f"pydojo: warning: {path}:1:1: cannot read file: not a regular file"
        for args in (["quiz", "gil", "-n", "1"], ["review"]):
            rc, out, err = run(["--db", db] + args, stdin="quit\n", env=env, timeout=TIMEOUT)
            expect(rc == 0, f"{args}: exit {rc}: {err!r}")
            expect(err.splitlines() == [want], f"{args}: not '{want}': {err!r}")
        rc, out, err = run(["check"], env=env, timeout=TIMEOUT)
        want = f"{path}:1:1: error: cannot read file: not a regular file"
        expect(rc == 2 and want in err.splitlines(), f"check: exit {rc}: {err!r}")


def test_byte_order_mark():
    """Content and config.yaml of several lines that start with a UTF-8
    byte-order mark load; line 1 keeps its columns in errors."""
    for newline in ("\n", "\r\n"):
        with tempfile.TemporaryDirectory() as tmp:
            root = make_root(tmp, BOM + LESSON, BOM + QUIZ, newline)
            rc, out, err = run(["check", root], timeout=TIMEOUT)
            expect(rc == 0 and out.startswith("ok: 1 topics, 1 sections, 1 questions"),
                   f"{newline!r}: exit {rc}: {out!r} {err!r}")
            env = private_env(tmp)
            rc, out, err = run(["--content", root, "--db", os.path.join(tmp, "p.db"),
                                "quiz", "my-topic"], stdin="yes\n\n", env=env,
                               timeout=TIMEOUT)
            expect(rc == 0 and "right" in out, f"{newline!r}: exit {rc}: {out!r} {err!r}")
    with tempfile.TemporaryDirectory() as tmp:
        root = make_root(tmp, BOM + LESSON.replace("level: core", "level: cor"))
        rc, out, err = run(["check", root], timeout=TIMEOUT)
        lesson = os.path.join(root, "lessons", "my-topic.yaml")
        expect(rc == 2 and f"{lesson}:4:8: error: " in err, f"exit {rc}: {err!r}")
        root = os.path.join(tmp, "two")
        os.makedirs(os.path.join(root, "lessons"))
        with open(os.path.join(root, "lessons", "my-topic.yaml"), "w", encoding="utf-8") as f:
            f.write(BOM + "id: &a my-topic\ntitle: x\n")
        rc, out, err = run(["check", root], timeout=TIMEOUT)
        expect(rc == 2 and ":1:5: error: YAML anchors are not allowed" in err, f"exit {rc}: {err!r}")
    with tempfile.TemporaryDirectory() as tmp:
        env = private_env(tmp)
        db = os.path.join(tmp, "p.db")
        path = write_config(env, BOM + "desired_retention: 0.8\nfuzz: false\n")
        rc, out, err = run(["--db", db, "review"], stdin="quit\n", env=env, timeout=TIMEOUT)
        expect(rc == 0 and not err, f"exit {rc}: {err!r}")
        write_config(env, BOM + "fuzz: maybe\nnew_cards_per_day: 3\n")
        rc, out, err = run(["--db", db, "review"], stdin="quit\n", env=env, timeout=TIMEOUT)
        expect(rc == 0 and err.startswith(f"pydojo: warning: {path}:1:7: 'fuzz' must be"),
               f"exit {rc}: {err!r}")


def test_empty_path():
    rc, out, err = run(["check", ""])
    expect(rc == 2 and err == "error: cannot check '': an empty path\n",
           f"exit {rc}: {err!r}")
    rc, out, err = run(["--content", "", "topics"])
    expect(rc == 2 and err == "error: --content needs a folder, not an empty path\n",
           f"exit {rc}: {err!r}")


def test_folder_without_content():
    """A folder with neither lessons/ nor quizzes/ is a wrong path, not an
    empty catalog; one of the two is enough."""
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "notes.txt"), "w") as f:
            f.write("not content\n")
        want = f"{tmp}:1:1: error: not a content directory: no lessons/ or quizzes/ folder in it"
        for args in (["check", tmp], ["--content", tmp, "topics"]):
            rc, out, err = run(args)
            expect(rc == 2 and want in err.splitlines() and "ok:" not in out,
                   f"{args}: exit {rc}: {out!r} {err!r}")
        rc, out, err = run(["check", "/etc"])
        expect(rc == 2 and "/etc:1:1: error: not a content directory" in err,
               f"/etc: exit {rc}: {out!r} {err!r}")
        root = os.path.join(tmp, "mine")
        os.makedirs(os.path.join(root, "lessons"))
        with open(os.path.join(root, "lessons", "my-topic.yaml"), "w") as f:
            f.write(LESSON)
        rc, out, err = run(["check", root])
        expect(rc == 0 and out.startswith("ok: 1 topics"), f"exit {rc}: {out!r} {err!r}")


def test_quoted_number_config():
    with tempfile.TemporaryDirectory() as tmp:
        env = private_env(tmp)
        db = os.path.join(tmp, "p.db")
        write_config(env, 'desired_retention: "0.9"\nnew_cards_per_day: "5"\n'
                          "interview_minutes: '1.5'\n")
        rc, out, err = run(["--db", db, "review"], stdin="quit\n", env=env)
        expect(rc == 0 and not err, f"exit {rc}: {err!r}")
        path = write_config(env, 'desired_retention: "high"\n')
        rc, out, err = run(["--db", db, "review"], stdin="quit\n", env=env)
        expect(rc == 0 and f"pydojo: warning: {path}:1:20: 'desired_retention' must be a number" in err,
               f"exit {rc}: {err!r}")
        rc, out, err = run(["check"], env=env)
        expect(rc == 2 and f"{path}:1:20: error: 'desired_retention' must be a number" in err,
               f"check: exit {rc}: {err!r}")


def test_relative_home_and_xdg():
    """A relative HOME or XDG_*_HOME counts as unset: nothing is read or
    made relative to the working folder."""
    with tempfile.TemporaryDirectory() as tmp:
        env = private_env(tmp, XDG_DATA_HOME=None, XDG_CONFIG_HOME=None,
                          XDG_STATE_HOME=None, HOME="rel")
        rc, out, err = run(["stats"], env=env, cwd=tmp)
        expect(rc == 3 and "--db" in err and len(err.splitlines()) == 1,
               f"exit {rc}: {err!r}")
        expect(not os.path.exists(os.path.join(tmp, "rel")), "a folder under a relative HOME")
        # A relative XDG_DATA_HOME falls back to $HOME/.local/share; a
        # relative XDG_CONFIG_HOME's config.yaml is not read.
        os.makedirs(os.path.join(tmp, "cfg", "pydojo"))
        with open(os.path.join(tmp, "cfg", "pydojo", "config.yaml"), "w") as f:
            f.write("fuzz: maybe\n")
        env = private_env(tmp, XDG_DATA_HOME="data", XDG_CONFIG_HOME="cfg", HOME=tmp)
        rc, out, err = run(["review"], stdin="quit\n", env=env, cwd=tmp)
        expect(rc == 0 and not err, f"exit {rc}: {err!r}")
        expect(not os.path.exists(os.path.join(tmp, "data")), "a folder under a relative XDG_DATA_HOME")
        db = os.path.join(tmp, ".local", "share", "pydojo", "progress.db")
        expect(os.path.isfile(db), "no database under $HOME/.local/share")


run_tests(globals())
