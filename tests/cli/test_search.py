"""`pydojo search` over long lines and with patterns that can match the
empty string: a scan linear in the text (a 1 MiB line with a match every
few bytes takes well under a second, where re-validating the line at every
match took minutes), and empty matches that move on by whole characters
(no error on multi-byte text, the right lines found)."""

import os
import re
import tempfile
import time

from clitest import expect, private_env, run, run_tests

WORDS = "the global interpreter lock lets one thread run bytecode at a time; naïve café "


def content(tmp, body_lines):
    """A content root holding one lesson whose only section body is body_lines."""
    root = os.path.join(tmp, "content")
    os.makedirs(os.path.join(root, "lessons"))
    os.makedirs(os.path.join(root, "quizzes"))
    with open(os.path.join(root, "lessons", "only.yaml"), "w", encoding="utf-8") as f:
        f.write("id: only\ntitle: Ünïcode lesson\ntrack: language\nlevel: core\n"
                "summary: Naïve café.\nsections:\n  - title: Only\n    body: |\n")
        for line in body_lines:
            f.write("      " + line + "\n")
    return root


def search(tmp, root, pattern, timeout=60):
    env = private_env(tmp, PYDOJO_DATADIR=root)
    t = time.monotonic()
    status, out, err = run(["search", pattern], env=env, timeout=timeout)
    return status, out, err, time.monotonic() - t


def test_rendered_snippets():
    """Markdown prose is shown rendered (no '*' or '**' markup), with whole
    words around the match; code is shown as written; a pattern that only
    matches the markup still finds the line, as written."""
    with tempfile.TemporaryDirectory() as tmp:
        long = " ".join(["alpha"] * 30) + " the **global interpreter** lock " + " ".join(["omega"] * 30)
        root = content(tmp, ["A *short* line about the **GIL**.", long, "", "```python", "x = f(**kwargs)", "```"])
        status, out, err, _ = search(tmp, root, "gil")
        expect(status == 0, err)
        lines = out.splitlines()
        expect("only › Only: A short line about the GIL." in lines, out)
        status, out, err, _ = search(tmp, root, "interpreter")
        hit = out.splitlines()[0]
        expect(hit.startswith("only › Only: … alpha") and hit.endswith("omega …") and "**" not in hit
               and "global interpreter lock" in hit and len(hit) <= 80, hit)
        body = hit[len("only › Only: … "):-2].split()
        expect(all(w in ("alpha", "omega", "the", "global", "interpreter", "lock") for w in body), f"a cut word: {hit}")
        status, out, err, _ = search(tmp, root, "kwargs")
        expect("only › Only: x = f(**kwargs)" in out.splitlines(), f"code as written: {out!r}")
        status, out, err, _ = search(tmp, root, r"\*short\*")
        expect("only › Only: A *short* line about the **GIL**." in out.splitlines(), f"markup-only match: {out!r}")


def test_long_line_is_linear():
    with tempfile.TemporaryDirectory() as tmp:
        line = (WORDS * (1024 * 1024 // len(WORDS.encode()) + 1)).strip()
        root = content(tmp, [line])
        for pattern, hits in (("e", 3), (r"\bthe\b", 1), ("x?", 4)):
            status, out, err, dt = search(tmp, root, pattern)
            expect(status == 0, f"'{pattern}': exit {status}: {err[:300]!r}")
            expect(out.splitlines()[-1] == f"{hits} matching line{'s' if hits > 1 else ''}",
                   f"'{pattern}': {out[-200:]!r}")
            # The long line is shown as whole words around its first match,
            # cut to the width (80 columns in a pipe), with an ellipsis.
            long = [h for h in out.splitlines() if h.startswith("only › Only: ") and h != "only › Only: Only"]
            expect(long and all(len(h) <= 80 and h.endswith(" …") for h in long),
                   f"'{pattern}': the long line not shown as a snippet: {long!r}")
            words = set(WORDS.split())
            shown = long[0][len("only › Only: "):].removesuffix(" …").removeprefix("… ").split()
            expect(shown and all(w in words for w in shown), f"'{pattern}': a word was cut: {shown}")
            # Linear work is a fraction of a second even under sanitizers;
            # re-checking the rest of the line at each of its 150,000 'e's
            # took many minutes.
            expect(dt < 10, f"'{pattern}' took {dt:.1f} s on a 1 MiB line")


def test_empty_matches_multibyte():
    with tempfile.TemporaryDirectory() as tmp:
        root = content(tmp, ["é gil é", "ééé", "— the GIL —", "plain"])
        every = ["only › title: Ünïcode lesson", "only › summary: Naïve café.", "only › Only: Only",
                 "only › Only: é gil é", "only › Only: ééé", "only › Only: — the GIL —",
                 "only › Only: plain"]
        for pattern in ("x?", "x*", r"\b", "gil|", "", "(?=.)|é"):
            status, out, err, _ = search(tmp, root, pattern)
            expect(status == 0, f"'{pattern}': exit {status}: {err!r}")
            expect(out.splitlines() == every + ["7 matching lines"], f"'{pattern}': {out!r}")
        status, out, err, _ = search(tmp, root, "(?=é)")
        expect(status == 0 and out.splitlines() == [
            "only › summary: Naïve café.", "only › Only: é gil é", "only › Only: ééé", "3 matching lines"],
            f"(?=é): {status} {out!r} {err!r}")
        status, out, err, _ = search(tmp, root, "(?<=é)")
        expect(status == 0 and out.splitlines()[-1] == "3 matching lines", f"(?<=é): {status} {out!r} {err!r}")


def test_empty_matches_shipped_content():
    counts, outs = {}, {}
    for pattern in ("x?", r"\b", "gil|", "x*", "^"):
        status, out, err = run(["search", pattern])
        expect(status == 0, f"'{pattern}': exit {status}: {err!r}")
        m = re.match(r"^(\d+) matching lines$", out.splitlines()[-1])
        expect(m, f"'{pattern}': no count: {out[-200:]!r}")
        counts[pattern] = int(m.group(1))
        outs[pattern] = out
        # Written out in 64 KiB pieces when no pager takes it: every hit
        # line once, none lost at a piece's edge.
        expect(len(out.splitlines()) == counts[pattern] + 1,
               f"'{pattern}': {len(out.splitlines()) - 1} lines for {counts[pattern]} hits")
    expect(len(outs["^"]) > 64 * 1024, "the output does not cross a 64 KiB piece")
    # The same lines in the same order (each shows the words around its own
    # first match, so the text may differ).
    heads = {p: [line.split(": ", 1)[0] for line in outs[p].splitlines()] for p in ("x?", "^", "x*")}
    expect(heads["x?"] == heads["^"] == heads["x*"], "the same lines, in the same order, for every-line patterns")
    # Every line matches each of these but \b, which needs a word character.
    expect(counts["x?"] == counts["x*"] == counts["gil|"] == counts["^"] > 1000, f"{counts}")
    expect(0 < counts[r"\b"] <= counts["x?"], f"{counts}")


run_tests(globals())
