"""`pydojo stats [--json]` over a database seeded with python's sqlite3:
seen/total per topic from the catalog, mean retrievability now, due today
and in the next 7 days, the 12-week heatmap, the last interviews; cards of
questions that left the content are kept but neither counted nor shown.

The schema is created by pydojo itself (a first `stats` on an empty
database); the test then writes rows into it, so a schema change that the
test does not follow fails here."""

import json
import math
import os
import sqlite3
import tempfile
from datetime import datetime, timedelta, timezone

from clitest import expect, run, run_tests
from progress_helpers import content_env, retrievability

NOW = datetime(2024, 3, 13, 15, 0, tzinfo=timezone.utc)   # a Wednesday
NOW_S = "2024-03-13T15:00:00Z"
DAY = 86400
LEARNING, REVIEW, RELEARNING = 1, 2, 3


def ts(t):
    return int(t.timestamp())


def stats(env, db, *args):
    rc, out, err = run(["--db", db, "stats", *args], env=env)
    expect(rc == 0, f"stats exited {rc}: {err}")
    return out


def card(con, qid, topic, state, step, s, d, due, last, reps=1, lapses=0):
    con.execute("INSERT INTO cards (question_id, topic, state, step, stability,"
                " difficulty, due, last_review, reps, lapses)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (qid, topic, state, step, s, d, ts(due), ts(last), reps, lapses))


def review(con, qid, topic, at, rating=3, session=None):
    con.execute("INSERT INTO reviews (question_id, topic, at, rating, correct,"
                " score, duration_ms, answer, session_id, was_new)"
                " VALUES (?, ?, ?, ?, ?, NULL, 1000, 'x', ?, 0)",
                (qid, topic, ts(at), rating, int(rating > 1), session))


def session(con, kind, started, ended, results, score):
    cur = con.execute("INSERT INTO sessions (kind, started, ended, results, score)"
                      " VALUES (?, ?, ?, ?, ?)",
                      (kind, ts(started), ts(ended) if ended else None,
                       json.dumps(results) if results is not None else None,
                       score))
    return cur.lastrowid


def seed(db):
    con = sqlite3.connect(db)
    # Overdue, last seen 5 days ago.
    card(con, "alpha-choice", "alpha", REVIEW, None, 10.0, 5.0,
         NOW - timedelta(hours=1), NOW - timedelta(days=5))
    # Due in 3 days: in the next 7 days, not today.
    card(con, "alpha-tf", "alpha", REVIEW, None, 3.0, 4.0,
         NOW + timedelta(days=3), NOW - timedelta(days=1, hours=2))
    # A learning step due later today.
    card(con, "beta-out", "beta", LEARNING, 1, 2.3065, 2.1,
         NOW + timedelta(minutes=5), NOW - timedelta(minutes=5))
    # Due tomorrow morning: next 7 days.
    card(con, "beta-order", "beta", RELEARNING, 0, 1.5, 7.0,
         datetime(2024, 3, 14, 0, 0, 30, tzinfo=timezone.utc),
         NOW - timedelta(days=2))
    # Due in 30 days: neither.
    card(con, "beta-multi", "beta", REVIEW, None, 40.0, 3.0,
         NOW + timedelta(days=30), NOW - timedelta(days=10))
    # A question that left the content: kept, not counted.
    card(con, "alpha-gone", "alpha", REVIEW, None, 1.0, 9.0,
         NOW - timedelta(days=1), NOW - timedelta(days=3))
    # Reviews: 3 today, 1 yesterday, 2 on the first heatmap day
    # (Monday 2023-12-25), 1 the day before the heatmap.
    for h in (1, 2, 3):
        review(con, "alpha-choice", "alpha", NOW - timedelta(hours=h))
    review(con, "beta-out", "beta", datetime(2024, 3, 12, 10, tzinfo=timezone.utc))
    for m in (30, 40):
        review(con, "beta-out", "beta",
               datetime(2023, 12, 25, 0, m, tzinfo=timezone.utc))
    review(con, "beta-out", "beta",
           datetime(2023, 12, 24, 23, 59, tzinfo=timezone.utc))
    review(con, "alpha-gone", "alpha", NOW - timedelta(minutes=30), 1)
    # Interviews: an older finished one, the latest, and a quiz session
    # that is not an interview.
    session(con, 3, NOW - timedelta(days=3), NOW - timedelta(days=3) + timedelta(minutes=20),
            {"asked": 4, "correct": 1, "score": 0.25, "seconds": 1200,
             "topics": {"alpha": {"asked": 4, "correct": 1, "score": 0.25}},
             "missed": []}, 0.25)
    session(con, 3, NOW - timedelta(hours=5), NOW - timedelta(hours=4),
            {"asked": 5, "correct": 3, "score": 0.6, "seconds": 600,
             "topics": {"alpha": {"asked": 2, "correct": 2, "score": 1.0},
                        "beta": {"asked": 3, "correct": 1, "score": 1 / 3}},
             "missed": [{"question": "beta-out", "points": ["x"]}]}, 0.6)
    session(con, 1, NOW - timedelta(hours=1), NOW, {"asked": 9}, 1.0)
    con.commit()
    con.close()


def fresh(tmp):
    env = content_env(tmp, NOW_S)
    db = os.path.join(tmp, "progress.db")
    stats(env, db)          # creates the schema
    return env, db


def test_empty_database():
    with tempfile.TemporaryDirectory() as tmp:
        env, db = fresh(tmp)
        j = json.loads(stats(env, db, "--json"))
        expect(j["now"] == NOW_S, j["now"])
        expect([t["topic"] for t in j["topics"]] == ["alpha", "beta"], j)
        for t in j["topics"]:
            expect(t["seen"] == 0 and t["total"] == 3 and t["new"] == 3, t)
            expect(t["retrievability"] is None, t)
            expect(t["due_today"] == 0 and t["due_next_7_days"] == 0, t)
        expect(j["total"]["total"] == 6 and j["reviews"] == 0, j)
        expect(j["heatmap"]["days"] == [0] * 84, j["heatmap"])
        expect(j["interviews"] == [], j)
        text = stats(env, db)
        expect("none yet" in text, text)


def test_seeded_json():
    with tempfile.TemporaryDirectory() as tmp:
        env, db = fresh(tmp)
        seed(db)
        j = json.loads(stats(env, db, "--json"))
        alpha, beta = j["topics"]
        expect(alpha["topic"] == "alpha" and beta["topic"] == "beta", j)
        # alpha-gone is in the database but not counted anywhere.
        expect(alpha["seen"] == 2 and alpha["total"] == 3 and alpha["new"] == 1, alpha)
        expect(beta["seen"] == 3 and beta["total"] == 3 and beta["new"] == 0, beta)
        expect(alpha["due_today"] == 1 and alpha["due_next_7_days"] == 1, alpha)
        expect(beta["due_today"] == 1 and beta["due_next_7_days"] == 1, beta)
        tot = j["total"]
        expect(tot["seen"] == 5 and tot["total"] == 6 and tot["due_today"] == 2
               and tot["due_next_7_days"] == 2, tot)
        # Mean retrievability now, whole days since the last review.
        ra = (retrievability(5, 10.0) + retrievability(1, 3.0)) / 2
        rb = (retrievability(0, 2.3065) + retrievability(2, 1.5)
              + retrievability(10, 40.0)) / 3
        expect(math.isclose(alpha["retrievability"], ra, rel_tol=1e-9),
               f"{alpha['retrievability']} != {ra}")
        expect(math.isclose(beta["retrievability"], rb, rel_tol=1e-9),
               f"{beta['retrievability']} != {rb}")
        expect(math.isclose(tot["retrievability"], (2 * ra + 3 * rb) / 5,
                            rel_tol=1e-9), tot)
        # The heatmap: Monday 2023-12-25 to the Sunday after today.
        h = j["heatmap"]
        expect(h["start"] == "2023-12-25" and h["today"] == 79, h)
        days = h["days"]
        expect(len(days) == 84, len(days))
        # Today's count holds the review of the departed question too: the
        # heatmap is the history of the work done.
        expect(days[79] == 4 and days[78] == 1 and days[0] == 2, days)
        expect(sum(days) == 7 and all(d == 0 for d in days[80:]), days)
        expect(j["reviews"] == 8, j["reviews"])
        # Interviews, latest first; the quiz session is not one.
        iv = j["interviews"]
        expect(len(iv) == 2, iv)
        expect(iv[0]["score"] == 0.6 and iv[0]["asked"] == 5
               and iv[0]["correct"] == 3, iv[0])
        expect(iv[0]["started"] == "2024-03-13T10:00:00Z"
               and iv[0]["ended"] == "2024-03-13T11:00:00Z", iv[0])
        expect(iv[0]["topics"]["beta"]["asked"] == 3
               and iv[0]["topics"]["alpha"]["score"] == 1.0, iv[0])
        expect(iv[1]["score"] == 0.25 and list(iv[1]["topics"]) == ["alpha"], iv[1])


def test_seeded_text():
    with tempfile.TemporaryDirectory() as tmp:
        env, db = fresh(tmp)
        seed(db)
        out = stats(env, db)
        lines = out.splitlines()
        row = {l.split()[0]: l.split() for l in lines if l.split()
               and l.split()[0] in ("alpha", "beta", "total")}
        expect(row["alpha"][1] == "2/3" and row["beta"][1] == "3/3"
               and row["total"][1] == "5/6", row)
        expect(row["alpha"][4:] == ["1", "1"], row["alpha"])
        expect("alpha-gone" not in out, out)
        # Seven weekday rows of twelve week columns, days after today blank.
        start = next(i for i, l in enumerate(lines) if l.startswith("Reviews, last 12 weeks"))
        grid = lines[start + 1:start + 8]
        expect([g.split()[0] for g in grid] ==
               ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], grid)
        cells = [g[6:] for g in grid]
        expect(all(len(c) == 12 for c in cells), cells)
        expect(cells[2][11] == "█", f"today (Wednesday) is not the busiest: {cells}")
        expect(cells[0][0] != "·" and cells[1][11] != "·", cells)
        expect(cells[3][11] == " " and cells[6][11] == " ", cells)
        expect(cells[4][5] == "·", cells)
        legend = lines[start + 8]
        expect("none" in legend and "█" in legend and "4" in legend, legend)
        expect(any("score 60% (3/5)" in l and "beta 1/3" in l for l in lines), out)
        expect(any("score 25% (1/4)" in l for l in lines), out)


