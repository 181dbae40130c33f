"""`pydojo report --html FILE`: one self-contained page (a CSP of
default-src 'none', no script, no URL), every text escaped, the file
written atomically; then the page in headless Chromium: no console message
(errors, CSP violations), every chart has a size once laid out (a copy of
the page with a measuring script, --dump-dom), and a screenshot.

Chromium (Debian's `chromium`) is installed by .ci/test, which sets
PYDOJO_NEED_CHROMIUM=1: then, or under CI, a missing browser fails the
test; elsewhere the browser part exits 77 (skip) after the other parts ran.
"""

import html.parser
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone

from clitest import Failure, expect, run
from progress_helpers import content_env

NOW = datetime(2024, 3, 13, 15, 0, tzinfo=timezone.utc)   # a Wednesday
NOW_S = "2024-03-13T15:00:00Z"
REVIEW = 2

# A topic whose texts try to break out of the page.
HOSTILE = "<script>alert('x')</script> & \"quotes\"\x01\x1b[31m\x7f\u0085end"
GAMMA_LESSON = """\
id: gamma
title: "Gamma <i>lesson</i>"
track: three
level: core
summary: The gamma topic.
sections:
  - id: the-section
    title: "Section <b>bold</b> & 'quoted'"
    body: Some text.
"""
GAMMA_QUIZ = """\
topic: gamma
questions:
  - id: gamma-text
    type: text
    prompt: "Why? <script>alert('x')</script> & \\"quotes\\" end"
    rubric:
      - point: "names <the> point"
        pattern: 'point'
        section: the-section
    model_answer: the point
"""


def ts(t):
    return int(t.timestamp())


def make_env(tmp):
    env = content_env(tmp, NOW_S)
    root = env["PYDOJO_DATADIR"]
    with open(os.path.join(root, "lessons", "gamma.yaml"), "w") as f:
        f.write(GAMMA_LESSON)
    with open(os.path.join(root, "quizzes", "gamma.yaml"), "w") as f:
        f.write(GAMMA_QUIZ)
    return env


def report(env, db, out, expect_rc=0):
    rc, so, se = run(["--db", db, "report", "--html", out], env=env)
    expect(rc == expect_rc, f"report exited {rc}, not {expect_rc}: {se}")
    return so, se


def seed(db):
    con = sqlite3.connect(db)
    cards = [("alpha-choice", "alpha", 10.0, 5), ("alpha-tf", "alpha", 3.0, 1),
             ("beta-out", "beta", 40.0, 10), ("gamma-text", "gamma", 2.0, 2)]
    for qid, topic, s, back in cards:
        last = NOW - timedelta(days=back)
        con.execute("INSERT INTO cards (question_id, topic, state, step, stability, difficulty,"
                    " due, last_review, reps, lapses) VALUES (?, ?, ?, NULL, ?, 5.0, ?, ?, 1, 0)",
                    (qid, topic, REVIEW, s, ts(last + timedelta(days=s)), ts(last)))
    # Reviews over the year: 300 days back (in the heatmap), 400 (before it), today.
    for back, n in ((0, 3), (1, 1), (300, 2), (400, 5)):
        for k in range(n):
            con.execute("INSERT INTO reviews (question_id, topic, at, rating, correct, score,"
                        " duration_ms, answer, session_id, was_new) VALUES"
                        " ('alpha-tf', 'alpha', ?, 3, 1, NULL, 1000, 'x', NULL, 0)",
                        (ts(NOW - timedelta(days=back, minutes=k + 1)),))
    results = {"asked": 3, "correct": 1, "score": 1 / 3, "seconds": 300,
               "topics": {"alpha": {"asked": 1, "correct": 1, "score": 1.0},
                          "gamma": {"asked": 2, "correct": 0, "score": 0.0}},
               "missed": [{"question": "gamma-text", "points": ["names <the> point " + HOSTILE],
                           "sections": ["gamma/the-section"]},
                          {"question": "gone-question", "points": [], "sections": []}],
               "questions": [{"question": "alpha-tf", "topic": "alpha", "correct": True,
                              "skipped": False, "seconds": 3.0},
                             {"question": "gamma-text", "topic": "gamma", "correct": False,
                              "skipped": False, "seconds": 20.0},
                             {"question": "gone-question", "topic": "gamma", "correct": False,
                              "skipped": True, "seconds": 1.0}],
               "skipped": 1, "ended": "done"}
    con.execute("INSERT INTO sessions (kind, started, ended, results, score) VALUES (3, ?, ?, ?, ?)",
                (ts(NOW - timedelta(hours=2)), ts(NOW - timedelta(hours=1)), json.dumps(results), 1 / 3))
    con.commit()
    con.close()


