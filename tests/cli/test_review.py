"""review: new cards up to the daily limit, learning steps asked again in
the same session (PYDOJO_NOW is fixed, so a 1- or 10-minute step comes back
through the learn-ahead window, as in Anki), scheduling across days,
"nothing due", questions that left the content, and settings."""
import os
import re
import shutil
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sessionlib  # noqa: E402
from sessionlib import Env, check, finish, headers, sectioned_content  # noqa: E402

T0 = "2025-03-03T09:00:00Z"
T30 = "2025-04-02T09:00:00Z"   # 30 days on


def drive(e, plan, *cmd, now=T0, seed=7):
    """sessionlib.drive at this file's start time, n counting each question's own askings."""
    return sessionlib.drive(e, plan, *cmd, now=now, seed=seed, per_question=True, limit=40)


def test_new_and_learning_steps(e):
    asked, out, rc = drive(e, lambda q, n: "right", "review", "--new-limit", "2")
    check(rc == 0, "review exits 0")
    check(len(asked) == 4 and asked[0] != asked[1] and asked[2:] == asked[:2],
          f"two new cards, each asked again at its 10-minute step ({asked})")
    check("Review: 2 cards to go" in out, "the count of cards to go")
    check(out.count("good: asked again later in this review (its step is 10m") == 1
          and out.count("good: asked again soon in this review (its step is 10m") == 1,
          "the first Good schedules the 10-minute step, asked again later, then at once (nothing else left)")
    check("[question 1 · 1 more]" in out and "[question 2 · 0 more, 1 to ask again]" in out
          and "[question 3 · 0 more, 1 to ask again]" in out,
          "the counter says the question's number, the cards still queued and those to ask again")
    check("nothing due — next card due in" in out, "the session ends saying when the next card is due")
    rows = e.sql("select question_id, state, reps from cards order by question_id")
    check(sorted(r[0] for r in rows) == sorted(set(asked)) and all(r[1] == 2 and r[2] == 2 for r in rows),
          "both cards graduated to Review after two reviews")
    r = e.run("review", "--new-limit", "2", now=T0)
    check(r.returncode == 0 and r.stdout.startswith("nothing due — next card due in"),
          f"the same day: nothing due ({r.stdout.strip()})")
    check("today's 2 new cards are done" in r.stdout, "and today's new cards are done")
    return asked[:2]


def test_due_later(e, cards):
    a, b = cards
    plan = lambda q, n: "wrong" if q == a and n == 0 else "right"  # noqa: E731
    asked, out, rc = drive(e, plan, "review", "--new-limit", "0", now=T30)
    check(rc == 0, "review 30 days on exits 0")
    check(sorted(asked[:2]) == sorted([a, b]), f"both cards are due 30 days on ({asked})")
    check(asked.count(a) == 2 and asked[-1] == a, "a lapsed card is asked again at its relearning step")
    check("again: asked again" in out and "(its step is 10m" in out,
          "Again on a Review card: the 10-minute relearning step, in this review")
    rows = dict((r[0], r[1:]) for r in e.sql("select question_id, state, lapses, reps from cards"))
    check(rows[a] == (2, 1, 4) and rows[b] == (2, 0, 3), f"card states, lapses and reps ({rows})")
    r = e.run("review", "--new-limit", "0", now=T30)
    check(r.stdout.startswith("nothing due"), "afterwards nothing is due")


def test_again_in_learning(e):
    plan = lambda q, n: "wrong" if n == 0 else "right"  # noqa: E731
    asked, out, rc = drive(e, plan, "review", "--new-limit", "1", now=T0, seed=3)
    check(len(asked) == 3 and len(set(asked)) == 1, f"Again, then Good, then Good: asked three times ({asked})")
    check("again: asked again soon in this review (its step is 1m" in out,
          "Again on a new card: the 1-minute step, asked again at once")


def test_left_the_content(e):
    # answer one question, then remove it from a copy of the content
    asked, _, _ = drive(e, lambda q, n: "right", "review", "--new-limit", "1", now=T0, seed=5)
    gone = asked[0]
    topic = e.questions[gone]["topic"]
    root = os.path.join(e.tmp, "content-changed")
    shutil.copytree(e.root, root)
    path = os.path.join(root, "quizzes", topic + ".yaml")
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    doc["questions"] = [q for q in doc["questions"] if q["id"] != gone]
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(doc, f, sort_keys=False, allow_unicode=True, width=1000)
    e.env["PYDOJO_DATADIR"] = root
    r = e.run("review", "--new-limit", "0", now=T30)
    check(r.returncode == 0 and r.stdout.startswith("nothing due"),
          f"a due card whose question left the content is not shown ({r.stdout[:60]!r})")
    check(e.sql(f"select count(*) from cards where question_id = '{gone}'") == [(1,)],
          "its card is kept in the database")
    e.env["PYDOJO_DATADIR"] = e.root
    r = e.run("review", "--new-limit", "0", now=T30, input="quit\n")
    check(gone in headers(r.stdout), "with the question back, the card is due again")


