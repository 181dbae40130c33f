"""interview: a timed mock interview with --minutes 0.05 (3 s), a fixed
--seed and PYDOJO_NOW: it ends on time by itself, with a report that agrees
with what was answered and a saved session; the draw is reproducible and
keeps to --topics; no hints; quit ends it early; bad options. The
interviewer: at least half the questions explain-it (text), a follow-up on
a missed key point (once per point, none of a follow-up), a same-section
question when the point has none; a report with times, skips outside the
score and a study plan; an interview where nothing was answered is not
saved."""
import calendar
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
    rest, _ = d.read_until(r"^  due now: |^Nothing to report", limit=2000)
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
        if any(FU_HEADER.match(line) for line in lines):
            # the follow-up on the text answer missed: enough asked
            d.send("quit")
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
    rest, _ = d.read_until(r"^  due now: ", limit=2000)
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
    check(re.search(r"^ +1\. \S+ +skipped +\d+:\d\d$", out, re.M) is not None, "listed as skipped, with its time")
    skips = e.sql("select count(*) from reviews where answer is null")[0][0]
    check(skips == 0, "a skip records no review")
    check(text_missed is not None, f"a text question is drawn from gil (seed 4) among {asked}")
    if text_missed:
        q = e.questions[text_missed]
        check("\nMissed\n" in out and f"  {text_missed} (gil, text): wrong" in out and "    key points missed:" in out,
              "the key points missed are listed under the question missed")
        check("    model answer:" in out, "with the model answer")
        check(all(f"    {k}. {pt['point']}" in out for k, pt in enumerate(q["rubric"], 1)),
              "each missed point is named, numbered as the rubric numbers it")
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
    check("    1. apples are named\n      read: learn alpha the-point\n" in out,
          "the report names the section of a missed point")
    check("    2. bananas are named\n      read: learn beta first\n" in out,
          "the report names a section of another lesson")
    res = json.loads(e.sql("select results from sessions")[0][0])
    miss = res["missed"]
    check(len(miss) == 1 and miss[0]["points"] == ["apples are named", "bananas are named"]
          and miss[0].get("sections") == ["alpha/the-point", "beta/first"],
          f"session results: the missed points' sections beside them ({miss})")

# The interviewer's content: text questions whose key points carry a
# follow_up (or not, with another text question in the same section), the
# other types beside them, and demos over the topics.
FRUIT_LESSON = """id: {id}
title: Topic {id}
track: language
level: core
summary: A topic of the interviewer tests.
sections:
  - title: First things
    id: first
    body: Text.
  - title: The point
    id: the-point
    body: Text.
"""

FRUIT_QUIZZES = {"alpha": """topic: alpha
questions:
  - id: alpha-why
    type: text
    prompt: Why fruit?
    rubric:
      - point: apples are named
        pattern: apple
        section: the-point
        follow_up: And the red fruit that keeps doctors away?
      - point: bananas are named
        pattern: banana
        section: first
    model_answer: An apple and a banana.
  - id: alpha-more
    type: text
    prompt: Which fruit is dried?
    rubric:
      - point: figs are named
        pattern: fig
        section: first
        follow_up: Name a fruit often eaten dried.
    model_answer: A fig.
  - id: alpha-c1
    type: choice
    prompt: Pick bb.
    choices: [aa, bb]
    answer: 1
    explain: Bb is right.
  - id: alpha-o1
    type: output
    code: |
      print(1)
    answer: |
      1
""", "beta": """topic: beta
questions:
  - id: beta-why
    type: text
    prompt: Why beta?
    rubric:
      - point: grapes are named
        pattern: grape
        section: the-point
        follow_up: Which fruit grows in bunches?
    model_answer: Grapes.
  - id: beta-c1
    type: choice
    prompt: Pick aa.
    choices: [aa, bb]
    answer: 0
  - id: beta-m1
    type: multi
    prompt: Pick aa and bb.
    choices: [aa, bb, cc]
    answer: [0, 1]
"""}

FRUIT_DEMOS = "".join(f"""- id: {d}
  title: Demo {d}
  summary: Shows {", ".join(t)}.
  topics: [{", ".join(t)}]
  binary: demo-{d}
""" for d, t in [("one", ["alpha"]), ("two", ["alpha", "beta"]), ("three", ["beta"]), ("four", ["gamma"]),
                 ("five", ["beta"])])

