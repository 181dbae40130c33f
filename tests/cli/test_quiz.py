"""quiz over a pipe and over a pseudo-terminal: right and wrong answers
(derived from the quiz YAML), malformed answers re-prompted, hint, skip,
undo, quit, kill -9 mid-session, stats --json agreeing, Ctrl-C and Ctrl-D
on a terminal."""
import json
import os
import pty
import re
import select
import subprocess
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sessionlib import Env, Driver, check, finish, headers, right_answer, sectioned_content, wrong_answer, HEADER  # noqa: E402

ASK_END = r"for keys$|^score: |^no answers recorded"


def next_question(d):
    """Reads to the next question; returns (id, block) or (None, block)."""
    lines, last = d.read_until(ASK_END)
    if last is None or not last.endswith("for keys"):
        return None, "\n".join(lines)
    start = max(i for i, line in enumerate(lines) if HEADER.match(line))
    return HEADER.match(lines[start]).group(4), "\n".join(lines[start:])


def test_right_and_wrong(e):
    p = e.popen("quiz", "gil", "-n", "6")
    d = Driver(p)
    asked, verdicts, reasons = [], [], 0
    for i in range(6):
        qid, block = next_question(d)
        if not qid:
            break
        q = e.questions[qid]
        asked.append(qid)
        # a malformed answer first, where the type has such a thing
        if q["type"] in ("choice", "multi"):
            d.send("zz")
            reasons += 1
        elif q["type"] == "truefalse":
            d.send("maybe")
            reasons += 1
        elif q["type"] == "order":
            d.send("1 1")
            reasons += 1
        right = i % 2 == 0
        d.send(*(right_answer(q, block) if right else wrong_answer(q, block)))
        d.send("")  # Enter takes the suggested rating
        verdicts.append(right)
    p.stdin.close()
    out = p.stdout.read()
    d.out.extend(out.splitlines())
    rc = p.wait(timeout=60)
    text = "\n".join(d.out)
    check(rc == 0, "quiz exits 0")
    check(len(asked) == 6 and len(set(asked)) == 6, f"six different questions asked ({len(asked)})")
    check(all(e.questions[q]["topic"] == "gil" for q in asked), "every question is of the topic")
    nright = text.count("✓ right")
    check(nright == 3, f"three graded right ({nright})")
    check(text.count("✗ wrong") == 3, "three graded wrong")
    check(f"score: 3/6 right (50%)" in text, "the score line")
    refused = len(re.findall(r"^  ('.*' is not|'.*' is out of range|no answer|1 is given twice|missing)", text, re.M))
    check(refused == reasons, f"every malformed answer re-prompted with a reason ({refused}/{reasons})")
    check("1 again  2 hard  3 good  4 easy" in text, "the rating prompt")
    rows = e.sql("select question_id, correct, rating from reviews order by id")
    check([r[0] for r in rows] == asked, "one review row per answer, in order")
    check([bool(r[1]) for r in rows] == verdicts, "the correct column matches")
    check(all((r[2] == 3) == v and (r[2] == 1) == (not v) for r, v in zip(rows, verdicts)),
          "suggested ratings: right -> good, wrong -> again")
    sess = e.sql("select kind, results, score from sessions")
    check(len(sess) == 1 and sess[0][0] == 1, "one quiz session saved")
    res = json.loads(sess[0][1])
    check(res["asked"] == 6 and res["correct"] == 3 and abs(res["score"] - 0.5) < 1e-9,
          "session results: asked, correct, score")
    check(res["topics"] == {"gil": {"asked": 6, "correct": 3, "score": 0.5}}, "session results per topic")
    check(len(res["missed"]) == 3, "three missed questions in the results")
    return asked, verdicts


