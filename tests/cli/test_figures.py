"""stats and topics name the same figure the same way: after a quiz with
wrong answers, a topic's mastery in `topics` equals its mastery in
`stats` (text and --json), and `stats` shows the share of answers right
(not a recall of 100% right after failures); `help stats` says what each
figure means."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sessionlib  # noqa: E402
from sessionlib import Env, check, finish  # noqa: E402

NOW = "2025-03-03T09:00:00Z"


def topic_row(out, topic):
    for line in out.splitlines():
        f = line.split()
        if f and f[0] == topic:
            return f
    return None


def test_mixed_quiz(e):
    topic = sorted({q["topic"] for q in e.questions.values()})[0]
    plan = lambda q, n: "wrong" if n < 3 else "right"  # noqa: E731
    asked, out, rc = sessionlib.drive(e, plan, "quiz", topic, "-n", "5", now=NOW)
    check(rc == 0 and len(asked) == 5, f"the quiz ran ({rc}, {asked})")
    r = e.run("stats", "--json", now=NOW)
    check(r.returncode == 0, r.stderr)
    st = json.loads(r.stdout)
    t = next(x for x in st["topics"] if x["topic"] == topic)
    check(t["reviews_30_days"] == 5 and t["right_30_days"] == 2, f"five answers, two right ({t})")
    check(abs(t["right"] - 0.4) < 1e-9, t)
    # The old key keeps its meaning: the mean recall now of the seen cards,
    # 100% right after answering, right or wrong.
    check(t["retrievability"] > 0.99, t)
    r = e.run("topics", "--json", now=NOW)
    tp = next(x for x in json.loads(r.stdout) if x["id"] == topic)
    check(abs(tp["mastery"] - t["mastery"]) < 1e-4, f"one mastery figure: topics {tp['mastery']}, stats {t['mastery']}")
    check(t["mastery"] < 0.99, f"mastery counts the unseen questions ({t})")
    text = e.run("stats", now=NOW).stdout
    head = text.splitlines()[0].split()
    check(head[:4] == ["topic", "seen", "mastery", "right"], f"the columns say what they are ({head})")
    row = topic_row(text, topic)
    pct = f"{100 * tp['mastery']:.0f}%"
    check(row[2] == pct and row[3] == "40%", f"stats shows mastery {pct} and 40% right ({row})")
    trow = topic_row(e.run("topics", now=NOW).stdout, topic)
    check(pct in trow, f"topics shows the same mastery {pct} ({trow})")
    check("mastery:" in text and "right:" in text, "stats says what its figures mean")


def test_help_stats(e):
    r = e.run("help", "stats")
    check(r.returncode == 0, r.stderr)
    out = re.sub(r"\s+", " ", r.stdout)
    check("mastery: the mean chance" in out and "right: the share of your answers of the last 30 days" in out,
          f"help stats defines the figures ({r.stdout})")
    r = e.run("help", "topics")
    check("mastery: the mean chance" in re.sub(r"\s+", " ", r.stdout), "and so does help topics")


if __name__ == "__main__":
    e = Env()
    test_mixed_quiz(e)
    test_help_stats(e)
    finish()