FU_HEADER = re.compile(r"^\[follow-up · [^\]]*\] on (\S+) \((\S+), text\)$")


def fruit_content(tmp):
    root = os.path.join(tmp, "fruit")
    for d in ("lessons", "quizzes", "demos"):
        os.makedirs(os.path.join(root, d))
    for t in ("alpha", "beta", "gamma"):
        with open(os.path.join(root, "lessons", t + ".yaml"), "w", encoding="utf-8") as f:
            f.write(FRUIT_LESSON.format(id=t))
    for t, q in FRUIT_QUIZZES.items():
        with open(os.path.join(root, "quizzes", t + ".yaml"), "w", encoding="utf-8") as f:
            f.write(q)
    with open(os.path.join(root, "demos", "demos.yaml"), "w", encoding="utf-8") as f:
        f.write(FRUIT_DEMOS)
    return root


def fruit_interview(e, answers, *args, seed=7, now=None, after=()):
    """An interview on the fruit content answering with answers[qid] (lines;
    default skip; or a function of the question's lines, for shuffled
    choices), and each follow-up with answers['follow-up ' + qid]
    (default skip); quits once every question was asked, then sends the
    lines after, or after(output so far), at the prompt that follows the
    report. Returns (the
    questions and follow-ups in order, output, exit status)."""
    env = dict(e.env, PYDOJO_DATADIR=fruit_content(e.tmp) if not os.path.isdir(os.path.join(e.tmp, "fruit"))
               else os.path.join(e.tmp, "fruit"))
    if now:
        env["PYDOJO_NOW"] = now
    import subprocess
    p = subprocess.Popen(e.args("interview", "--minutes", "5", *args, seed=seed), stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True, bufsize=1)
    d = Driver(p)
    seen = []
    for _ in range(20):
        lines, last = d.read_until(ASK_END)
        if last is None or not last.endswith("for keys"):
            break
        heads = [(k, HEADER.match(x), FU_HEADER.match(x)) for k, x in enumerate(lines)]
        k, h, f = [x for x in heads if x[1] or x[2]][-1]
        key = h.group(4) if h else "follow-up " + f.group(1)
        seen.append(key)
        a = answers.get(key, ["skip"])
        d.send(*(a(lines) if callable(a) else a))
    d.read_until(r"^  due now: |^Nothing to report", limit=2000)
    if callable(after):
        after = after("\n".join(d.out))
    if after:
        d.send(*after)
    p.stdin.close()
    d.read_until(r"(?!)", limit=2000)
    rc = p.wait(timeout=60)
    return seen, "\n".join(d.out), rc


def test_text_weighting(e):
    # skip everything: the draw alone, over the shipped content
    for seed in (1, 2, 3, 5, 8, 13):
        r = e.run("interview", "--minutes", "5", input="skip\n" * 12 + "quit\n", seed=seed)
        ids = headers(r.stdout)
        types = [e.questions[q]["type"] for q in ids]
        check(len(ids) == 13, f"seed {seed}: thirteen questions drawn, the last one quit ({len(ids)})")
        check(all(2 * types[:n].count("text") >= n for n in range(1, len(types) + 1)),
              f"seed {seed}: at least half are text at every point ({types})")
        # At most one code exercise besides, when the content has a short one.
        others = {t for t in types if t not in ("text", "code")}
        check(others and others <= {"output", "choice", "multi"} and types.count("code") <= 1,
              f"seed {seed}: the rest mix output, choice and multi ({sorted(others)})")
        again = e.run("interview", "--minutes", "5", input="skip\n" * 12 + "quit\n", seed=seed)
        check(headers(again.stdout) == ids, f"seed {seed}: the draw is reproducible")


def test_nothing_answered(e):
    for what, inp in (("all skipped", "skip\nskip\nskip\nquit\n"), ("end of input at once", ""),
                      ("Ctrl-D after a skip", "skip\n")):
        r = e.run("interview", "--minutes", "5", input=inp)
        check(r.returncode == 0, f"{what}: exit 0")
        check("no question was answered, so the interview is not saved" in r.stdout, f"{what}: says it is not saved")
        check(e.sql("select count(*) from sessions")[0][0] == 0, f"{what}: no session row")
        check(e.sql("select count(*) from reviews")[0][0] == 0, f"{what}: no review")


