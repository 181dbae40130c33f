"""`pydojo fsrs replay`: the scheduler driven through the binary, checked
against the worked values of fsrs.md §6 and the upstream vectors of §12
(fuzz is always off), the JSON line format (17 significant digits, names of
states, step null in Review), blank lines between cards, --retention, and
bad lines (`LINE: error: ...`, exit 2)."""

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone

from clitest import expect, private_env, run, run_tests

T0 = datetime(2022, 11, 29, 12, 30, tzinfo=timezone.utc)
KEYS = ["at", "rating", "state", "step", "stability", "difficulty", "due",
        "interval_days"]


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=timezone.utc)


def replay(lines, *args):
    """Runs replay on the lines; returns the parsed JSON objects."""
    text = "".join(line + "\n" for line in lines)
    rc, out, err = run(["fsrs", "replay", *args], stdin=text)
    expect(rc == 0, f"replay exited {rc}: {err}")
    expect(err == "", f"replay wrote to stderr: {err!r}")
    objs = [json.loads(line) for line in out.splitlines()]
    for o in objs:
        expect(list(o) == KEYS, f"keys {list(o)}")
    return objs, out


def near(a, b, tol, what):
    expect(abs(a - b) <= tol, f"{what}: {a!r} not within {tol} of {b!r}")


def test_first_reviews():
    """§6: the four first ratings of a new card."""
    want = {
        1: ("Learning", 0, 0.212, 6.4133, timedelta(minutes=1)),
        2: ("Learning", 0, 1.2931, 5.112170705601055,
            timedelta(minutes=5, seconds=30)),
        3: ("Learning", 1, 2.3065, 2.118103970459015, timedelta(minutes=10)),
        4: ("Review", None, 8.2956, 1.0, timedelta(days=8)),
    }
    # One card per rating, separated by blank lines.
    lines = []
    for g in range(1, 5):
        lines += [f"{iso(T0)} {g}", ""]
    objs, out = replay(lines)
    expect(len(objs) == 4, f"{len(objs)} objects")
    for o, g in zip(objs, range(1, 5)):
        state, step, s, d, ivl = want[g]
        expect(o["at"] == iso(T0), o["at"])
        expect(o["rating"] == g, o)
        expect(o["state"] == state, o)
        expect(o["step"] == step, o)
        near(o["stability"], s, 1e-12, f"S after {g}")
        near(o["difficulty"], d, 1e-12, f"D after {g}")
        expect(o["due"] == iso(T0 + ivl), o)
        near(o["interval_days"], ivl / timedelta(days=1), 1e-12,
             f"interval after {g}")
    # Doubles carry 17 significant digits, so they read back exactly.
    expect('"stability": 8.2956000000000003' in out, out)
    expect('"interval_days": 0.0069444444444444441' in out, out)
    expect('"interval_days": 8}' in out, out)


def at_due(ratings, start=T0):
    """Answers each rating exactly when the previous review fell due."""
    lines, objs = [], []
    t = start
    for g in ratings:
        lines.append(f"{iso(t)} {g}")
        objs, _ = replay(lines)
        t = parse(objs[-1]["due"])
    return objs


def test_interval_history():
    """§6/§12: py-fsrs test_review_card and ts-fsrs ivl_history."""
    ratings = [3, 3, 3, 3, 3, 3, 1, 1, 3, 3, 3, 3, 3]
    objs = at_due(ratings)
    days = [(parse(o["due"]) - parse(o["at"])).days for o in objs]
    expect(days == [0, 2, 11, 46, 163, 498, 0, 0, 2, 4, 7, 12, 21],
           f"intervals {days}")
    states = [o["state"] for o in objs]
    expect(states[:7] == ["Learning"] + ["Review"] * 5 + ["Relearning"],
           states)
    for o in objs:
        if o["state"] == "Review":
            expect(o["step"] is None, o)
            expect(o["interval_days"] == int(o["interval_days"]), o)
        else:
            expect(isinstance(o["step"], int), o)