def test_unfinished_and_odd_results():
    """An interview still running, one whose results are not JSON, and one
    without results: shown, not fatal."""
    with tempfile.TemporaryDirectory() as tmp:
        env, db = fresh(tmp)
        con = sqlite3.connect(db)
        session(con, 3, NOW - timedelta(hours=3), None, None, None)
        con.execute("INSERT INTO sessions (kind, started, ended, results, score)"
                    " VALUES (3, ?, ?, '{not json', 0.5)",
                    (ts(NOW - timedelta(hours=2)), ts(NOW - timedelta(hours=1))))
        con.commit()
        con.close()
        j = json.loads(stats(env, db, "--json"))
        iv = j["interviews"]
        expect(len(iv) == 2, iv)
        expect(iv[0]["score"] == 0.5 and iv[0]["asked"] is None, iv[0])
        expect(iv[1]["ended"] is None and iv[1]["score"] is None, iv[1])
        out = stats(env, db)
        expect("not finished" in out and "score 50%" in out, out)


def test_time_zone_days():
    """Calendar days are local: at 15:00 UTC it is already the 14th in
    Auckland, so the reviews of the 13th (UTC) count for 'yesterday' or
    'today' depending on their local time."""
    with tempfile.TemporaryDirectory() as tmp:
        env, db = fresh(tmp)
        seed(db)
        env["TZ"] = "Pacific/Auckland"
        expect(os.path.exists("/usr/share/zoneinfo/Pacific/Auckland"),
               "no zoneinfo for Pacific/Auckland: install Debian's 'tzdata' (.ci/setup does)")
        j = json.loads(stats(env, db, "--json"))
        # 2024-03-14 04:00 NZDT is a Thursday.
        h = j["heatmap"]
        expect(h["today"] == 80 and h["start"] == "2023-12-25", h)
        # The three reviews at 12:00-14:00 UTC are 01:00-03:00 on the 14th.
        expect(h["days"][80] >= 3, h["days"][76:])


