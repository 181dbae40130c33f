"""`pydojo export --anki FILE`: Anki's plain-text import format. The headers,
one note per question of the catalog with a stable and unique guid column, a
deck per topic, tags from the question and its topic, Markdown rendered to
HTML, no raw tab or newline inside a field, and two exports byte-identical.
Runs on a small content root of all six question types, and on the shipped
catalog when it loads."""

import html
import os
import re
import tempfile

from clitest import SRC, expect, private_env, run, run_tests
from progress_helpers import QUESTIONS, content_env

HEADERS = ["#separator:tab", "#html:true", "#notetype:Basic", "#guid column:1",
           "#deck column:2", "#tags column:5"]


def export(env, path):
    rc, out, err = run(["export", "--anki", path], env=env)
    expect(rc == 0, f"export exited {rc}: {err}")
    with open(path, "rb") as f:
        return f.read(), out


def notes(data):
    """The header lines and the notes (lists of 5 fields)."""
    text = data.decode("utf-8")
    expect(text.endswith("\n"), "no final newline")
    lines = text[:-1].split("\n")
    head = [l for l in lines if l.startswith("#")]
    body = [l.split("\t") for l in lines if not l.startswith("#")]
    expect(lines[:len(head)] == head, "headers are not all first")
    return head, body


def test_small_catalog():
    with tempfile.TemporaryDirectory() as tmp:
        env = content_env(tmp)
        path = os.path.join(tmp, "deck.txt")
        data, out = export(env, path)
        expect("6 notes" in out, out)
        head, body = notes(data)
        expect(head == HEADERS, head)
        ids = [q for qs in QUESTIONS.values() for q in qs]
        expect(len(body) == len(ids), f"{len(body)} notes")
        for fields in body:
            expect(len(fields) == 5, f"{len(fields)} fields: {fields}")
            expect(all("\r" not in f for f in fields), fields)
        guids = [f[0] for f in body]
        expect(guids == [f"pydojo:{q}" for q in ids], guids)
        by = {f[0].split(":", 1)[1]: f for f in body}
        for topic, qs in QUESTIONS.items():
            for q in qs:
                expect(by[q][1] == f"pydojo::{topic}", by[q])
                expect(by[q][4].split()[0] == topic, by[q])
        # Tags: the topic, then the question's own; spaces cannot split one.
        expect(by["alpha-choice"][4] == "alpha basics two_words", by["alpha-choice"])
        expect(by["beta-multi"][4] == "beta sets", by["beta-multi"])

        choice = by["alpha-choice"]
        expect("<strong>one</strong>" in choice[2], choice[2])
        # The tab in the prompt became a character reference.
        expect("&#9;the tab before" in choice[2], choice[2])
        expect("<li>a plain choice</li>" in choice[2]
               and "<code>code</code>" in choice[2], choice[2])
        expect("b) a choice with <code>code</code>" in choice[3], choice[3])
        expect("<em>this</em>" in choice[3] and "second paragraph" in choice[3], choice[3])
        expect("a plain choice" not in choice[3], choice[3])

        expect("true" in by["alpha-tf"][3], by["alpha-tf"])
        text = by["alpha-text"]
        expect("It adds 0, 1, 2 and 3." in text[3] and "adds 0 to 3" in text[3], text)

        out_q = by["beta-out"]
        # Code and output keep their tabs and newlines as references inside
        # <pre>, and HTML-escaped: unescaping gives the content back.
        m = re.search(r"<pre><code[^>]*>(.*?)</code></pre>", out_q[2])
        expect(m, out_q[2])
        code = html.unescape(m.group(1))
        expect(code == 'for i in range(2):\n\tprint(i, end="\\t")\nprint()\n'
               'print("<done> & \\"quoted\\"")\n', repr(code))
        m = re.search(r"<pre><code>(.*?)</code></pre>", out_q[3])
        expect(html.unescape(m.group(1)) == '0\t1\t\n<done> & "quoted"\n',
               repr(m.group(1)))

        order = by["beta-order"]
        shown = re.findall(r"<li>(\w+)</li>", order[2])
        expect(sorted(shown) == ["first", "fourth", "second", "third"], order[2])
        expect(shown != ["first", "second", "third", "fourth"],
               "the items are shown in the right order")
        answer = re.findall(r"\((\d)\) (\w+)</li>", order[3])
        expect([w for _, w in answer] == ["first", "second", "third", "fourth"], order[3])
        # Each answer line names where the item was on the front.
        expect(all(shown[int(n) - 1] == w for n, w in answer), (shown, answer))

        multi = by["beta-multi"]
        expect("a) x" in multi[3] and "c) z" in multi[3] and "b) y" not in multi[3], multi)