def test_memo_state():
    """§12: ratings A,G,G,G,G,G at +0, +0, +1, +3, +8, +21 days."""
    t = T0
    lines = []
    for g, gap in zip([1, 3, 3, 3, 3, 3], [0, 0, 1, 3, 8, 21]):
        t += timedelta(days=gap)
        lines.append(f"{iso(t)} {g}")
    objs, _ = replay(lines)
    near(objs[-1]["stability"], 53.62691, 1e-4, "S")
    near(objs[-1]["difficulty"], 6.3574867, 1e-4, "D")
    # The f64 values of the unit tests, through the text form.
    near(objs[-1]["stability"], 53.626902917141386, 1e-9 * 53.6, "S f64")


def test_learning_step_timings():
    """§12: Good +10 min, Again +1 min, Hard +5.5 min; Again in Review
    gives Relearning +10 min."""
    for g, secs in [(3, 600), (1, 60), (2, 330)]:
        objs, _ = replay([f"{iso(T0)} {g}"])
        expect((parse(objs[0]["due"]) - T0).total_seconds() == secs, objs)
    easy_due = T0 + timedelta(days=8)
    objs, _ = replay([f"{iso(T0)} 4", f"{iso(easy_due)} 1"])
    expect(objs[1]["state"] == "Relearning" and objs[1]["step"] == 0, objs)
    expect(parse(objs[1]["due"]) - easy_due == timedelta(minutes=10), objs)


def test_repeated_easy():
    """§12: ten Easy answers a second apart give D == 1.0."""
    objs, _ = replay([f"{iso(T0 + timedelta(seconds=i))} 4"
                      for i in range(10)])
    expect(all(o["difficulty"] == 1.0 for o in objs), objs)


def test_cards_are_independent():
    """A blank line starts a new card; several blank lines are one break;
    surrounding spaces and CRLF line ends are fine."""
    a, _ = replay([f"{iso(T0)} 3"])
    b, _ = replay([f"{iso(T0)} 1", "", "", "   ", f"  {iso(T0)}   3  \r"])
    expect(len(b) == 2, b)
    expect(b[1] == a[0], f"{b[1]} != {a[0]}")
    # Without the blank line it is the same card's second review.
    c, _ = replay([f"{iso(T0)} 1", f"{iso(T0)} 3"])
    expect(c[1] != a[0], c)


def next_interval(s, r):
    decay = -0.1542
    factor = 0.9 ** (1 / decay) - 1
    raw = s / factor * (r ** (1 / decay) - 1)
    return min(max(round(raw), 1), 36500)


def test_retention():
    """--retention changes the Review intervals (§3), not the memory
    state."""
    for r in ["0.8", "0.95"]:
        objs, _ = replay([f"{iso(T0)} 4"], "--retention", r)
        want = next_interval(8.2956, float(r))
        expect(objs[0]["interval_days"] == want, f"{r}: {objs[0]} != {want}")
        near(objs[0]["stability"], 8.2956, 1e-12, "S")
    objs, _ = replay([f"{iso(T0)} 4"], "--retention=0.8")
    expect(objs[0]["interval_days"] == next_interval(8.2956, 0.8), objs)
    expect(next_interval(8.2956, 0.8) != 8, "0.8 must change the interval")
    for bad in ["0", "1.5", "x", "", "nan", "-0.5"]:
        rc, out, err = run(["fsrs", "replay", "--retention", bad],
                           stdin=f"{iso(T0)} 3\n")
        expect(rc == 2 and out == "", f"--retention {bad!r}: {rc} {out!r}")
        expect("--retention" in err and len(err.splitlines()) == 1, err)