def test_stats_agree(e, asked):
    r = e.run("stats", "--json")
    check(r.returncode == 0, f"stats --json runs ({r.stderr.strip()})")
    st = json.loads(r.stdout)
    gil = [t for t in st["topics"] if t["topic"] == "gil"]
    check(len(gil) == 1 and gil[0]["seen"] == len(set(asked)), "stats: seen cards of gil match the answers")
    others = sum(t["seen"] for t in st["topics"] if t["topic"] != "gil")
    check(others == 0, "stats: no other topic seen")
    check(st["reviews"] == len(asked), "stats: review count matches")


def test_hint_skip_undo_quit(e):
    # a topic with hints on many questions; draw until one has a hint
    p = e.popen("quiz", "threads", "-n", "8", seed=11)
    d = Driver(p)
    steps = []
    hinted = skipped = undone_q = None
    first_right = None
    for _ in range(8):
        qid, block = next_question(d)
        if not qid:
            break
        q = e.questions[qid]
        if hinted is None and q.get("hint"):
            d.send("hint")
            lines, _ = d.read_until(r"^  hint")
            d.send(*right_answer(q, block))
            lines, _ = d.read_until(r"Enter: ")
            check(any("Enter: 2 hard" in line for line in lines), "right after a hint suggests hard")
            d.send("")
            hinted = qid
            steps.append(("hint", qid))
            continue
        if skipped is None:
            d.send("?")
            lines, _ = d.read_until(r"Ctrl-D")
            check(any(line.strip().startswith("undo") for line in lines), "? lists the keys")
            d.send("skip")
            skipped = qid
            steps.append(("skip", qid))
            continue
        if first_right is None:
            d.send(*right_answer(q, block))
            d.send("")
            first_right = (qid, block)
            steps.append(("right", qid))
            continue
        if undone_q is None:
            d.send("undo")
            lines, _ = d.read_until(r"took back|nothing to undo")
            check(any("took back your answer to " + first_right[0] in line for line in lines),
                  "undo takes back the last rating")
            qid2, block2 = next_question(d)
            check(qid2 == first_right[0], "the undone question is asked again")
            d.send(*wrong_answer(e.questions[qid2], block2))
            d.send("1")
            undone_q = qid2
            steps.append(("undo-wrong", qid2))
            continue
        d.send("quit")
        steps.append(("quit", qid))
        break
    lines, last = d.read_until(r"^score: |^no answers")
    p.stdin.close()
    rc = p.wait(timeout=60)
    check(rc == 0, "quit: exit 0")
    check(last is not None and last.startswith("score: 1/2"), f"quit ends with the score line ({last})")
    check(", 1 skipped" in (last or ""), "the skip is counted")
    rows = e.sql("select question_id, correct, rating, answer from reviews order by id")
    ids = [r[0] for r in rows]
    check(hinted in ids and skipped not in ids, "the hinted answer is kept, the skipped one not recorded")
    check(ids.count(undone_q) == 1, "the undone review left the log; its replacement is there")
    mine = [r for r in rows if r[0] == undone_q][0]
    check(mine[1] == 0 and mine[2] == 1, "the replacement is the wrong answer rated again")
    hint_row = [r for r in rows if r[0] == hinted][0]
    check(hint_row[2] == 2, "the hinted answer was rated hard")
    card = e.sql(f"select reps from cards where question_id = '{undone_q}'")
    check(card == [(1,)], "the undone card has one review, not two")


def test_kill9(e):
    p = e.popen("quiz", "decorators", "-n", "6", seed=5)
    d = Driver(p)
    answered = []
    for i in range(3):
        qid, block = next_question(d)
        q = e.questions[qid]
        d.send(*right_answer(q, block))
        d.send("")
        answered.append(qid)
    qid, block = next_question(d)  # the fourth is on screen, in hand
    check(qid is not None, "a fourth question is asked")
    d.send("a")  # half an answer: no rating yet
    time.sleep(0.2)
    p.kill()
    p.wait(timeout=30)
    rows = e.sql("select question_id, answer from reviews where question_id in (%s)"
                 % ",".join("'%s'" % a for a in answered))
    check(sorted(r[0] for r in rows) == sorted(answered), "kill -9: every answer already given is in the database")
    check(all(r[1] for r in rows), "kill -9: with its answer text")
    check(not e.sql(f"select 1 from reviews where question_id = '{qid}'"), "the question in hand is not recorded")
    r = e.run("quiz", "decorators", "-n", "1", input="quit\n")
    check(r.returncode == 0, "the database still opens after the kill")