def test_markdown_in_key_points():
    """Key points and explanations are Markdown: rendered to HTML (inline
    code as <code>, emphasis as <em>), escaped, with no raw backticks; and
    none in the shipped catalog's export either, outside code."""
    with tempfile.TemporaryDirectory() as tmp:
        env = content_env(tmp)
        quiz = os.path.join(env["PYDOJO_DATADIR"], "quizzes", "alpha.yaml")
        with open(quiz) as f:
            text = f.read()
        text = text.replace("      - point: adds 0 to 3\n",
                            "      - point: 'adds `range(4)`, *all* of it: 0 <= i & i < 4'\n")
        text = text.replace("    model_answer: It adds 0, 1, 2 and 3.\n",
                            "    model_answer: It adds 0, 1, 2 and 3.\n    explain: See `sum()`.\n")
        with open(quiz, "w") as f:
            f.write(text)
        data, _ = export(env, os.path.join(tmp, "deck.txt"))
        _, body = notes(data)
        back = {f[0]: f for f in body}["pydojo:alpha-text"][3]
        expect("<li>adds <code>range(4)</code>, <em>all</em> of it: 0 &lt;= i &amp; i &lt; 4</li>" in back, back)
        expect("See <code>sum()</code>." in back, back)
        expect("`" not in back, back)
    with tempfile.TemporaryDirectory() as tmp:
        data, _ = export(private_env(tmp), os.path.join(tmp, "deck.txt"))
        text = re.sub(r"<pre.*?</pre>|<code>.*?</code>", "", data.decode(), flags=re.S)
        raw = [text[max(0, m.start() - 60):m.start() + 20] for m in re.finditer("`", text)]
        expect(not raw, f"raw backticks in the shipped export: {raw[:3]}")


def test_byte_identical_and_stdout():
    with tempfile.TemporaryDirectory() as tmp:
        env = content_env(tmp)
        a, _ = export(env, os.path.join(tmp, "a.txt"))
        b, _ = export(env, os.path.join(tmp, "b.txt"))
        expect(a == b, "two exports differ")
        # Overwriting an existing file gives the same bytes.
        c, _ = export(env, os.path.join(tmp, "a.txt"))
        expect(a == c, "re-export differs")
        rc, out, err = run(["export", "--anki", "-"], env=env)
        expect(rc == 0 and out.encode() == a, f"stdout export differs: {err}")
        rc, out, err = run(["export", "--anki=-"], env=env)
        expect(rc == 0 and out.encode() == a, "--anki=FILE")


def test_guid_follows_the_id():
    """An edited question keeps its guid (Anki then updates the note), a
    new one gets its own."""
    with tempfile.TemporaryDirectory() as tmp:
        env = content_env(tmp)
        path = os.path.join(tmp, "deck.txt")
        _, before = notes(export(env, path)[0])
        quiz = os.path.join(env["PYDOJO_DATADIR"], "quizzes", "alpha.yaml")
        with open(quiz) as f:
            text = f.read()
        text = text.replace("The GIL is a lock.", "The GIL is a mutex.")
        text += ("  - id: alpha-new\n    type: truefalse\n"
                 "    prompt: A new question.\n    answer: false\n")
        with open(quiz, "w") as f:
            f.write(text)
        _, after = notes(export(env, path)[0])
        g_before = {f[0]: f for f in before}
        g_after = {f[0]: f for f in after}
        expect(set(g_after) == set(g_before) | {"pydojo:alpha-new"}, sorted(g_after))
        expect("mutex" in g_after["pydojo:alpha-tf"][2], g_after["pydojo:alpha-tf"])
        expect(len(set(g_after)) == len(after), "guids not unique")