def test_ctrl_c_then_end(e):
    # on a terminal: Ctrl-C abandons the first question, Ctrl-D ends it all
    from ptyrun import Pty
    env = dict(e.env, TERM="xterm", PAGER="cat")
    p = Pty(e.args("interview", "--minutes", "5"), env)
    try:
        p.prompt(r"answer> $")
        p.type("\x03")
        p.read_until(r"abandoned")
        p.prompt(r"answer> $")
        p.type("\x04")
        out = p.read_until(r"not saved")
        rc = p.wait()
    finally:
        p.close()
    check(rc == 0 and "Nothing to report" in out, f"Ctrl-C, then Ctrl-D: the report says nothing was answered ({rc})")
    check(e.sql("select count(*) from sessions")[0][0] == 0 and e.sql("select count(*) from reviews")[0][0] == 0,
          "Ctrl-C, then Ctrl-D: nothing saved")


def test_follow_up(e):
    answers = {"alpha-why": ["A banana.", "."], "follow-up alpha-why": ["No clue.", "."],
               "beta-why": ["Nothing comes to mind.", "."], "follow-up beta-why": ["Grapes!", "."],
               "alpha-more": ["Dates.", "."]}
    seen, out, rc = fruit_interview(e, answers)
    check(rc == 0, "the fruit interview runs")
    for q in ("alpha-why", "beta-why"):
        fu = "follow-up " + q
        check(q in seen and fu in seen and seen.index(fu) == seen.index(q) + 1,
              f"a missed point of {q} is followed up next ({seen})")
        check(seen.count("follow-up " + q) == 1, f"{q}: one follow-up")
    check("And the red fruit that keeps doctors away?" in out, "the follow-up asks the point's follow_up")
    check(re.search(r"^      follow-up on: apples are named — missed \d+:\d\d$", out, re.M) is not None,
          "the report shows the follow-up missed under its question")
    check(re.search(r"^      follow-up on: grapes are named — made \d+:\d\d$", out, re.M) is not None,
          "and one made")
    rows = [r[0] for r in e.sql("select question_id from reviews order by id")]
    answered = [q for q in seen if not q.startswith("follow-up ") and q in answers]
    check(rows == answered, f"a follow-up is not a review of its own ({rows})")
    res = json.loads(e.sql("select results from sessions")[0][0])
    fus = {(f["question"], f["point"], f["made"]) for f in res.get("follow_ups", [])}
    check({("alpha-why", "apples are named", False), ("beta-why", "grapes are named", True)} <= fus,
          f"session results: the follow-ups ({fus})")
    return seen, out


def test_plan_after_points_made_in_follow_ups(e):
    # beta-why misses its one point and the follow-up makes it: the answer
    # stays wrong, so the plan must not say every answer was right
    def letters(*texts):
        return lambda lines: [" ".join(m.group(1) for line in lines
                                       for m in [re.match(r"^    ([a-z])\) (\S+)$", line)] if m and m.group(2) in texts)]
    answers = {"beta-why": ["Nothing comes to mind.", "."], "follow-up beta-why": ["Grapes!", "."],
               "beta-c1": letters("aa"), "beta-m1": letters("aa", "bb")}
    seen, out, rc = fruit_interview(e, answers, "--topics", "beta")
    check(rc == 0 and "follow-up beta-why" in seen, f"the interview follows beta-why up ({seen})")
    report = out[out.index("Interview report"):]
    check("score: 2/3 (" in report, "beta-why is wrong, the other two right")
    check("every answer was right" not in report
          and "  nothing to read: the follow-ups made every key point the answers missed" in report,
          f"the plan says why there is nothing to read: {report[report.find('Study plan'):]!r}")
    check(re.search(r"^    key points missed:\n    1\. grapes are named \(made in the follow-up\)\n    model answer:$",
                    report, re.M) is not None,
          f"the missed list says the follow-up made the point, with nothing to read: {report!r}")