def test_decimal_comma_locale():
    """Under a locale that writes 0,9 for 0.9, options still parse and JSON
    still prints with a point: pydojo takes only LC_CTYPE from the
    environment. The locale is compiled here from Debian's sources."""
    expect(shutil.which("localedef") and os.path.exists("/usr/share/i18n/locales/de_DE"),
           "no localedef or de_DE locale source: install Debian's 'locales' (.ci/setup does)")
    with tempfile.TemporaryDirectory(prefix="pydojo-locale-") as tmp:
        p = subprocess.run(["localedef", "-i", "de_DE", "-f", "UTF-8",
                            os.path.join(tmp, "de_DE.UTF-8")], capture_output=True)
        expect(os.path.isdir(os.path.join(tmp, "de_DE.UTF-8")),
               f"localedef failed: {p.stderr.decode()[-300:]}")
        env = private_env(tmp, LOCPATH=tmp, LC_ALL="de_DE.UTF-8", LANG=None)
        probe = subprocess.run([sys.executable, "-c", "import locale; locale.setlocale(locale.LC_ALL, '');"
                                " print(locale.localeconv()['decimal_point'])"],
                               env=env, capture_output=True, text=True)
        expect(probe.stdout.strip() == ",", f"the locale is not active: {probe.stdout!r} {probe.stderr!r}")
        rc, out, err = run(["fsrs", "replay", "--retention", "0.8"], stdin=f"{iso(T0)} 4\n", env=env)
        expect(rc == 0 and err == "", f"{rc} {err!r}")
        o = json.loads(out)
        expect(o["interval_days"] == next_interval(8.2956, 0.8), o)
        expect("," not in out.replace(", ", "").replace(",\"", ""), f"a decimal comma: {out!r}")
        near(o["stability"], 8.2956, 1e-12, "S")


def test_empty_input():
    objs, out = replay([])
    expect(out == "", out)
    objs, out = replay(["", ""])
    expect(out == "", out)


def bad(text, line, word):
    rc, out, err = run(["fsrs", "replay"], stdin=text)
    expect(rc == 2, f"{text!r}: exit {rc}")
    lines = err.splitlines()
    expect(len(lines) == 1, f"{text!r}: {err!r}")
    expect(lines[0].startswith(f"{line}: error: "), f"{text!r}: {err!r}")
    expect(word in lines[0], f"{text!r}: {err!r} lacks {word!r}")
    return out


def test_bad_lines():
    good = f"{iso(T0)} 3\n"
    bad("x 3\n", 1, "time")
    bad("2024-01-01 3\n", 1, "time")
    bad("2024-01-01T09:00:00 3\n", 1, "time")
    bad("2024-02-30T09:00:00Z 3\n", 1, "time")
    bad("2024-01-01T09:00:00Z\n", 1, "TIMESTAMP RATING")
    bad("2024-01-01T09:00:00Z 0\n", 1, "rating")
    bad("2024-01-01T09:00:00Z 5\n", 1, "rating")
    bad("2024-01-01T09:00:00Z good\n", 1, "rating")
    bad("2024-01-01T09:00:00Z 3 4\n", 1, "rating")
    # The line number counts blank lines; earlier reviews were printed.
    out = bad(good + "\n" + good + "oops\n", 4, "time")
    expect(len(out.splitlines()) == 2, out)
    # Time going backwards within a card.
    bad(f"{iso(T0)} 3\n{iso(T0 - timedelta(seconds=1))} 3\n", 2, "before")
    # ... but not across cards.
    objs, _ = replay([f"{iso(T0)} 3", "", f"{iso(T0 - timedelta(days=9))} 3"])
    expect(len(objs) == 2, objs)


def test_usage():
    for args in (["fsrs"], ["fsrs", "rewind"], ["fsrs", "replay", "extra"],
                 ["fsrs", "replay", "--nope"]):
        rc, out, err = run(args, stdin="")
        expect(rc == 2 and out == "" and err, f"{args}: {rc} {err!r}")


def test_nan_free():
    """Long and odd histories stay finite (no NaN or inf in the JSON)."""
    t = T0
    lines = []
    for i in range(60):
        t += timedelta(hours=(i * 37) % 900)
        lines.append(f"{iso(t)} {1 + (i * 7) % 4}")
    objs, out = replay(lines)
    expect(len(objs) == 60, len(objs))
    for o in objs:
        expect(math.isfinite(o["stability"]) and 1 <= o["difficulty"] <= 10,
               o)


if __name__ == "__main__":
    run_tests(globals())
