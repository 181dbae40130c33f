"""Shared helpers of the session tests (quiz, review, interview).

Each test works in a temporary folder: its own --db, XDG folders, a fixed
--seed and PYDOJO_NOW, and --no-fuzz. The content is the shipped catalog;
while it has dangling references (a lesson naming a demo or topic still being
written), a copy with those references dropped is used instead, so these tests
check the sessions and not the state of other content.
"""
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

BIN = os.environ["PYDOJO_BIN"]
DATADIR = os.environ["PYDOJO_DATADIR"]
NOW = "2025-03-03T09:00:00Z"

failures = []


def check(cond, what):
    if cond:
        print(f"ok - {what}")
    else:
        print(f"FAIL - {what}")
        failures.append(what)
    return cond


def finish():
    if failures:
        print(f"{len(failures)} failed")
        sys.exit(1)
    print("all passed")
    sys.exit(0)


def _load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def content_root(tmp):
    """A content root whose catalog loads: the shipped one when it checks
    clean, else a copy without dangling references and without the files
    that still have faults of their own."""
    env = dict(os.environ, PYDOJO_DATADIR=DATADIR)
    r = subprocess.run([BIN, "check"], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if r.returncode == 0:
        return DATADIR
    root = os.path.join(tmp, "content")
    ids = {f[:-5] for f in os.listdir(os.path.join(DATADIR, "lessons")) if f.endswith(".yaml")}
    quizzes = {f[:-5] for f in os.listdir(os.path.join(DATADIR, "quizzes")) if f.endswith(".yaml")}
    for _ in range(5):
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(os.path.join(root, "lessons"))
        os.makedirs(os.path.join(root, "quizzes"))
        for t in sorted(quizzes & ids):
            shutil.copy(os.path.join(DATADIR, "quizzes", t + ".yaml"), os.path.join(root, "quizzes"))
        for t in sorted(ids):
            doc = _load(os.path.join(DATADIR, "lessons", t + ".yaml"))
            doc.pop("demos", None)
            for key in ("requires", "see_also"):
                if key in doc:
                    doc[key] = [x for x in doc[key] if x in ids]
                    if not doc[key]:
                        del doc[key]
            with open(os.path.join(root, "lessons", t + ".yaml"), "w", encoding="utf-8") as out:
                yaml.safe_dump(doc, out, sort_keys=False, allow_unicode=True, width=1000)
        r = subprocess.run([BIN, "check"], env=dict(env, PYDOJO_DATADIR=root), stdin=subprocess.DEVNULL,
                           capture_output=True, text=True)
        if r.returncode == 0:
            return root
        for m in re.finditer(r"(lessons|quizzes)/([a-z0-9-]+)\.yaml:\d+", r.stderr):
            (ids if m.group(1) == "lessons" else quizzes).discard(m.group(2))
    print(r.stderr)
    raise SystemExit("no subset of the content checks clean")


class Env:
    def __init__(self):
        self.tmpobj = tempfile.TemporaryDirectory(prefix="pydojo-session-")
        self.tmp = self.tmpobj.name
        self.root = content_root(self.tmp)
        self.db = os.path.join(self.tmp, "progress.db")
        self.env = dict(os.environ)
        self.env.update(
            PYDOJO_DATADIR=self.root,
            PYDOJO_NOW=NOW,
            NO_COLOR="1",
            XDG_DATA_HOME=os.path.join(self.tmp, "data"),
            XDG_STATE_HOME=os.path.join(self.tmp, "state"),
            XDG_CONFIG_HOME=os.path.join(self.tmp, "config"),
        )
        self.questions = {}
        qdir = os.path.join(self.root, "quizzes")
        for f in sorted(os.listdir(qdir)):
            if f.endswith(".yaml"):
                doc = _load(os.path.join(qdir, f))
                for q in doc["questions"]:
                    q["topic"] = doc["topic"]
                    self.questions[q["id"]] = q

    def args(self, *cmd, seed=7, now=None):
        return [BIN, "--db", self.db, "--seed", str(seed), "--no-fuzz", *cmd]

    def run(self, *cmd, input="", seed=7, now=None, timeout=120, extra_env=None):
        env = dict(self.env)
        if now:
            env["PYDOJO_NOW"] = now
        if extra_env:
            env.update(extra_env)
        return subprocess.run(self.args(*cmd, seed=seed), input=input, env=env, capture_output=True,
                              text=True, timeout=timeout)

    def popen(self, *cmd, seed=7, now=None):
        env = dict(self.env)
        if now:
            env["PYDOJO_NOW"] = now
        return subprocess.Popen(self.args(*cmd, seed=seed), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, text=True, bufsize=1)

    def sql(self, query):
        import sqlite3
        con = sqlite3.connect(self.db)
        try:
            return con.execute(query).fetchall()
        finally:
            con.close()


SECTIONED_LESSON = """id: {id}
title: Topic {id}
track: language
level: core
summary: A topic whose sections have ids.
sections:
  - title: First things
    id: first
    body: Text.
  - title: The point
    id: the-point
    body: Text.
"""

SECTIONED_QUIZ = """topic: alpha
questions:
  - id: alpha-why
    type: text
    prompt: Why?
    rubric:
      - point: apples are named
        pattern: apple
        section: the-point
      - point: bananas are named
        pattern: banana
        section: beta/first
      - point: cherries are named
        pattern: cherr
    model_answer: An apple, a banana and a cherry.
"""


def sectioned_content(tmp):
    """A --content folder: lessons alpha and beta with section ids, and one
    text question of alpha whose key points name a section of alpha, a
    section of beta (TOPIC/ID) and none."""
    root = os.path.join(tmp, "sectioned")
    os.makedirs(os.path.join(root, "lessons"))
    os.makedirs(os.path.join(root, "quizzes"))
    for t in ("alpha", "beta"):
        with open(os.path.join(root, "lessons", t + ".yaml"), "w", encoding="utf-8") as f:
            f.write(SECTIONED_LESSON.format(id=t))
    with open(os.path.join(root, "quizzes", "alpha.yaml"), "w", encoding="utf-8") as f:
        f.write(SECTIONED_QUIZ)
    return root


HEADER = re.compile(r"^\[(?:question )?(\d+)(?:/(\d+)| · ([^\]]*))\] (\S+) \((\S+), (\S+)\)$")


def headers(out):
    """The question ids asked, in order, from a session's output."""
    return [m.group(4) for m in (HEADER.match(line) for line in out.splitlines()) if m]


def _shown(block, label):
    """The entries as shown ('    LABEL text', wrapped lines joined) after a
    question header, in the shown order."""
    items = []
    for line in block.splitlines():
        m = re.match(r"^    " + label + r" (.*)$", line)
        if m:
            items.append(m.group(1).strip())
        elif items and line.startswith("       ") and line.strip():
            items[-1] += " " + line.strip()
        elif items and not line.startswith("    "):
            break
    return items


def shown_items(block):
    """The order items as shown ('  N. text') after a question header."""
    return _shown(block, r"\d+\.")


def _norm(s):
    return " ".join(str(s).split())


def shown_choices(block):
    """The choices as shown ('    b) text') after a question header: their
    texts in the shown order (choices are shown shuffled)."""
    return _shown(block, r"(?:[a-z]|\d+)\)")


def _choice_text(c):
    return c["text"] if isinstance(c, dict) else c


def shown_letters(q, block, indexes):
    """The letters under which the choices of q at the written indexes are
    shown in block (as written when block shows no choices)."""
    shown = [_norm(s).replace("`", "") for s in shown_choices(block)]
    written = [_norm(_choice_text(c)).replace("`", "") for c in q["choices"]]
    if len(shown) != len(written):
        return [chr(ord("a") + i) for i in indexes]
    letters = []
    for i in indexes:
        best = difflib.get_close_matches(written[i], shown, n=1, cutoff=0.0)[0]
        letters.append(chr(ord("a") + shown.index(best)))
    return letters


def right_answer(q, block=""):
    """Lines that answer question q right; block is the output shown for it
    (order questions need the shown order)."""
    t = q["type"]
    if t == "choice":
        return shown_letters(q, block, [q["answer"]])
    if t == "multi":
        return [",".join(sorted(shown_letters(q, block, q["answer"]), reverse=True))]
    if t == "truefalse":
        return ["true" if q["answer"] else "f"]
    if t == "order":
        shown = shown_items(block)
        items = [_norm(i) for i in q["items"]]
        pos = []
        for item in items:
            best = difflib.get_close_matches(item, [_norm(s) for s in shown], n=1, cutoff=0.0)[0]
            pos.append(str([_norm(s) for s in shown].index(best) + 1))
        return [" ".join(pos)]
    if t == "output":
        return q["answer"].rstrip("\n").split("\n") + ["."]
    if t == "text":
        return q["model_answer"].strip().split("\n") + ["."]
    raise ValueError(t)


def wrong_answer(q, block=""):
    t = q["type"]
    if t == "choice":
        return shown_letters(q, block, [(q["answer"] + 1) % len(q["choices"])])
    if t == "multi":
        n = len(q["choices"])
        wrong = [i for i in range(n) if i not in q["answer"]] or [0]
        return shown_letters(q, block, [wrong[0]])
    if t == "truefalse":
        return ["no" if q["answer"] else "yes"]
    if t == "order":
        right = right_answer(q, block)[0].split()
        return [" ".join(right[1:] + right[:1])]
    if t == "output":
        return ["something else entirely", "."]
    if t == "text":
        return ["I have no idea.", "."]
    raise ValueError(t)


class Driver:
    """Drives a session over a pipe, one question at a time: reads the output
    up to the next question (or the end), answers it and reads on."""

    def __init__(self, proc):
        self.p = proc
        self.out = []

    def read_until(self, pattern, limit=400):
        rx = re.compile(pattern)
        lines = []
        for _ in range(limit):
            line = self.p.stdout.readline()
            if line == "":
                break
            line = line.rstrip("\n")
            self.out.append(line)
            lines.append(line)
            if rx.search(line):
                return lines, line
        return lines, None

    def send(self, *lines):
        for line in lines:
            self.p.stdin.write(line + "\n")
        self.p.stdin.flush()


# Where a session waits for an answer, or ends.
ASK_END = r"for keys$|^score: |^no answers recorded|^nothing due|^Interview report"


def drive(e, plan, *cmd, now, seed=7, per_question=False, limit=None):
    """Runs a session answering with plan(qid, n): 'right', 'wrong', or a
    key typed as it is ('quit', 'reveal', 'skip'). n counts the questions
    asked before, or with per_question the times this one was. Stops after
    limit questions when given. Returns (ids asked, output, exit status)."""
    p = e.popen(*cmd, seed=seed, now=now)
    d = Driver(p)
    asked = []
    while True:
        lines, last = d.read_until(ASK_END)
        if last is None or not last.endswith("for keys"):
            break
        if not any(HEADER.match(line) for line in lines) and any(line.startswith("[follow-up") for line in lines):
            d.send("skip")   # an interview's follow-up: not a question of the plan
            continue
        start = max(i for i, line in enumerate(lines) if HEADER.match(line))
        qid = HEADER.match(lines[start]).group(4)
        block = "\n".join(lines[start:])
        what = plan(qid, asked.count(qid) if per_question else len(asked))
        asked.append(qid)
        if what not in ("right", "wrong"):
            d.send(what)
            continue
        q = e.questions[qid]
        d.send(*(right_answer(q, block) if what == "right" else wrong_answer(q, block)))
        if "interview" not in cmd:
            d.send("")   # take the suggested rating
        if limit and len(asked) > limit:
            break
    p.stdin.close()
    d.out.extend(p.stdout.read().splitlines())
    return asked, "\n".join(d.out) + "\n", p.wait(timeout=60)
