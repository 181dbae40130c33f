"""The one-shot commands over the real binary: topics, learn, sections,
search, help, version, and the errors a user meets (unknown topic or
command with a suggestion, bad options, an invalid or pathological regex)."""

import json
import os
import re
import tempfile

from clitest import expect, run, run_tests

ANSI = re.compile(r"\x1b\[")


def test_topics_grouped_by_track():
    status, out, err = run(["topics"])
    expect(status == 0, f"exit {status}: {err}")
    tracks = [l for l in out.splitlines() if l and not l.startswith(" ")]
    expect(len(tracks) >= 2 and len(set(tracks)) == len(tracks),
           f"tracks not grouped: {tracks}")
    expect(re.search(r"^\s+gil\s+core\s", out, re.M), f"no gil row with level: {out!r}")


def test_topics_json():
    status, out, err = run(["topics", "--json"])
    expect(status == 0, f"exit {status}: {err}")
    topics = json.loads(out)
    ids = [t["id"] for t in topics]
    for want in ("gil", "threads", "generators"):
        expect(want in ids, f"{want} missing")
    gil = topics[ids.index("gil")]
    for key in ("title", "track", "level", "summary"):
        expect(isinstance(gil.get(key), str) and gil[key], f"gil has no {key}")


def test_learn_renders_plain_and_wrapped():
    status, out, err = run(["learn", "gil"])
    expect(status == 0, f"exit {status}: {err}")
    expect(not ANSI.search(out), "colour escapes with NO_COLOR")
    long_lines = [l for l in out.splitlines() if len(l) > 80]
    expect(not long_lines, f"lines wider than 80 columns: {long_lines[:3]}")
    expect("In the interview" in out, "section missing")
    expect("demo gil" in out and "quiz gil" in out, "no demo or quiz pointer at the end")
    expect("```" not in out and "**" not in out, "raw Markdown left in the output")


def test_learn_one_section_by_number_and_title():
    status, out_n, err = run(["learn", "gil", "1"])
    expect(status == 0, f"exit {status}: {err}")
    status, out_all, err = run(["learn", "gil"])
    expect(len(out_n) < len(out_all), "one section is not shorter than the lesson")
    status, out_t, err = run(["learn", "gil", "in the interview"])
    expect(status == 0 and "In the interview" in out_t, f"by title: {err}")
    status, out, err = run(["learn", "gil", "99"])
    expect(status == 2 and "no section '99'" in err, f"bad section: {status} {err!r}")


def test_learn_one_section_by_id():
    status, out_id, err = run(["learn", "gil", "release-on-io"])
    expect(status == 0, f"exit {status}: {err}")
    status, out_n, err = run(["learn", "gil", "3"])
    expect(out_id == out_n and "What releases the GIL" in out_id, f"by id: {out_id[:200]!r}")
    status, out, err = run(["learn", "gil", "release-on-i0"])
    expect(status == 2 and "no section 'release-on-i0'" in err and "an id" in err, f"bad id: {status} {err!r}")


def test_sections_lists_ids():
    status, out, err = run(["sections", "gil"])
    expect(status == 0 and re.search(r"^\s+3\. What releases the GIL.*  \[release-on-io\]$", out, re.M),
           f"no id beside the title: {out!r}")


def test_sections_lists_numbered_titles():
    status, out, err = run(["sections", "gil"])
    expect(status == 0, f"exit {status}: {err}")
    numbered = re.findall(r"^\s*(\d+)\. ", out, re.M)
    expect(numbered and numbered == [str(i + 1) for i in range(len(numbered))],
           f"not numbered 1..n: {out!r}")


def test_unknown_topic_suggests():
    status, out, err = run(["learn", "gl"])
    expect(status == 2, f"exit {status}")
    expect("unknown topic 'gl'" in err and "did you mean 'gil'?" in err, f"{err!r}")
    expect(len(err.strip().splitlines()) == 1, f"not one line: {err!r}")


def test_unknown_command_suggests():
    status, out, err = run(["serch", "x"])
    expect(status == 2 and "did you mean 'search'?" in err, f"{status} {err!r}")
    # A command that works only at the prompt is not suggested outside it.
    status, out, err = run(["nxt"])
    expect(status == 2 and "'next'" not in err, f"{status} {err!r}")
    status, out, err = run(["--bogus"])
    expect(status == 2 and "--bogus" in err, f"{status} {err!r}")
    status, out, err = run(["topics", "extra"])
    expect(status == 2 and "usage: topics" in err, f"{status} {err!r}")