def test_contest_after_report(e):
    # alpha-why makes its first point only; after the report 'c Q N'
    # contests the second, once, and each bad contest says why in a line
    rows = {}

    def contests(out):
        for qid in ("alpha-why", "alpha-more", "alpha-c1"):
            m = re.search(rf"^ +(\d+)\. {qid} ", out, re.M)
            rows[qid] = m.group(1) if m else "0"
        return [x.format(q=rows["alpha-why"], s=rows["alpha-more"], c=rows["alpha-c1"])
                for x in ("c 99 1", "c {q} 1", "c {q} 7", "c {q}", "hello", "c {s} 1", "c {c} 1", "contest {q} 2",
                          "c {q} 2", "", "c {q} 2")]
    seen, out, rc = fruit_interview(e, {"alpha-why": ["An apple.", "."]}, "--topics", "alpha", after=contests)
    check(rc == 0 and "alpha-why" in seen, f"the interview asks alpha-why ({seen})")
    report = out[out.index("Interview report"):]
    m = re.search(r"^ +(\d+)\. alpha-why +wrong", report, re.M)
    check(m is not None, f"alpha-why is in the report, wrong: {report!r}")
    if not m:
        return
    q = m.group(1)
    check(re.search(r"^    key points missed:\n    2\. bananas are named\n", report, re.M) is not None,
          "the missed point carries its rubric number")
    check("'c Q N' contests point N of your answer to question Q" in report, "the report offers the contest")
    tail = report[report.index("'c Q N' contests"):]
    check("  no question 99: the report numbers them 1 to " in tail, "an unknown question: one line why")
    check(f"  key point 1 of question {q} was found; only a missed point can be contested (contestable: 2)" in tail,
          "a found point: one line why")
    check(f"  no key point 7: question {q} has 2 (contestable: 2)" in tail, "no such point: one line why")
    check(f"  question {rows['alpha-more']} was skipped: there is no answer to contest" in tail,
          f"a skipped question: one line why ({rows})")
    check(f"  question {rows['alpha-c1']} is not a text question: only the key points of a text answer can be "
          "contested" in tail, f"a choice question: one line why ({rows})")
    check(tail.count("  type 'c Q N' (question Q, its missed key point N), or Enter to end") == 2,
          "a missing number and a stray word: the usage")
    check(f"  contested {q}.2 (alpha-why): bananas are named\n  counted: 2/2 key points (2 needed), right;" in tail,
          f"the point is shown and counted: {tail!r}")
    check(f"  key point 2 of question {q} was contested already" in tail, "contested once only")
    check(len(re.findall(r"^  contested |contested already", tail, re.M)) == 2,
          "Enter ends the contest: the line after it is not read as one")
    rows = e.sql("select question_id, point_index, point, answer, session_id from disputes")
    sess = e.sql("select id from sessions where kind = 3")
    check(len(rows) == 1 and rows[0][:3] == ("alpha-why", 1, "bananas are named") and rows[0][3].strip() == "An apple."
          and [(rows[0][4],)] == sess, f"one dispute kept, with the answer and the interview's session ({rows})")
    rev = e.sql("select rating, correct from reviews where question_id = 'alpha-why'")
    check(rev == [(1, 0)], f"the interview's review stays as graded ({rev})")


def test_contest_lifts_fails_answer(e):
    # a fails_answer point whose reject fires fails an answer that makes
    # every key point; contesting that point after the report lifts the
    # failure, and the recount says right
    root = fruit_content(e.tmp)
    path = os.path.join(root, "quizzes", "alpha.yaml")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    old = "        pattern: banana\n        section: first\n"
    check(old in text, "the fruit quiz has its banana point")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(old, old + "        reject: cherr\n        fails_answer: true\n", 1))
    rows = {}

    def contests(out):
        m = re.search(r"^ +(\d+)\. alpha-why ", out, re.M)
        rows["q"] = m.group(1) if m else "0"
        return [f"c {rows['q']} 2", ""]
    seen, out, rc = fruit_interview(e, {"alpha-why": ["An apple, a banana and a cherry.", "."]}, "--topics", "alpha",
                                    after=contests)
    check(rc == 0 and "alpha-why" in seen, f"the interview asks alpha-why ({seen}): {rc}")
    report = out[out.index("Interview report"):] if "Interview report" in out else out
    check(re.search(r"^ +\d+\. alpha-why +wrong", report, re.M) is not None,
          f"every key point made, the fails_answer reject fails it: {report!r}")
    check(re.search(r"    key points missed:\n    2\. bananas are named \(your answer contradicts it, which fails the "
                    r"whole\s+answer\)\n", report) is not None,
          f"the report says why the point failed the answer: {report!r}")
    check(f"  contested {rows.get('q')}.2 (alpha-why): bananas are named\n"
          "  counted: 2/2 key points (2 needed), right;" in report,
          f"contesting the failing point lifts the failure: {report!r}")
    check(e.sql("select question_id, point_index from disputes") == [("alpha-why", 1)], "the dispute is kept")


