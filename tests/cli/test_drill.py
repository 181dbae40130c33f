"""Drilling what was missed: the list of missed questions with their right
answers at the end of a quiz, review and interview; `reveal` (the answer
shown, the card recorded as again) beside `skip` (nothing recorded);
`quiz --missed`, `quiz TOPIC --tag TAG`, `quiz QUESTION-ID`, and the
suggestions for misspelt ids and topics (a transposition is one edit)."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sessionlib  # noqa: E402
from sessionlib import BIN, Env, check, finish  # noqa: E402

T0 = "2025-03-03T09:00:00Z"


def drive(e, plan, *cmd, now=T0, seed=7):
    """sessionlib.drive at this file's start time."""
    return sessionlib.drive(e, plan, *cmd, now=now, seed=seed)


def missed_section(out):
    """The list of missed questions: from the 'Missed' heading on."""
    _, _, after = out.partition("\nMissed\n")
    return after


def listed(out):
    """(id, verdict) of each question in the list of missed questions."""
    return re.findall(r"^  (\S+) \(\S+, \S+\): (\S+)$", missed_section(out), re.M)


def answer_text(q):
    """A line of the right answer as the list shows it."""
    if q["type"] == "choice":
        return q["choices"][q["answer"]].split("\n")[0][:40]
    if q["type"] == "truefalse":
        return "the answer is " + ("true" if q["answer"] else "false")
    if q["type"] == "output":
        return q["answer"].strip().split("\n")[0]
    if q["type"] == "text":
        return "model answer:"
    if q["type"] == "multi":
        return "the right choices are"
    return "the right order is"


def test_reveal_and_the_missed_list(e):
    plan = ["wrong", "reveal", "skip", "right"]
    asked, out, rc = drive(e, lambda qid, i: plan[i], "quiz", "gil", "-n", "4")
    check(rc == 0 and len(asked) == 4, f"a quiz of four runs ({rc}, {asked})")
    wrong, revealed, skipped, right = asked
    check("revealed (recorded as a wrong answer)" in out, "reveal shows the answer")
    rows = dict((r[0], r[1:]) for r in e.sql("select question_id, rating, correct from reviews"))
    check(rows.get(revealed) == (1, 0), f"reveal records again, as a wrong answer ({rows.get(revealed)})")
    check(rows.get(wrong) == (1, 0), "a wrong answer is recorded again")
    check(skipped not in rows, "skip records nothing")
    check(listed(out) == [(wrong, "wrong"), (revealed, "revealed")],
          f"the list names the wrong and the revealed question, not the skipped or right one ({listed(out)})")
    section = missed_section(out)
    for qid in (wrong, revealed):
        q = e.questions[qid]
        entry = section.split(f"  {qid} (")[1].split("\n  gil-")[0] if f"  {qid} (" in section else ""
        check(answer_text(q) in entry, f"{qid}: the right answer is in the list")
        if q.get("explain"):
            first = q["explain"].split()[0]
            check(first in entry, f"{qid}: and its explanation")
    check("score: 1/3 right (33%), 1 skipped" in out, "reveal counts as answered, skip does not")


def test_keys_name_reveal(e):
    r = e.run("quiz", "gil", "-n", "1", input="?\nquit\n")
    check(re.search(r"^  reveal  show the answer; the card is recorded as 'again'", r.stdout, re.M) is not None,
          "? lists reveal")
    check("hint, skip, reveal, quit, ? for keys" in r.stdout, "the prompt line names reveal")


def test_review_lists_missed(e):
    asked, out, rc = drive(e, lambda qid, i: "wrong" if i == 0 else "quit", "review", "--new-limit", "2")
    check(rc == 0 and asked, "a review runs")
    check(listed(out) == [(asked[0], "wrong")], f"a review ends with the question missed ({listed(out)})")


def test_interview_refuses_reveal(e):
    r = e.run("interview", "--topics", "gil", "--minutes", "5", input="reveal\nquit\n")
    check("no reveal in an interview" in r.stdout, "an interview refuses reveal")
    check(not e.sql("select 1 from reviews"), "and records nothing for it")


def test_interview_lists_missed(e):
    asked, out, rc = drive(e, lambda qid, i: "wrong" if i == 0 else "quit", "interview", "--topics", "gil")
    check(rc == 0 and asked, "an interview runs")
    check(listed(out) == [(asked[0], "wrong")], f"the interview report lists the question missed ({listed(out)})")
    check(answer_text(e.questions[asked[0]]) in missed_section(out), "with its right answer")


T_10D = "2025-02-21T09:00:00Z"
T_3D = "2025-02-28T09:00:00Z"
T1 = "2025-03-03T10:00:00Z"