def test_topics_due_is_due_now():
    """topics counts the cards due now (what review asks), stats those due
    today: beta's learning step, due in five minutes, is in stats' figure
    only, and topics says which it counts."""
    with tempfile.TemporaryDirectory() as tmp:
        env, db = fresh(tmp)
        seed(db)
        j = json.loads(stats(env, db, "--json"))
        expect(j["topics"][1]["due_today"] == 1, j["topics"][1])
        rc, out, err = run(["--db", db, "topics"], env=env)
        expect(rc == 0, f"topics exited {rc}: {err}")
        rows = {l.split()[0]: l for l in out.splitlines() if l.startswith("  ")}
        expect("1 due" in rows["alpha"] and "due" not in rows["beta"], rows)
        text = " ".join(out.split())
        expect("Due: the cards due now, which 'review' asks ('stats' also counts those due later today)"
               in text, out)


def test_interview_skips_are_not_scored():
    """An interview's score is right of answered (its report's figure): a
    skip is asked, not scored, and stats and the HTML report say so rather
    than show 100% beside 1/3."""
    with tempfile.TemporaryDirectory() as tmp:
        env, db = fresh(tmp)
        con = sqlite3.connect(db)
        session(con, 3, NOW - timedelta(hours=1), NOW - timedelta(minutes=50),
                {"asked": 3, "correct": 1, "score": 1.0, "answered": 1, "skipped": 2,
                 "topics": {"alpha": {"asked": 3, "correct": 1, "score": 1.0, "answered": 1, "skipped": 2}},
                 "missed": []}, 1.0)
        con.commit()
        con.close()
        out = stats(env, db)
        expect("score 100% (1/1, 2 skipped)  alpha 1/1" in out, out)
        iv = json.loads(stats(env, db, "--json"))["interviews"][0]
        expect(iv["asked"] == 3 and iv["answered"] == 1 and iv["correct"] == 1, iv)
        expect(iv["topics"]["alpha"] == {"asked": 3, "correct": 1, "answered": 1, "score": 1}, iv)
        rc, page, err = run(["--db", db, "report", "--html", "-"], env=env)
        expect(rc == 0 and "score 100% (1 of 1 answered right, 2 skipped)" in page
               and "By topic: alpha 1/1" in page, f"{rc} {err}")