def test_usage(e):
    r = e.run("quiz")
    check(r.returncode == 2 and "usage: quiz TOPIC" in r.stderr, "quiz without a topic: usage, exit 2")
    r = e.run("quiz", "threds")
    check(r.returncode == 2 and "did you mean 'threads'" in r.stderr, "a misspelt topic: a suggestion, exit 2")
    r = e.run("quiz", "gil", "-n", "0")
    check(r.returncode == 2 and "-n" in r.stderr, "-n 0 is refused")
    r = e.run("quiz", "gil", "--bogus")
    check(r.returncode == 2, "an unknown option is refused")
    r = e.run("quiz", "gil", extra_env={"PYDOJO_NOW": "yesterday"})
    check(r.returncode == 2 and "PYDOJO_NOW" in r.stderr, "a bad PYDOJO_NOW: exit 2")
    r = e.run("quiz", "gil", "-n", "2", input="")
    check(r.returncode == 0 and "no answers recorded" in r.stdout, "end of input at once ends the session")


def read_pty(fd, want, timeout=60):
    buf = b""
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            if re.search(want, buf.decode("utf-8", "replace")):
                return buf.decode("utf-8", "replace")
    return buf.decode("utf-8", "replace")


def wait_editing(fd, timeout=30):
    """Waits until line editing has the terminal (canonical mode off). A
    byte typed before that is the terminal's own: a ^C flushes the line,
    a ^D is lost in the switch."""
    end = time.time() + timeout
    while termios.tcgetattr(fd)[3] & termios.ICANON and time.time() < end:
        time.sleep(0.01)


def type_at_prompt(fd, data):
    wait_editing(fd)
    os.write(fd, data)


def test_pty(e):
    pid, fd = pty.fork()
    if pid == 0:
        env = dict(e.env, TERM="dumb", NO_COLOR="1")
        os.execve(e.args("quiz", "gil", "-n", "3", seed=2)[0], e.args("quiz", "gil", "-n", "3", seed=2), env)
    before = termios.tcgetattr(fd)
    # Type only once the prompt is up: line editing takes over the terminal
    # before it shows the prompt.
    out = read_pty(fd, r"for keys[\s\S]*answer> ")
    m = [HEADER.match(line.strip("\r")) for line in out.splitlines()]
    ids = [x.group(4) for x in m if x]
    check(len(ids) == 1, "pty: the first question is shown")
    q = e.questions[ids[0]] if ids else None
    out5 = out
    if q:
        lines = right_answer(q, out.replace("\r", ""))
        for k, line in enumerate(lines):
            type_at_prompt(fd, line.encode() + b"\r")
            if k + 1 < len(lines):
                read_pty(fd, r"\.\.\. $")
        out2 = read_pty(fd, r"rating> ")
        check("✓ right" in out2, "pty: a right answer is graded right")
        type_at_prompt(fd, b"\r")
        out3 = read_pty(fd, r"for keys[\s\S]*answer> ")
        check("next review in" in out3, "pty: the rating is recorded")
        type_at_prompt(fd, b"\x03")  # Ctrl-C at the second question
        out4 = read_pty(fd, r"abandoned[\s\S]*answer> ")
        check("abandoned" in out4, "pty: Ctrl-C abandons the question in hand")
        # Ctrl-D ends the session.
        type_at_prompt(fd, b"\x04")
        out5 = read_pty(fd, r"score: ")
        check("score: 1/1 right" in out5, "pty: Ctrl-D ends the session with the score")
    status = None
    end = time.time() + 60
    while time.time() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        read_pty(fd, r"$^", timeout=0.2)  # keep the pty drained
        status = None
    if status is None:
        os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
        print("pydojo did not end; its last output:\n" + out5[-600:])
    check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, "pty: exit 0")
    # The master side keeps the terminal's modes after the child has gone.
    after = termios.tcgetattr(fd)
    check(after[3] == before[3] and after[0] == before[0], "pty: terminal modes restored")
    os.close(fd)