def test_search_hits_and_misses():
    status, out, err = run(["search", "switch interval"])
    expect(status == 0, f"exit {status}: {err}")
    lines = out.splitlines()
    expect(lines and re.match(r"^\d+ matching lines?$", lines[-1]), f"no count line: {lines[-1:]}")
    hits = lines[:-1]
    expect(hits and all(" › " in h and ": " in h for h in hits), f"hit format: {hits[:3]}")
    expect(any(h.startswith("gil › ") for h in hits), "no hit in the gil lesson")
    status, out, err = run(["search", "zzqqxx-no-such-text"])
    expect(status == 1 and "no matches" in (out + err).lower(), f"{status} {out!r} {err!r}")


def test_search_invalid_pattern_has_offset():
    status, out, err = run(["search", "(a"])
    expect(status == 2, f"exit {status}")
    expect(re.search(r"offset \d+", err) and "(a" in err, f"{err!r}")


def test_search_pathological_pattern_stops():
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "c")
        os.makedirs(os.path.join(root, "lessons"))
        os.makedirs(os.path.join(root, "quizzes"))
        with open(os.path.join(root, "lessons", "patho.yaml"), "w") as f:
            f.write("id: patho\ntitle: P\ntrack: language\nlevel: core\n"
                    "summary: Text for a pathological pattern.\nsections:\n"
                    "  - title: Only\n    body: |\n      " + "a" * 60 + "!\n")
        status, out, err = run(["--content", root, "search", "^(a|aa)+$"], timeout=20)
        expect(status == 2 and "match limit" in err, f"{status} {err!r}")


def test_help_version():
    status, out, err = run(["--help"])
    expect(status == 0 and "learn [TOPIC" in out and "--content" in out, f"{out!r}")
    status, out, err = run(["help", "learn"])
    expect(status == 0 and "learn [TOPIC [SECTION]" in out, f"{out!r} {err!r}")
    # The command list: a row's help, even under a usage too long to share
    # its line, is wrapped in the help column, never from the margin.
    status, out, err = run(["help"])
    rows = out.split("Commands:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    long_usage = [r for r in rows if len(r) > 36 and r.startswith("  ") and r[2] != " " and r[36] != " "
                  and "  " not in r[2:]]
    expect(long_usage, f"no usage longer than its column: {rows!r}")
    for r in rows:
        expect(r.startswith("  ") and (r[2] != " " or r.startswith(" " * 37)), f"help row {r!r}")
    status, out2, err = run(["--version"])
    status2, out3, err = run(["version"])
    expect(status == 0 and status2 == 0 and re.match(r"^pydojo \d+\.\d+\.\d+\n$", out2)
           and out2 == out3, f"{out2!r} {out3!r}")


def test_bad_content_root_is_a_content_error():
    with tempfile.TemporaryDirectory() as tmp:
        status, out, err = run(["--content", os.path.join(tmp, "missing"), "topics"])
        expect(status == 2 and "missing" in err, f"{status} {err!r}")



def test_one_option_parser():
    """--seed has one rule wherever it is given: the global option and
    interview's refuse the same values with the same message, exit 2."""
    for bad in ("-1", "x", "", "1.5", "99999999999999999999999"):
        g = run(["--seed", bad, "version"])
        i = run(["interview", "--seed", bad], stdin="")
        expect(g[0] == 2 and i[0] == 2, f"--seed {bad!r}: {g[0]} {i[0]}")
        expect(g[2] == i[2] == f"error: --seed needs a non-negative integer, not '{bad}'\n", f"{g[2]!r} {i[2]!r}")
    status, out, err = run(["--seed", "7", "version"])
    expect(status == 0 and out.startswith("pydojo "), f"{status} {err!r}")
    # Values attached or apart, short options with the value glued on.
    for args in (["quiz", "gil", "-n0"], ["quiz", "gil", "-n", "0"], ["review", "--new-limit=1001"]):
        status, out, err = run(args, stdin="")
        expect(status == 2 and "needs a number" in err and "not '" in err, f"{args}: {status} {err!r}")
    status, out, err = run(["stats", "--json=1"])
    expect(status == 2 and "unknown option '--json=1' for 'stats'" in err and "usage: stats" in err, err)


run_tests(globals())