def test_contest_at_a_terminal(e):
    # at a terminal: the contest prompt after the report takes 'c Q N',
    # and Ctrl-C there ends it (exit 0, the terminal as it was, the
    # dispute made before it kept)
    from ptyrun import Pty
    env = dict(e.env, TERM="xterm", PAGER="cat",
               PYDOJO_DATADIR=fruit_content(e.tmp) if not os.path.isdir(os.path.join(e.tmp, "fruit"))
               else os.path.join(e.tmp, "fruit"))
    p = Pty(e.args("interview", "--minutes", "5", "--topics", "alpha", seed=7), env)
    try:
        first = p.prompt(r"answer> $")
        p.type("An apple.\r")
        p.prompt(r"\.\.\. $")
        p.type(".\r")
        p.prompt(r"answer> $")
        p.type("quit\r")
        report = p.prompt(r"contest> $")
        p.type("c 1 2\r")
        said = p.prompt(r"contest> $")
        p.type("\x03")
        rc = p.wait()
        restored = p.modes_restored()
    finally:
        p.close()
    check("alpha-why" in first, f"alpha-why is asked first (seed 7): {first[-300:]!r}")
    check("'c Q N' contests point N" in report and "    2. bananas are named" in report,
          f"the report numbers the missed point and offers the contest: {report[-600:]!r}")
    check("contested 1.2 (alpha-why): bananas are named" in said, f"'c 1 2' contests it: {said!r}")
    check(rc == 0 and restored, f"Ctrl-C at the contest prompt ends it: exit {rc}, terminal restored {restored}")
    check(e.sql("select question_id, point_index from disputes") == [("alpha-why", 1)], "the dispute is kept")


def test_same_section(e):
    # a missed point with no follow_up: another text question of its
    # section, not asked yet, comes next; once answered, no follow-up of it
    for seed in range(1, 30):
        answers = {"alpha-why": ["An apple.", "."], "alpha-more": ["Dates.", "."]}
        e2 = Env()
        seen, out, rc = fruit_interview(e2, answers, "--topics", "alpha", seed=seed)
        if seen and seen.index("alpha-why") < seen.index("alpha-more"):
            break
    else:
        check(False, "some seed draws alpha-why before alpha-more")
        return
    check(seen[seen.index("alpha-why") + 1] == "alpha-more",
          f"a point without follow_up is probed by a question of its section ({seen})")
    check("follow-up alpha-more" not in seen, f"no follow-up of a follow-up ({seen})")
    check("too few explain-it questions" not in out, "half of alpha's questions are text: no note")
    check(re.search(r"^ +\d+\. alpha-more +wrong +\d+:\d\d\n      probes alpha-why: bananas are named$", out, re.M)
          is not None, "the report says what it probes")
    rows = [r[0] for r in e2.sql("select question_id from reviews order by id")]
    check("alpha-more" in rows, "that question is an ordinary one (recorded)")
    res = json.loads(e2.sql("select results from sessions")[0][0])
    q = [x for x in res["questions"] if x["question"] == "alpha-more"]
    check(q and q[0].get("probes") == {"question": "alpha-why", "point": "bananas are named"},
          f"session results: what it probes ({q})")


def test_text_short(e):
    # beta holds one text question of three: the third draw finds no text
    seen, out, rc = fruit_interview(e, {"beta-c1": ["a"]}, "--topics", "beta")
    check(sorted(seen) == ["beta-c1", "beta-m1", "beta-why"], f"beta's three questions asked ({seen})")
    check("(these topics had too few explain-it questions left for half of the questions to be one)" in out,
          "the report says when the pool had too few text questions")
    res = json.loads(e.sql("select results from sessions")[0][0])
    check(res.get("text_short") is True, "session results: text_short")
    t = res["topics"]["beta"]
    check(t.get("answered") == 1 and t.get("skipped") == 2 and t["asked"] == 3,
          f"session results: answered and skipped per topic ({t})")


