"""interview: a timed mock interview with --minutes 0.05 (3 s), a fixed
--seed and PYDOJO_NOW: it ends on time by itself, with a report that agrees
with what was answered and a saved session; the draw is reproducible and
keeps to --topics; no hints; quit ends it early; bad options."""
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sessionlib import Env, Driver, check, finish, headers, right_answer, sectioned_content, HEADER  # noqa: E402

ASK_END = r"for keys$|^Interview report"


def test_on_time(e):
    p = e.popen("interview", "--minutes", "0.05", "--seed", "3")
    start = time.monotonic()
    d = Driver(p)
    answered = []
    while len(answered) < 2:
        lines, last = d.read_until(ASK_END)
        if last is None or not last.endswith("for keys"):
            break
        i = max(k for k, line in enumerate(lines) if HEADER.match(line))
        qid = HEADER.match(lines[i]).group(4)
        d.send(*right_answer(e.questions[qid], "\n".join(lines[i:])))
        answered.append(qid)
    # then say nothing: the clock must end it, with stdin still open
    rest, _ = d.read_until(r"^Every answer was right|^Study next|^Nothing to report", limit=2000)
    rc = p.wait(timeout=60)
    elapsed = time.monotonic() - start
    p.stdin.close()
    out = "\n".join(d.out)
    check(rc == 0, "interview exits 0")
    check("Mock interview: 0:03 on the clock" in out, "the clock is announced")
    check(re.search(r"^\[1 · 0:0[0-3] left\]", out, re.M) is not None, "each question shows the time left")
    check("Time's up after" in out, "it ends on time by itself")
    check(elapsed < 50, "and soon")
    got = out.count("answered in ")
    check(got <= len(answered), "every question answered in time is counted")
    check(f"{got} question{'s' if got != 1 else ''} answered" in out, "the report counts the answers")
    if got:
        check(f"score: {got}/{got} (100%)" in out, "the report's score")
        check("By topic" in out and "Questions" in out, "per-topic scores and time per question")
        for qid in answered[:got]:
            check(re.search(rf"^\s+\d+\. {re.escape(qid)}\s+right\s+\d+:\d\d$", out, re.M) is not None,
                  f"{qid} is listed right with its time")
    rows = e.sql("select question_id, rating, correct, session_id from reviews order by id")
    check([r[0] for r in rows] == answered[:got], "one review per answer")
    check(all(r[1] == 3 and r[2] == 1 for r in rows), "ratings derived: right -> good")
    sess = e.sql("select kind, results, ended from sessions")
    check(len(sess) == 1 and sess[0][0] == 3 and sess[0][2] is not None, "saved as an interview session")
    res = json.loads(sess[0][1])
    check(res["asked"] == got and res["correct"] == got, "session results: asked and correct")
    check(set(res["topics"]) == {e.questions[q]["topic"] for q in answered[:got]}, "session results: topics")
    check(res["ended"] == "time" and res["missed"] == [], "session results: ended on time, nothing missed")
    return got