def test_an_answer_over_the_cap_is_refused_and_asked_again(e):
    root = sectioned_content(e.tmp)
    big = ("word " * 4000) + "\n"   # 20,000 bytes: over the 16 KiB cap
    r = e.run("--content", root, "quiz", "alpha", input=big + ".\nOnly a cherry.\n.\n\n")
    check(r.returncode == 0, f"quiz runs ({r.stderr.strip()})")
    check("an answer is at most 16 KiB (this one is 20 KiB): shorten it" in r.stdout,
          "an answer over 16 KiB is refused with its size")
    check("key points" in r.stdout, "the next answer is graded")


def test_missed_points_say_where_to_read(e):
    root = sectioned_content(e.tmp)
    r = e.run("--content", root, "quiz", "alpha", input="Only a cherry.\n.\n\n")
    check(r.returncode == 0, f"quiz on sectioned content runs ({r.stderr.strip()})")
    lines = r.stdout.splitlines()
    # Each point line starts with the number `c N` contests.
    at = {re.sub(r"^\s*\d+\s+", "", l): i for i, l in enumerate(lines)}
    apple, banana = at.get("✗ missed apples are named"), at.get("✗ missed bananas are named")
    check(apple is not None and lines[apple + 1] == "             read: learn alpha the-point",
          "a missed point names its section in the quiz's own lesson")
    check(banana is not None and lines[banana + 1] == "             read: learn beta first",
          "a missed point names its section in another lesson (TOPIC/ID)")
    during, _, after = r.stdout.partition("\nMissed\n")
    check(during.count("read: learn") == 2, "no read line for a found point or one without a section")
    check(after.count("read: learn") == 2, "the list of missed questions repeats where to read")


def test_the_right_order_is_numbered_as_shown(e):
    # Each item of the right order keeps the number it was shown with, so
    # the list reads as the sequence of numbers above it.
    for seed in ("1", "2", "3"):
        r = e.run("--seed", seed, "quiz", "gil-io-thread-order", input="1 2 3 4 5\n\n")
        check(r.returncode == 0, f"an order question runs ({r.stderr.strip()})")
        during = r.stdout.partition("\nMissed\n")[0]
        shown = dict(re.findall(r"^    (\d)\. (.+)$", during.partition("answer with")[0], re.M))
        m = re.search(r"the right order is ([\d ]+):\n((?:    \d\. .+\n)+)", during)
        if m is None:
            check(False, f"the right order is shown after a wrong answer: {during!r}")
            continue
        listed = re.findall(r"^    (\d)\. (.+)$", m.group(2), re.M)
        check([n for n, _ in listed] == m.group(1).split(), f"the list follows the sequence ({m.group(0)!r})")
        check(all(shown.get(n) == text for n, text in listed),
              f"each item keeps its shown number ({shown} against {listed})")


def main():
    e = Env()
    asked, _ = test_right_and_wrong(e)
    test_stats_agree(e, asked)
    e2 = Env()
    test_hint_skip_undo_quit(e2)
    e3 = Env()
    test_kill9(e3)
    test_usage(e3)
    e4 = Env()
    test_pty(e4)
    test_missed_points_say_where_to_read(Env())
    test_an_answer_over_the_cap_is_refused_and_asked_again(Env())
    test_the_right_order_is_numbered_as_shown(Env())
    finish()


main()