def test_one_review_a_day_legend():
    """With at most one review a day the legend reads '1 review a day'."""
    with tempfile.TemporaryDirectory() as tmp:
        env, db = fresh(tmp)
        con = sqlite3.connect(db)
        card(con, "alpha-choice", "alpha", REVIEW, None, 10.0, 5.0, NOW + timedelta(days=9), NOW - timedelta(hours=1))
        review(con, "alpha-choice", "alpha", NOW - timedelta(hours=1))
        con.commit()
        con.close()
        out = " ".join(stats(env, db).split())
        expect("░ 1 review a day; a column is a week" in out, out)


def test_bad_usage_and_clock():
    with tempfile.TemporaryDirectory() as tmp:
        env, db = fresh(tmp)
        rc, out, err = run(["--db", db, "stats", "--nope"], env=env)
        expect(rc == 2 and "--nope" in err, f"{rc} {err!r}")
        rc, out, err = run(["--db", db, "stats", "extra"], env=env)
        expect(rc == 2 and "usage" in err, f"{rc} {err!r}")
        env["PYDOJO_NOW"] = "yesterday"
        rc, out, err = run(["--db", db, "stats"], env=env)
        expect(rc == 2 and "PYDOJO_NOW" in err and out == "", f"{rc} {err!r}")
        expect(len(err.splitlines()) == 1, err)


if __name__ == "__main__":
    run_tests(globals())