def test_shipped_catalog():
    with tempfile.TemporaryDirectory() as tmp:
        env = private_env(tmp)
        rc, out, err = run(["check"], env=env)
        expect(rc == 0, f"the shipped catalog does not load: {err.strip()[-400:]}")
        m = re.search(r"(\d+) questions", out)
        path = os.path.join(tmp, "deck.txt")
        data, _ = export(env, path)
        head, body = notes(data)
        expect(head == HEADERS, head)
        # Every question is a note, code exercises included.
        expect(len(body) == int(m.group(1)), f"{len(body)} notes, {out}")
        guids = [f[0] for f in body]
        expect(len(set(guids)) == len(guids), "guids not unique")
        for f in body:
            expect(len(f) == 5 and f[2] and f[3], f[0])
            expect(f[1].startswith("pydojo::"), f)
        again, _ = export(env, os.path.join(tmp, "again.txt"))
        expect(again == data, "two exports differ")


EXERCISE = os.path.join(SRC, "tests", "data", "exercise")


def test_code_exercise():
    """A code exercise is a note: its prompt rendered on the front, its
    reference solution (escaped, in <pre><code>) and explain on the back;
    no test, wrong solution or hint is given away."""
    with tempfile.TemporaryDirectory() as tmp:
        env = private_env(tmp, PYDOJO_DATADIR=EXERCISE)
        data, out = export(env, os.path.join(tmp, "deck.txt"))
        expect("exported 2 notes" in out, out)
        _, body = notes(data)
        by = {f[0]: f for f in body}
        note = by.get("pydojo:batches-chunks")
        expect(note and len(note) == 5, sorted(by))
        expect(note[1] == "pydojo::batches" and note[4] == "batches itertools", note)
        front, back = note[2], note[3]
        expect("Write the generator <code>chunks(iterable, n)</code>" in front, front)
        expect("<pre>" not in front and "islice" not in front, front)
        m = re.search(r"<pre><code[^>]*>(.*?)</code></pre>", back)
        expect(m, back)
        expect(html.unescape(m.group(1)).replace("&#10;", "\n") == 
               "from itertools import islice\n\n\ndef chunks(iterable, n):\n"
               "    it = iter(iterable)\n    while batch := list(islice(it, n)):\n"
               "        yield batch\n", repr(m.group(1)))
        expect("&#10;" in m.group(1), "the solution's line ends are not references")
        expect(back.index("</pre>") < back.index("<hr>") < back.index("shared iterator"), back)
        expect("itertools.count" not in back and "len()" not in back, back)


def test_errors():
    with tempfile.TemporaryDirectory() as tmp:
        env = content_env(tmp)
        for args in (["export"], ["export", "--anki"], ["export", "x.txt"],
                     ["export", "--anki", "a", "b"], ["export", "--csv", "a"]):
            rc, out, err = run(args, env=env)
            expect(rc == 2 and err, f"{args}: {rc} {err!r}")
        rc, out, err = run(["export", "--anki", os.path.join(tmp, "no", "such", "x.txt")],
                           env=env)
        expect(rc == 3 and "cannot write" in err and len(err.splitlines()) == 1,
               f"{rc} {err!r}")
        rc, out, err = run(["export", "--anki", "/etc/passwd/x.txt"], env=env)
        expect(rc == 3 and "cannot write" in err, f"{rc} {err!r}")


if __name__ == "__main__":
    run_tests(globals())