def test_settings(e):
    cfg = os.path.join(e.tmp, "config", "pydojo")
    os.makedirs(cfg, exist_ok=True)
    path = os.path.join(cfg, "config.yaml")
    with open(path, "w") as f:
        f.write("# mine\nnew_cards_per_day: 1\ndesired_retention: 0.85\ninterview_minutes: 0.5\nfuzz: false\n")
    r = e.run("review", input="quit\n", now=T0)
    check(r.returncode == 0 and "Review: 1 card to go" in r.stdout, "new_cards_per_day from the settings")
    r = e.run("review", "--new-limit", "3", input="quit\n", now=T0)
    check("Review: 3 cards to go" in r.stdout, "--new-limit overrides the settings")
    bad = [
        ("new_cards_per_day: lots\n", "config.yaml:1:20: error: 'new_cards_per_day'"),
        ("fuzz: true\nretention: 0.9\n", "config.yaml:2:1: error: unknown key 'retention'"),
        ("desired_retention: 0.5\n", "config.yaml:1:20: error: 'desired_retention' must be a number from 0.7"),
        ("interview_minutes: 0\n", "config.yaml:1:20: error: 'interview_minutes'"),
        ("new_cards_per_day: 1001\n", "config.yaml:1:20: error: 'new_cards_per_day'"),
        ("- a\n- b\n", "config.yaml:1:1: error: settings must be a mapping"),
        ("fuzz: [\n", "config.yaml:"),
    ]
    # A fault in the settings is a warning at its line; the session runs
    # with the defaults for what is at fault (10 new cards a day).
    for text, want in bad:
        with open(path, "w") as f:
            f.write(text)
        r = e.run("review", input="quit\n", now=T0)
        want = want.replace(" error:", "")
        warned = [l for l in r.stderr.splitlines() if l.startswith("pydojo: warning: ")]
        check(r.returncode == 0 and len(warned) == 1 and want in warned[0]
              and "Review: 10 cards to go" in r.stdout,
              f"bad settings {text.strip()!r}: a warning {want!r}, then the defaults ({r.stderr.strip()})")
    with open(path, "w") as f:
        f.write("interview_minutes: 0.05\n")
    r = e.run("interview", input="quit\n", now=T0)
    check(r.returncode == 0 and "Mock interview: 0:03 on the clock" in r.stdout,
          "interview_minutes from the settings")
    os.remove(path)
    r = e.run("review", "--new-limit", "x")
    check(r.returncode == 2 and "--new-limit" in r.stderr, "a bad --new-limit: exit 2")
    r = e.run("review", "extra")
    check(r.returncode == 2 and "usage: review" in r.stderr, "an extra argument: usage, exit 2")


def test_topics_and_banner(e, cards):
    r = e.run("topics", "--json", now=T30)
    import json
    topics = {t["id"]: t for t in json.loads(r.stdout)}
    seen = sum(t["seen"] for t in topics.values())
    due = sum(t["due"] for t in topics.values())
    check(r.returncode == 0 and seen >= 2, f"topics --json: seen cards ({seen})")
    check(all(0 <= t["mastery"] <= 1 for t in topics.values()), "topics --json: mastery within 0..1")
    r = e.run("topics", now=T0)
    check(r.returncode == 0 and "%" in r.stdout, "topics shows mastery")


def repl_banner(e, now):
    """The REPL's opening lines on a terminal."""
    import pty
    import select
    import time
    env = dict(e.env, PYDOJO_NOW=now, TERM="dumb")
    args = e.args()
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(args[0], args, env)
    buf = b""
    end = time.time() + 60
    while time.time() < end and b"pydojo> " not in buf:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                buf += os.read(fd, 4096)
            except OSError:
                break
    # Type once line editing has the terminal (canonical mode off).
    import termios
    while termios.tcgetattr(fd)[3] & termios.ICANON and time.time() < end:
        time.sleep(0.01)
    os.write(fd, b"quit\r")
    for _ in range(300):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.1)
        try:
            if select.select([fd], [], [], 0)[0]:
                os.read(fd, 4096)
        except OSError:
            pass
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    os.close(fd)
    return buf.decode("utf-8", "replace")


def test_banner(e):
    out = repl_banner(e, T30)
    check("2 cards are due: type 'review'." in out, f"the banner counts the due cards ({out[-120:]!r})")
    fresh = Env()
    out = repl_banner(fresh, T0)
    check(re.search(r"No cards yet: 'learn [a-z-]+', then 'quiz [a-z-]+'\.", out) is not None,
          "on a fresh database the banner says where to start")
    check(not os.path.exists(fresh.db), "the banner does not create the database")


def test_missed_points_say_where_to_read(e):
    # the only content is the sectioned folder, so review asks its one question
    root = sectioned_content(e.tmp)
    r = e.run("review", input="Only a cherry.\n.\n\n", extra_env={"PYDOJO_DATADIR": root})
    check(r.returncode == 0 and "alpha-why" in r.stdout, f"review on sectioned content runs ({r.stderr.strip()})")
    check("✗ missed apples are named\n             read: learn alpha the-point\n" in r.stdout
          and "✗ missed bananas are named\n             read: learn beta first\n" in r.stdout,
          "review feedback names the section of each missed point")


def main():
    e = Env()
    cards = test_new_and_learning_steps(e)
    test_banner(e)
    test_due_later(e, cards)
    test_topics_and_banner(e, cards)
    test_again_in_learning(Env())
    test_left_the_content(Env())
    test_settings(Env())
    test_missed_points_say_where_to_read(Env())
    finish()


main()