class Tree(html.parser.HTMLParser):
    """Checks that elements nest and close; collects text and tags."""
    VOID = {"meta", "br", "img", "hr", "input", "link", "rect", "line", "circle", "polyline"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.tags, self.text, self.errors = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.VOID and (not self.stack or self.stack[-1] != tag):
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(page):
    t = Tree()
    t.feed(page)
    t.close()
    expect(not t.errors and not t.stack, f"badly nested page: {t.errors[:3]} open {t.stack}")
    return t


def check_self_contained(page):
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    expect(csp and csp.group(1) == "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
           f"no or wrong CSP meta: {csp and csp.group(1)}")
    expect(page.index("Content-Security-Policy") < page.index("<style>"), "the CSP comes after the style")
    expect(not re.search(r"https?://", page), "a URL in the page")
    expect("<script" not in page.lower(), "a script in the page")
    expect(not re.search(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]", page), "a control character in the page")


def test_usage_and_errors():
    with tempfile.TemporaryDirectory() as tmp:
        env = make_env(tmp)
        db = os.path.join(tmp, "p.db")
        rc, so, se = run(["--db", db, "report"], env=env)
        expect(rc == 2 and "usage: report --html FILE" in se, (rc, se))
        folder = os.path.join(tmp, "dir")
        os.mkdir(folder)
        so, se = report(env, db, folder, 3)
        expect(se == f"error: cannot write '{folder}': it is a folder\n", se)
        expect(os.listdir(folder) == [], "something written into the folder")
        so, se = report(env, db, os.path.join(tmp, "missing", "r.html"), 3)
        expect(se.count("\n") == 1 and se.startswith("error: cannot write"), se)
        # A parent that is a file: no temporary file left behind either.
        blocker = os.path.join(tmp, "file")
        open(blocker, "w").close()
        so, se = report(env, db, os.path.join(blocker, "r.html"), 3)
        expect(se.count("\n") == 1, se)


def test_help_and_completion():
    rc, so, se = run(["help", "report"])
    expect(rc == 0 and so.startswith("usage: report --html FILE\n"), (rc, so, se))
    rc, so, se = run(["__complete", "report", "--"])
    expect(rc == 0 and "--html" in so.split(), so)
    rc, so, se = run(["__complete", "report", "--html", "doc/pydojo."])
    expect(rc == 0 and ":files" in so.split(), so)


def test_atomic_replace():
    with tempfile.TemporaryDirectory() as tmp:
        env = make_env(tmp)
        db = os.path.join(tmp, "p.db")
        out = os.path.join(tmp, "out", "r.html")
        os.mkdir(os.path.dirname(out))
        with open(out, "w") as f:
            f.write("old")
        ino = os.stat(out).st_ino
        so, se = report(env, db, out)
        expect(so == "" and se == "", (so, se))
        with open(out) as f:
            expect(f.read().startswith("<!DOCTYPE html>"), "not replaced")
        expect(os.stat(out).st_ino != ino, "written in place, not renamed over")
        expect(os.listdir(os.path.dirname(out)) == ["r.html"], os.listdir(os.path.dirname(out)))
        expect(os.stat(out).st_mode & 0o777 == 0o666 & ~current_umask(), oct(os.stat(out).st_mode))
        rc, so, se = run(["--db", db, "report", "--html", "-"], env=env)
        expect(rc == 0 and so.startswith("<!DOCTYPE html>"), (rc, se))


def current_umask():
    m = os.umask(0)
    os.umask(m)
    return m


def test_empty_database():
    with tempfile.TemporaryDirectory() as tmp:
        env = make_env(tmp)
        db = os.path.join(tmp, "p.db")
        out = os.path.join(tmp, "r.html")
        report(env, db, out)
        with open(out, encoding="utf-8") as f:
            page = f.read()
        check_self_contained(page)
        t = parse(page)
        text = "".join(t.text)
        for want in ("No interviews yet", "No reviews yet", "nothing to forecast", "No cards due today",
                     "Nothing to read yet"):
            expect(want in text, f"no '{want}' in the empty page")
        expect(sum(1 for tag, _ in t.tags if tag == "svg") == 3, "not three charts")


def seeded_page(tmp):
    env = make_env(tmp)
    db = os.path.join(tmp, "p.db")
    report(env, db, os.path.join(tmp, "empty.html"))   # creates the schema
    seed(db)
    out = os.path.join(tmp, "r.html")
    report(env, db, out)
    with open(out, encoding="utf-8") as f:
        return out, f.read()


def test_seeded_page():
    with tempfile.TemporaryDirectory() as tmp:
        out, page = seeded_page(tmp)
        check_self_contained(page)
        t = parse(page)
        text = "".join(t.text)
        # The hostile prompt and point: escaped, controls dropped.
        expect("Why? &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot; end" in page,
               "the hostile prompt is not escaped as expected")
        expect("names &lt;the&gt; point &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;"
               "[31mend" in page, "the missed point is not escaped, or its controls kept")
        expect("Section &lt;b&gt;bold&lt;/b&gt; &amp; &#39;quoted&#39;" in page, "section title not escaped")
        expect("question 'gone-question' is no longer in the content" in text, "gone question")
        # Interview, verdicts, plan.
        expect("score 33% (1 of 3 right)" in text, "interview heading")
        expect(re.search(r'class="ok"><span class="verdict">right', page), "right verdict")
        expect(re.search(r'class="skipped"><span class="verdict">skipped', page), "skipped verdict")
        expect("learn gamma the-section" in text, "the plan does not send to the missed point's section")
        expect("Review the 1 card due today" in text, "due count")
        # Heatmap: a square per day of 53 weeks up to today, with titles.
        days = re.findall(r'<rect class="h(\d)"[^>]*><title>(\d{4}-\d\d-\d\d): (\d+) reviews?</title>', page)
        expect(len(days) == 52 * 7 + 3, f"{len(days)} days")
        expect(days[0][1] == "2023-03-13" and days[-1][1] == "2024-03-13", (days[0], days[-1]))
        byday = {d: (int(lvl), int(n)) for lvl, d, n in days}
        # Shades as stats has them: 1 + (n - 1) * 4 // busiest day.
        expect(byday["2024-03-13"] == (3, 3), byday["2024-03-13"])
        expect(byday[(NOW - timedelta(days=300)).strftime("%Y-%m-%d")] == (2, 2), "300 days back")
        expect("6 reviews from 2023-03-13 to 2024-03-13" in text, "heatmap total")
        expect("(shade 1: 1, shade 2: 2, shade 3: 3 a day)" in text, "heatmap legend")
        expect("(learn gamma the-section)" in text, "a missed point's section")
        expect(byday["2024-03-11"] == (0, 0), "an empty day")
        months = re.findall(r'<text x="\d+" y="11">(\w{3})</text>', page)
        expect(len(months) >= 11 and len(set(months)) == len(months), months)
        # Forecast: 31 points, falling.
        pts = [float(v) for v in re.findall(r"<title>day \d+: ([\d.]+)%</title>", page)]
        expect(len(pts) == 31 and all(a >= b for a, b in zip(pts, pts[1:])) and pts[0] > pts[-1] > 0, pts)
        expect(re.search(r'<td>gamma</td><td>1/1</td>', page), "mastery table")


def interview(db, results, hours_back=2):
    con = sqlite3.connect(db)
    con.execute("INSERT INTO sessions (kind, started, ended, results, score) VALUES (3, ?, ?, ?, NULL)",
                (ts(NOW - timedelta(hours=hours_back)), ts(NOW - timedelta(hours=hours_back - 1)),
                 json.dumps(results)))
    con.commit()
    con.close()


def plan_text(env, db, tmp):
    out = os.path.join(tmp, "r.html")
    report(env, db, out)
    with open(out, encoding="utf-8") as f:
        page = f.read()
    m = re.search(r'<section id="plan">(.*?)</section>', page, re.S)
    expect(m, "no plan section")
    return "".join(parse(m.group(1)).text)


def test_plan():
    with tempfile.TemporaryDirectory() as tmp:
        # The shipped content: the last interview's missed sections, their demos.
        env = content_env(tmp, NOW_S)
        env.pop("PYDOJO_DATADIR")
        db = os.path.join(tmp, "p.db")
        report(env, db, os.path.join(tmp, "r.html"))
        interview(db, {"missed": [{"question": "x", "points": ["a", "b", "c"],
                                   "sections": ["gil/release-on-io", None, "gil/release-on-io"]},
                                  {"question": "y", "points": ["d"], "sections": ["nosuch/topic"]}]}, 30)
        interview(db, {"missed": [{"question": "z", "points": ["a"], "sections": ["gil/switching"]}]})
        text = plan_text(env, db, tmp)
        expect("learn gil switching When the GIL changes hands" in text, text)
        expect("release-on-io" not in text, "an older interview's section in the plan")
        expect(text.count("demo ") == 3 and "demo gil The GIL, simulated" in text, text)
        # A point a follow-up then made is no longer missed: not in the plan,
        # and the interview says it was made.
        interview(db, {"questions": [{"question": "gil-why-threads-help-io", "topic": "gil", "correct": False}],
                       "missed": [{"question": "gil-why-threads-help-io", "points": ["p1", "p2"],
                                   "sections": ["gil/switching", "gil/release-on-io"]}],
                       "follow_ups": [{"question": "gil-why-threads-help-io", "point": "p1", "made": True}]}, 1)
        out = os.path.join(tmp, "r.html")
        text = plan_text(env, db, tmp)
        expect("release-on-io" in text and "switching" not in text, text)
        with open(out, encoding="utf-8") as f:
            page = f.read()
        expect("<li>made in the follow-up: p1</li>" in page and "<li>missed: p2" in page, page[-3000:])
    with tempfile.TemporaryDirectory() as tmp:
        env = make_env(tmp)
        db = os.path.join(tmp, "p.db")
        report(env, db, os.path.join(tmp, "r.html"))
        # No section missed: the interview's weakest topics, worst first.
        interview(db, {"topics": {"alpha": {"asked": 2, "correct": 1}, "beta": {"asked": 4, "correct": 1},
                                  "gamma": {"asked": 1, "correct": 1}}, "missed": []})
        text = plan_text(env, db, tmp)
        expect(re.search(r"learn beta Topic beta\s*learn alpha Topic alpha\s*No cards", text), text)
    with tempfile.TemporaryDirectory() as tmp:
        env = make_env(tmp)
        db = os.path.join(tmp, "p.db")
        report(env, db, os.path.join(tmp, "r.html"))
        seed(db)
        con = sqlite3.connect(db)
        con.execute("DELETE FROM sessions")
        con.commit()
        con.close()
        # No interview: the topics of lowest mastery among those seen.
        text = plan_text(env, db, tmp)
        expect(re.search(r"learn beta Topic beta\s*learn alpha Topic alpha\s*"
                         r"learn gamma Gamma <i>lesson</i>\s*Review the 1 card", text), text)


# ---- in the browser ----

CONSOLE = re.compile(r":CONSOLE[:(\]]")


def chromium():
    exe = shutil.which("chromium")
    if exe:
        return exe
    if os.environ.get("PYDOJO_NEED_CHROMIUM") or os.environ.get("CI"):
        raise Failure("chromium is missing (apt-get install -y --no-install-recommends chromium)")
    return None


def browse(exe, page, *args, timeout=90):
    """Runs headless Chromium on file page; returns (stdout, stderr).
    Its process group is killed at the end, whatever happened."""
    with tempfile.TemporaryDirectory(prefix="pydojo-chromium-") as profile:
        cmd = [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-extensions", "--disable-background-networking", "--disable-sync",
               "--disable-crash-reporter", "--disable-breakpad",
               "--enable-logging=stderr", "--v=0", f"--user-data-dir={profile}", *args,
               "file://" + os.path.abspath(page)]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Failure(f"chromium took over {timeout} s")
        finally:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
    return out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def console_messages(err):
    """The page's console lines (errors, CSP violations, logs) in
    Chromium's log; its own noise (D-Bus, GPU, sandbox) is not."""
    return [line for line in err.splitlines() if CONSOLE.search(line)]


def with_script(page, dst, script):
    """A copy of page whose CSP also allows inline scripts, with script
    run at the end of the body."""
    with open(page, encoding="utf-8") as f:
        text = f.read()
    csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    expect(csp in text, "no CSP to extend")
    text = text.replace(csp, csp + "; script-src 'unsafe-inline'", 1)
    text = text.replace("</body>", f"<script>{script}</script>\n</body>", 1)
    with open(dst, "w", encoding="utf-8") as f:
        f.write(text)
    return dst


MEASURE = """
var out = [];
document.querySelectorAll('svg').forEach(function (s) {
  var r = s.getBoundingClientRect();
  out.push({label: s.getAttribute('aria-label'), width: r.width, height: r.height,
            marks: s.querySelectorAll('rect, circle, polyline').length});
});
var pre = document.createElement('pre');
pre.id = 'measured';
pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
"""


def measured(dom):
    m = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    expect(m, "the measuring script did not run")
    return json.loads(html.unescape(m.group(1)))


def test_in_chromium():
    exe = chromium()
    with tempfile.TemporaryDirectory() as tmp:
        out, page = seeded_page(tmp)
        empty = os.path.join(tmp, "empty.html")
        # The assertion can fail: a script error and a blocked load are seen.
        bad = with_script(out, os.path.join(tmp, "bad.html"), "undefinedFunction();")
        with open(bad, encoding="utf-8") as f:
            text = f.read().replace("</body>", '<img src="data:," onerror="x">'
                                    '<iframe src="file:///etc/hostname"></iframe></body>')
        with open(bad, "w", encoding="utf-8") as f:
            f.write(text)
        so, se = browse(exe, bad, "--dump-dom")
        msgs = console_messages(se)
        expect(any("undefinedFunction" in m for m in msgs), f"a script error went unseen: {msgs}")
        expect(any("Content Security Policy" in m for m in msgs), f"a CSP violation went unseen: {msgs}")
        for name in (out, empty):
            so, se = browse(exe, name, "--dump-dom")
            expect("pydojo progress report" in so, f"no page dumped for {name}")
            expect(console_messages(se) == [], f"console messages for {name}: {console_messages(se)}")
            m = measured(browse(exe, with_script(name, name + ".measure.html", MEASURE), "--dump-dom")[0])
            expect([c["label"] for c in m] == ["mastery per topic", "reviews per day", "recall forecast"], m)
            for c in m:
                expect(c["width"] > 100 and c["height"] > 30, f"a chart without a size: {c}")
            if name == out:
                heat = m[1]
                expect(heat["marks"] == 52 * 7 + 3, heat)
                expect(m[2]["marks"] >= 32, m[2])
        png = os.path.join(tmp, "shot.png")
        browse(exe, out, f"--screenshot={png}", "--window-size=1000,2400", "--hide-scrollbars")
        with open(png, "rb") as f:
            data = f.read()
        expect(data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10000, f"no screenshot ({len(data)} bytes)")
        keep = os.environ.get("PYDOJO_REPORT_SHOT")
        if keep:
            shutil.copy(png, keep)


if __name__ == "__main__":
    from clitest import run_tests
    tests = dict(globals())
    if not shutil.which("chromium") and not (os.environ.get("PYDOJO_NEED_CHROMIUM") or os.environ.get("CI")):
        del tests["test_in_chromium"]
        try:
            run_tests(tests)
        except SystemExit as e:
            if e.code:
                raise
        print("chromium is not installed: the browser test is skipped")
        sys.exit(77)
    run_tests(tests)