def skip_all(qid, i):
    return "skip"


def test_missed(e):
    old, _, rc = drive(e, lambda qid, i: "wrong", "quiz", "threads", "-n", "1", now=T_10D)
    lapsed, _, rc2 = drive(e, lambda qid, i: ["wrong", "right"][i], "quiz", "asyncio", "-n", "2", now=T_3D)
    last, out, rc3 = drive(e, lambda qid, i: ["wrong", "right", "reveal"][i], "quiz", "gil", "-n", "3", now=T0)
    check(rc == rc2 == rc3 == 0 and len(old) == 1 and len(lapsed) == 2 and len(last) == 3, "three quizzes run")
    check("'quiz --missed' asks these again." in out, "the list of missed questions says how to drill them")
    want = {lapsed[0], last[0], last[2]}
    asked, out, rc = drive(e, skip_all, "quiz", "--missed", now=T1)
    check(rc == 0 and set(asked) == want and len(asked) == 3,
          f"--missed: wrong or revealed in the last session, and lapsed in 7 days across topics ({asked})")
    check(old[0] not in asked, "a lapse 10 days old is not asked")
    check(lapsed[1] not in asked and last[1] not in asked, "a right answer is not asked")
    asked, _, _ = drive(e, skip_all, "quiz", "--missed", "gil", now=T1)
    check(set(asked) == {last[0], last[2]}, f"--missed TOPIC keeps to the topic ({asked})")
    asked, _, _ = drive(e, lambda qid, i: "right", "quiz", "--missed", "-n", "1", now=T1)
    check(len(asked) == 1, "-n bounds --missed")
    asked2, _, _ = drive(e, skip_all, "quiz", "--missed", now=T1)
    check(set(asked2) == want - set(asked), f"a card answered right since is no longer missed ({asked2})")
    r = e.run("quiz", "--missed", "--tag", "release", now=T1)
    check(r.returncode == 2, "--missed with --tag is refused")


def test_nothing_missed(e):
    r = e.run("quiz", "--missed")
    check(r.returncode == 0 and r.stdout.startswith("nothing missed"), "--missed with nothing missed says so")
    check(not e.sql("select 1 from sessions"), "and starts no session")


def test_tag(e):
    tagged = sorted(q for q, v in e.questions.items() if v["topic"] == "gil" and "release" in v.get("tags", []))
    asked, _, rc = drive(e, skip_all, "quiz", "gil", "--tag", "release", "-n", "50")
    check(rc == 0 and sorted(asked) == tagged, f"--tag asks the topic's questions carrying the tag ({asked})")
    r = e.run("quiz", "gil", "--tag", "nope")
    tags = {t for v in e.questions.values() if v["topic"] == "gil" for t in v.get("tags", [])}
    check(r.returncode == 2 and "no question of 'gil' is tagged 'nope'" in r.stderr, "an unknown tag is refused")
    listed_tags = set(r.stderr.split("its tags:")[-1].strip().split(", "))
    check(listed_tags == tags, "and the topic's tags are listed")
    r = subprocess.run([BIN, "__complete", "quiz", "gil", "--tag", ""], env=e.env, capture_output=True, text=True,
                       timeout=60)
    check(set(r.stdout.split()) == tags, f"the tags complete after --tag ({r.stdout.split()[:5]})")


def test_question_id(e):
    asked, out, rc = drive(e, lambda qid, i: "right", "quiz", "gil-pep-684")
    check(rc == 0 and asked == ["gil-pep-684"], f"quiz QUESTION-ID asks that question ({asked})")
    check("[1/1] gil-pep-684" in out, "and only that one")


def test_suggestions(e):
    r = e.run("learn", "gli")
    check(r.returncode == 2 and "did you mean 'gil'" in r.stderr, "learn gli suggests gil (a transposition)")
    r = e.run("quiz", "gli")
    check(r.returncode == 2 and "did you mean 'gil'" in r.stderr, "quiz gli suggests gil")
    r = e.run("quiz", "gil-what-and-wyh")
    check(r.returncode == 2 and "did you mean 'gil-what-and-why'" in r.stderr, "a misspelt question id gets the nearest")
    r = e.run("quiz", "gil-pep-684", "--tag", "release")
    check(r.returncode == 2, "--tag with a question id is refused")


def main():
    test_reveal_and_the_missed_list(Env())
    test_keys_name_reveal(Env())
    test_review_lists_missed(Env())
    test_interview_refuses_reveal(Env())
    test_interview_lists_missed(Env())
    test_missed(Env())
    test_nothing_missed(Env())
    test_tag(Env())
    test_question_id(Env())
    test_suggestions(Env())
    finish()


main()
