"""A rubric pattern that hits the regex match limits is neither a match nor
a miss. `check` reports the pattern at its position when the model answer
or an example makes it hit the limits; a learner's answer that does so does
not get the point (before, an exhausted reject pattern counted as "not
rejected" and credited it), and the feedback says why."""

import os
import tempfile

from clitest import expect, private_env, run, run_tests

CRAFTED = "It releases the GIL " + "a" * 60 + "!"


def content(tmp, name, model="A blocking call releases the GIL.", fail="It releases the GIL, wrong."):
    root = os.path.join(tmp, name)
    os.makedirs(os.path.join(root, "lessons"))
    os.makedirs(os.path.join(root, "quizzes"))
    with open(os.path.join(root, "lessons", "lim.yaml"), "w") as f:
        f.write("id: lim\ntitle: Limits\ntrack: language\nlevel: core\n"
                "summary: A rubric at its limits.\nsections:\n  - title: Only\n    body: Text.\n")
    with open(os.path.join(root, "quizzes", "lim.yaml"), "w") as f:
        f.write("topic: lim\n"
                "questions:\n"
                "  - id: lim-why\n"
                "    type: text\n"
                "    prompt: Why do threads help I/O?\n"
                "    rubric:\n"
                "      - point: the GIL is released\n"
                "        pattern: 'releases? the GIL'\n"
                "        reject: '(a|aa)+$|wrong'\n"
                "      - point: it waits\n"
                "        pattern: '(a|aa)+$|waits'\n"
                "    pass: 1\n"
                f"    model_answer: '{model}'\n"
                "    examples:\n"
                "      pass: ['Blocking I/O releases the GIL.']\n"
                f"      fail: ['{fail}']\n")
    return root


def test_check_reports_the_pattern():
    with tempfile.TemporaryDirectory() as tmp:
        root = content(tmp, "model", model=CRAFTED)
        status, out, err = run(["check", root])
        quiz = os.path.join(root, "quizzes", "lim.yaml")
        errors = [l for l in err.splitlines() if ": error: " in l]
        expect(status == 2, f"exit {status}: {err!r}")
        expect(errors == [
            f"{quiz}:9:17: error: reject hits the regex match limits on the model answer: "
            "an answer like it cannot be graded (simplify the pattern)",
            f"{quiz}:11:18: error: pattern hits the regex match limits on the model answer: "
            "an answer like it cannot be graded (simplify the pattern)"], f"{errors!r}")
        root = content(tmp, "example", fail="No " + "a" * 60 + "!")
        quiz = os.path.join(root, "quizzes", "lim.yaml")
        status, out, err = run(["check", root])
        errors = [l for l in err.splitlines() if ": error: " in l]
        expect(status == 2 and errors == [
            f"{quiz}:11:18: error: pattern hits the regex match limits on the 'fail' example at line 16: "
            "an answer like it cannot be graded (simplify the pattern)"], f"{status} {errors!r}")


def quiz(tmp, root, answer):
    env = private_env(tmp, PYDOJO_DATADIR=root)
    db = os.path.join(tmp, "progress.db")
    if os.path.exists(db):
        os.remove(db)
    return run(["--db", db, "--seed", "1", "quiz", "lim"], stdin=answer + "\n.\n\n", env=env)


def test_grading_does_not_credit_and_says_so():
    with tempfile.TemporaryDirectory() as tmp:
        root = content(tmp, "content")
        status, out, err = run(["check", root])
        expect(status == 0, f"the content checks clean: {err!r}")
        status, out, err = quiz(tmp, root, CRAFTED)
        expect(status == 0, f"exit {status}: {err!r}")
        expect("✗ wrong — 0/2 key points (1 needed)" in out, f"credited: {out!r}")
        for point in ("the GIL is released", "it waits"):
            expect(f"  ✗ not graded  {point}: checking it hit the regex match limits on your answer, "
                   "so it is not credited" in out, f"'{point}' not said: {out!r}")
        status, out, err = quiz(tmp, root, "It releases the GIL while it waits.")
        expect(status == 0 and "✓ right — 2/2 key points" in out and "not graded" not in out, f"{out!r}")
        status, out, err = quiz(tmp, root, "It releases the GIL, wrong.")
        expect(status == 0 and "  ✗ missed the GIL is released" in out and "not graded" not in out, f"{out!r}")


run_tests(globals())