def test_report_plan(e):
    # a first interview leaves cards; a day later they are due
    day1, day2 = "2025-03-03T09:00:00Z", "2025-03-04T09:00:00Z"
    fruit_interview(e, {"alpha-o1": ["2", "."], "beta-c1": ["a"]}, now=day1)
    answers = {"alpha-why": ["A banana.", "."], "follow-up alpha-why": ["No clue.", "."],
               "beta-why": ["Grapes.", "."], "alpha-c1": ["a"]}
    seen, out, rc = fruit_interview(e, answers, seed=11, now=day2)
    report = out[out.index("Interview report"):]
    nskip = len([q for q in seen if q not in answers and not q.startswith("follow-up ")])
    nans = len([q for q in seen if q in answers and not q.startswith("follow-up ")])
    check(nskip > 0 and f"{nans} questions answered, {nskip} skipped." in report,
          f"the report counts answers and skips apart ({nans}, {nskip})")
    res = json.loads(e.sql("select results from sessions order by id desc limit 1")[0][0])
    right = res["correct"]
    check(f"score: {right}/{nans} (" in report and "skipped questions not counted" in report,
          "skips are outside the score")
    check(res.get("answered") == nans and abs(res["score"] - right / nans) < 1e-3,
          "session results: answered, and the score over them")
    check(re.search(r"^By topic\n(  \S+ +\d+/\d+ +\d+%.*\n)+", report, re.M) is not None, "a score per topic")
    for q in seen:
        if not q.startswith("follow-up "):
            check(re.search(rf"^ +\d+\. {q} +(right|wrong|skipped) +\d+:\d\d$", report, re.M) is not None,
                  f"{q}: verdict and time")
    check("  alpha-c1 (alpha, choice): wrong" in report and "Bb is right." in report,
          "a missed question with its right answer and explanation")
    plan = report[report.index("Study plan"):]
    check("    learn alpha the-point" in plan, "the plan reads the section of the missed point")
    demos = re.findall(r"^    demo (\S+)$", plan, re.M)
    check(0 < len(demos) <= 3 and demos[0] == "two", f"at most three demos, the most relevant first ({demos})")
    check("four" not in demos, "not a demo of another topic")
    now2 = calendar.timegm(time.strptime(day2, "%Y-%m-%dT%H:%M:%SZ"))
    due = e.sql(f"select count(*) from cards where due <= {now2}")[0][0]
    m = re.search(r"^  due now: (\d+) cards?", plan, re.M)
    check(due > 0 and m is not None and int(m.group(1)) == due, f"the plan counts the cards due ({due}, {m and m.group(0)})")


# ---- the code exercise: over a pipe, on a copy of the example content ----

EXAMPLE = os.path.join(os.environ.get("PYDOJO_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", "..")),
                       "tests", "data", "exercise")
CODE_ID = "batches-chunks"
CHUNKS_WRONG = ("def chunks(iterable, n):\n    for i in range(0, len(iterable), n):\n"
                "        yield list(iterable[i:i + n])\n")
CHUNKS_RIGHT = ("from itertools import islice\n\n\ndef chunks(iterable, n):\n    it = iter(iterable)\n"
                "    while batch := list(islice(it, n)):\n        yield batch\n")


def exercise_content(tmp, solution_lines=0):
    """The example (one exercise, one true/false question) with three more
    true/false questions and the harness; the reference solution padded to
    solution_lines lines when asked."""
    import shutil
    root = os.path.join(tmp, "content")
    shutil.copytree(EXAMPLE, root)
    src = os.path.dirname(os.path.dirname(EXAMPLE.rstrip("/")))
    os.makedirs(os.path.join(root, "share"))
    shutil.copy(os.path.join(os.path.dirname(src), "share", "harness.py"), os.path.join(root, "share"))
    quiz = os.path.join(root, "quizzes", "batches.yaml")
    with open(quiz, encoding="utf-8") as f:
        text = f.read()
    if solution_lines:
        pad = "".join(f"      # line {i}\n" for i in range(solution_lines - 7))
        text = text.replace("              yield batch\n", "              yield batch\n" + pad, 1)
    for i in range(3):
        text += f"  - id: batches-tf{i}\n    type: truefalse\n    prompt: Statement {i}.\n    answer: true\n"
    with open(quiz, "w", encoding="utf-8") as f:
        f.write(text)
    return root


