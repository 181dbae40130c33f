"""The curriculum's quotas, checked on the shipped lessons and quizzes (they
are tests of the content, never `pydojo check` errors): the fifteen core
topics, the language-internals track (15 questions, 3 of them text) and
the backend track (the same, with examples run against the frameworks), 5-9 sections with at least two worked examples and an "In the
interview" section per lesson, an id on every section, at least 18 questions per quiz using every
type, explanations everywhere, hints on most, text questions with a model
answer and at least three passing and three failing examples, every key point
naming the section that teaches it, and lessons
linking every demo whose manifest entry names their topic."""

import glob
import os
import sys

import yaml

SRC = os.environ.get("PYDOJO_SOURCE_ROOT",
                     os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

CORE = ["collections", "gil", "threads", "processes", "asyncio", "blocking",
        "event-loop", "generators", "methods", "decorators", "daemon-threads",
        "selectors", "executors", "streams", "concurrency-choice"]
# The language-internals track and the asyncio patterns that the core
# lessons had no room for: at least 15 questions each, at least 3 of them
# text questions, every type.
INTERNALS = ["execution-model", "imports", "object-model", "memory", "dunders",
             "caching", "python-versions"]
# The backend stack: every lesson's worked examples run against the real
# frameworks (`needs:`), except Next.js's, which is cited, never run, and
# shorter (4 sections, 10 questions).
STACK = ["django", "celery", "rest", "auth", "mongodb", "config", "serverless", "object-storage", "nextjs"]
EXTENDED = INTERNALS + ["asyncio-patterns"] + STACK
TOPICS = CORE + EXTENDED
TYPES = ["choice", "multi", "truefalse", "order", "output", "text"]

problems = []


def need(cond, msg):
    if not cond:
        problems.append(msg)


def load(kind, topic):
    path = os.path.join(SRC, kind, topic + ".yaml")
    if not os.path.exists(path):
        problems.append(f"{kind}/{topic}.yaml is missing")
        return None
    return yaml.safe_load(open(path, encoding="utf-8"))


def check_lesson(topic, ls, demo_topics):
    secs = ls.get("sections") or []
    least = 4 if topic == "nextjs" else 5
    need(least <= len(secs) <= 9, f"{topic}: {len(secs)} sections, want {least}-9")
    worked = [s for s in secs if s.get("code") and s["code"].get("output")]
    if topic in STACK and topic != "nextjs":
        worked = [s for s in worked if s["code"].get("needs")]
    if topic != "nextjs":
        need(len(worked) >= 2, f"{topic}: {len(worked)} worked examples with output, want 2"
             + (" run against the frameworks (needs:)" if topic in STACK else ""))
    need(any(s.get("title") == "In the interview" for s in secs),
         f"{topic}: no section titled 'In the interview'")
    # Ids are optional in a user's content, but every shipped section has one:
    # a missed key point names the section to read by its id.
    for s in secs:
        need(s.get("id"), f"{topic}: section '{s.get('title')}' has no id")
    need(ls.get("level") == "core", f"{topic}: level is not core")
    if topic in INTERNALS:
        need(ls.get("track") == "internals", f"{topic}: track is not 'internals'")
    if topic in STACK:
        need(ls.get("track") == "backend", f"{topic}: track is not 'backend'")
    linked = set(ls.get("demos") or [])
    for demo, topics in demo_topics.items():
        if topic in topics:
            need(demo in linked, f"{topic}: demo '{demo}' names this topic but the lesson does not link it")
    need(ls.get("see_also"), f"{topic}: no see_also")


def check_quiz(topic, qz):
    qs = qz.get("questions") or []
    by = {t: [q for q in qs if q.get("type") == t] for t in TYPES}
    want_q, want_out, want_text = (15, 2, 3) if topic in EXTENDED else (18, 4, 4)
    if topic == "nextjs":
        want_q, want_out = 10, 0
    need(len(qs) >= want_q, f"{topic}: {len(qs)} questions, want {want_q}")
    need(len(by["output"]) >= want_out, f"{topic}: {len(by['output'])} output questions, want {want_out}")
    need(len(by["text"]) >= want_text, f"{topic}: {len(by['text'])} text questions, want {want_text}")
    need(len(by["order"]) >= 1, f"{topic}: no order question")
    for t in ("choice", "multi", "truefalse"):
        need(by[t], f"{topic}: no {t} question")
    if topic in STACK and topic != "nextjs":
        need(any(q.get("needs") for q in by["output"]),
             f"{topic}: no output question runs against the frameworks (needs:)")
    for q in qs:
        need(q.get("explain"), f"{topic}: {q.get('id')} has no explain")
    hinted = sum(1 for q in qs if q.get("hint"))
    need(hinted * 2 > len(qs), f"{topic}: only {hinted} of {len(qs)} questions have a hint")
    for q in by["text"]:
        ex = q.get("examples") or {}
        need(q.get("model_answer"), f"{topic}: {q['id']} has no model answer")
        need(len(ex.get("pass") or []) >= 3, f"{topic}: {q['id']} has fewer than 3 passing examples")
        need(len(ex.get("fail") or []) >= 3, f"{topic}: {q['id']} has fewer than 3 failing examples")
        for pt in q.get("rubric") or []:
            need(pt.get("section"), f"{topic}: {q['id']}: key point '{pt.get('point')}' names no section")


def main():
    demos = yaml.safe_load(open(os.path.join(SRC, "demos", "demos.yaml"), encoding="utf-8")) or []
    demo_topics = {d["id"]: d.get("topics") or [] for d in demos}
    need(len(demo_topics) >= 13, f"{len(demo_topics)} demos in the manifest, want 13")
    shipped = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(SRC, "lessons", "*.yaml")))
    for topic in TOPICS:
        ls = load("lessons", topic)
        qz = load("quizzes", topic)
        if ls:
            check_lesson(topic, ls, demo_topics)
        if qz:
            check_quiz(topic, qz)
        print(f"checked {topic}")
    for extra in set(shipped) - set(TOPICS):
        print(f"note: {extra} is shipped beyond the curriculum's topics")
    for p in problems:
        print("FAIL " + p)
    print(f"{len(TOPICS)} topics checked, {len(problems)} problems")
    sys.exit(1 if problems else 0)


main()