def test_report_of_misses(e):
    # a text question answered badly, then a skip, then quit
    p = e.popen("interview", "--minutes", "10", "--topics", "gil", "--seed", "4")
    d = Driver(p)
    asked = []
    text_missed = None
    for _ in range(25):
        lines, last = d.read_until(ASK_END)
        if last is None or not last.endswith("for keys"):
            break
        i = max(k for k, line in enumerate(lines) if HEADER.match(line))
        qid = HEADER.match(lines[i]).group(4)
        asked.append(qid)
        q = e.questions[qid]
        if len(asked) == 1:
            d.send("skip")
        elif q["type"] == "text" and text_missed is None:
            d.send("hint")
            hl, _ = d.read_until(r"no hints")
            d.send("It is complicated.", ".")
            text_missed = qid
        elif text_missed:
            d.send("quit")
            break
        else:
            d.send("skip")
    rest, _ = d.read_until(r"^Study next|^Every answer", limit=2000)
    d.read_until(r"^$", limit=200)
    p.stdin.close()
    rc = p.wait(timeout=60)
    out = "\n".join(d.out)
    check(rc == 0, "quit: exit 0")
    check(all(e.questions[q]["topic"] == "gil" for q in asked), "--topics keeps the draw to gil")
    check(len(set(asked)) == len(asked), "no question is drawn twice")
    check("no hints in an interview" in out, "no hints in an interview")
    check("Ended after" in out, "quit ends the interview early")
    check("skipped" in out, "a skip shows in the report")
    check(text_missed is not None, f"a text question is drawn from gil (seed 4) among {asked}")
    if text_missed:
        q = e.questions[text_missed]
        check("\nMissed\n" in out and f"  {text_missed} (gil, text): wrong" in out and "    key points missed:" in out,
              "the key points missed are listed under the question missed")
        check("    model answer:" in out, "with the model answer")
        check(all(f"    - {pt['point']}" in out for pt in q["rubric"]), "each missed point is named")
        check("learn gil" in out, "and the lesson to study next")
        res = json.loads(e.sql("select results from sessions")[0][0])
        miss = [m for m in res["missed"] if m["question"] == text_missed]
        check(len(miss) == 1 and len(miss[0]["points"]) == len(q["rubric"]), "session results: missed points")


def test_seeded_draw(e1, e2):
    a = e1.run("interview", "--minutes", "5", "--seed", "42", input="skip\nskip\nskip\nquit\n")
    b = e2.run("interview", "--minutes", "5", "--seed", "42", input="skip\nskip\nskip\nquit\n")
    ha, hb = headers(a.stdout), headers(b.stdout)
    check(len(ha) == 4 and ha == hb, f"the same seed draws the same questions ({ha})")
    topics = {e1.questions[q]["topic"] for q in ha}
    check(len(topics) >= 2, "questions are drawn across topics")


def test_usage(e):
    for args, want in [
        (["--minutes", "0"], "--minutes"),
        (["--minutes", "abc"], "--minutes"),
        (["--minutes", "601"], "--minutes"),
        (["--topics", "nope"], "unknown topic 'nope'"),
        (["--topics", ","], "--topics"),
        (["--seed", "-1"], "--seed"),
        (["--bogus"], "unknown option"),
        (["--minutes"], "needs a value"),
    ]:
        r = e.run("interview", *args, input="")
        check(r.returncode == 2 and want in r.stderr, f"interview {' '.join(args)}: exit 2 ({r.stderr.strip()})")


def test_stats_sees_it(e, got):
    r = e.run("stats", "--json")
    check(r.returncode == 0, f"stats --json runs ({r.stderr.strip()})")
    st = json.loads(r.stdout)
    iv = st.get("interviews", [])
    check(len(iv) == 1 and iv[0].get("asked") == got, f"stats --json lists the interview ({iv})")


def test_report_names_sections(e):
    root = sectioned_content(e.tmp)
    r = e.run("--content", root, "interview", "--topics", "alpha", "--minutes", "10", input="Only a cherry.\n.\n")
    check(r.returncode == 0, f"interview on sectioned content runs ({r.stderr.strip()})")
    out = r.stdout
    check("    - apples are named\n      read: learn alpha the-point\n" in out,
          "the report names the section of a missed point")
    check("    - bananas are named\n      read: learn beta first\n" in out,
          "the report names a section of another lesson")
    res = json.loads(e.sql("select results from sessions")[0][0])
    miss = res["missed"]
    check(len(miss) == 1 and miss[0]["points"] == ["apples are named", "bananas are named"]
          and miss[0].get("sections") == ["alpha/the-point", "beta/first"],
          f"session results: the missed points' sections beside them ({miss})")


def main():
    e = Env()
    got = test_on_time(e)
    test_stats_sees_it(e, got)
    test_report_of_misses(Env())
    test_seeded_draw(Env(), Env())
    test_usage(Env())
    test_report_names_sections(Env())
    finish()


main()