def interview_over_pipe(tmp, stdin, root=None, args=(), db="p.db", cargs=()):
    import subprocess
    env = dict(os.environ)
    for k in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        env[k] = os.path.join(tmp, k.lower())
        os.makedirs(env[k], exist_ok=True)
    env["PYDOJO_PYTHON"] = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
    if root:
        env["PYDOJO_DATADIR"] = root
    binary = os.environ.get("PYDOJO_BIN") or os.path.join(os.environ["PYDOJO_BUILD_ROOT"], "pydojo")
    p = subprocess.run([binary, "--db", os.path.join(tmp, db), *args, "interview", "--minutes", "10",
                        "--seed", "1", *cargs], input=stdin, capture_output=True, text=True, env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


def exercise_reviews(tmp, db="p.db"):
    import sqlite3
    con = sqlite3.connect(os.path.join(tmp, db))
    rows = con.execute("SELECT r.question_id, r.rating, r.correct, r.answer, r.session_id, s.kind FROM reviews r "
                       "JOIN sessions s ON s.id = r.session_id ORDER BY r.id").fetchall()
    con.close()
    return rows


def test_code_exercise():
    """An interview asks one short exercise of its topics once three
    questions are done, with its budget shown; the pasted code runs, is
    graded passed or failed, recorded as a review of the interview's
    session (again or good), and the report names the failing tests."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        root = exercise_content(tmp)
        rc, out, err = interview_over_pipe(tmp, "t\nt\nt\n" + CHUNKS_WRONG + ".\nt\n", root)
        heads = re.findall(r"^\[(\d+) · [^\]]*\] (\S+)", out, re.M)
        check(rc == 0 and len(heads) == 5, f"five asked: exit {rc}: {out} {err}")
        check([h[1] for h in heads].index(CODE_ID) == 3, f"the exercise comes fourth: {heads}")
        check("code exercise, budget 5:00]" in out and "def chunks(iterable, n):" in out, out)
        check(re.search(r"batches-chunks +failed +\d+:\d+\n +failing: works on an endless iterator\n", out),
              f"the report names the failing test: {out}")
        check("score: 3/5" in out, out)
        got = exercise_reviews(tmp)
        code = [r for r in got if r[0] == CODE_ID]
        check(len(got) == 5 and code and code[0][1:4] == (1, 0, CHUNKS_WRONG), f"recorded again, wrong: {got}")
        check(len({r[4] for r in got}) == 1 and code and code[0][5] == 3, f"in the interview's session: {got}")
        rc, out, err = interview_over_pipe(tmp, "t\nt\nt\n" + CHUNKS_RIGHT + ".\nt\n", root, db="q.db")
        check(rc == 0 and re.search(r"batches-chunks +passed", out) and "failing:" not in out,
              f"a right paste passes: {out} {err}")
        got = [r for r in exercise_reviews(tmp, "q.db") if r[0] == CODE_ID]
        check(got and got[0][1:3] == (3, 1), f"recorded good, right: {got}")
        # skip gives it up: counted, not recorded.
        rc, out, err = interview_over_pipe(tmp, "t\nt\nt\nskip\nt\n", root, db="s.db")
        check(rc == 0 and re.search(r"batches-chunks +skipped", out) and "running" not in out, out)
        check(all(r[0] != CODE_ID for r in exercise_reviews(tmp, "s.db")), "a skipped exercise is not recorded")


def test_code_exercise_not_asked():
    """No exercise when it is long (a solution of 15 lines), nor from a
    --content folder that is not trusted; one from a trusted folder."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        root = exercise_content(tmp, solution_lines=15)
        rc, out, err = interview_over_pipe(tmp, "t\n" * 6, root)
        check(rc == 0 and CODE_ID not in out and "4 questions answered" in out, f"a long one: {out} {err}")
    with tempfile.TemporaryDirectory() as tmp:
        root = exercise_content(tmp)
        args = ["--content", root]
        rc, out, err = interview_over_pipe(tmp, "t\n" * 6, args=args, cargs=["--topics", "batches"])
        check(rc == 0 and CODE_ID not in out and "4 questions answered" in out, f"untrusted: {out} {err}")
        trusted = os.path.join(tmp, "xdg_state_home", "pydojo", "trusted")
        os.makedirs(os.path.dirname(trusted), exist_ok=True)
        with open(trusted, "w", encoding="utf-8") as f:
            f.write(os.path.realpath(root) + "\n")
        rc, out, err = interview_over_pipe(tmp, "t\nt\nt\n" + CHUNKS_RIGHT + ".\nt\n",
                                           args=args, cargs=["--topics", "batches"],
                                           db="q.db")
        check(rc == 0 and re.search(r"batches-chunks +passed", out), f"trusted: {out} {err}")


def test_code_exercise_ctrl_c():
    """At a terminal, Ctrl-C while the code is pasted abandons the exercise,
    and Ctrl-C while its tests run stops them: nothing recorded, no Python
    left running, and the interview goes on to its next question."""
    import subprocess
    import tempfile
    from ptyrun import Pty
    for when in ("paste", "run"):
        with tempfile.TemporaryDirectory() as tmp:
            root = exercise_content(tmp)
            # A Python of a name of its own (in /tmp, which the exercise's
            # user can reach) finds what is left of this run only.
            python = f"/tmp/pydojo-test-python-{os.getpid()}-{when}"
            os.symlink("/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable, python)
            env = dict(os.environ, TERM="xterm", PAGER="cat", PYDOJO_DATADIR=root, PYDOJO_PYTHON=python)
            for k in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
                env[k] = os.path.join(tmp, k.lower())
                os.makedirs(env[k], exist_ok=True)
            binary = os.environ.get("PYDOJO_BIN") or os.path.join(os.environ["PYDOJO_BUILD_ROOT"], "pydojo")
            p = Pty([binary, "--db", os.path.join(tmp, "p.db"), "interview", "--minutes", "10", "--seed", "1"], env)
            try:
                for _ in range(3):
                    p.prompt(r"answer> $")
                    p.type("t\r")
                p.prompt(r"code> $")
                if when == "run":
                    p.type("def chunks(iterable, n):\r    while True:\r        pass\r.\r")
                    p.read_until(r"running \d+ tests")
                    time.sleep(0.5)
                    during = subprocess.run(["pgrep", "-f", python], capture_output=True, text=True).stdout
                    check(during.strip(), "the tests' Python is seen running before Ctrl-C")
                p.type("\x03")
                out = p.read_until(r"not run \(nothing recorded\)" if when == "run" else r"abandoned")
                p.prompt(r"answer> $")
                p.type("\x04")
                out += p.read_until(r"Report|report")
                rc = p.wait()
            finally:
                p.close()
                left = subprocess.run(["pgrep", "-f", python], capture_output=True, text=True).stdout.split()
                os.unlink(python)
            check(rc == 0, f"Ctrl-C during the {when}: the interview goes on and ends ({rc}): {out}")
            check(all(r[0] != CODE_ID for r in exercise_reviews(tmp)), f"Ctrl-C during the {when}: nothing recorded")
            check(not left, f"Ctrl-C during the {when}: no Python left running ({left})")


def main():
    test_code_exercise()
    test_code_exercise_ctrl_c()
    test_code_exercise_not_asked()
    e = Env()
    got = test_on_time(e)
    test_stats_sees_it(e, got)
    test_report_of_misses(Env())
    test_seeded_draw(Env(), Env())
    test_usage(Env())
    test_report_names_sections(Env())
    test_text_weighting(Env())
    test_nothing_answered(Env())
    test_ctrl_c_then_end(Env())
    test_follow_up(Env())
    test_plan_after_points_made_in_follow_ups(Env())
    test_contest_after_report(Env())
    test_contest_lifts_fails_answer(Env())
    test_contest_at_a_terminal(Env())
    test_same_section(Env())
    test_report_plan(Env())
    test_text_short(Env())
    finish()


main()
