"""Every text question's rubric against answers generated from its own model
answer, so no rubric can quietly regress:

- the model answer with its sentences in reverse order passes;
- every term of the shared vocabulary that the rubric uses, replaced in the
  model answer by another phrase of the same set, passes;
- the model answer with -ise words spelt -ize (and back) passes;
- for each key point, the model answer without every sentence that earns it
  misses it (a point earned by context elsewhere is a rubric that does not
  look where the claim is), and fails when the point is required;
- for each required key point, the sentences that earn it denied ("It is
  not true that ...", each part between semicolons and colons) fail;
- with a `contrast` key, the model answer with each pair of contrasted terms
  swapped (every word form of both at once, longest first, so 'non-daemon'
  never becomes 'non-non-daemon') fails;
- at least 8 `pass` and 8 `fail` examples per question.

Grading runs in the real grader (tests/bench/grade-eval, built with the
tree). Prints one line per problem and exits 1 when there is any."""

import glob
import os
import re
import subprocess
import sys

import yaml

SRC = os.environ.get("PYDOJO_SOURCE_ROOT",
                     os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILD = os.environ.get("PYDOJO_BUILD_ROOT", os.path.join(SRC, "build"))
TOOL = os.path.join(BUILD, "tests", "bench", "grade-eval")
MIN_EXAMPLES = 8

problems = []

ABBREV = re.compile(r"\b(e\.g|i\.e|vs|etc|cf|approx|Mr|Dr)\.$", re.I)
# Words ending in -ise/-ize that have no other spelling.
NOT_ISE = set("""otherwise promise exercise precise concise advise surprise comprise
compromise premise likewise expertise enterprise franchise merchandise paradise
revise supervise televise devise improvise despise chastise disguise excise
incise demise mortise treatise raise praise arise noise poise cruise bruise
turquoise anise reprise clockwise lengthwise stepwise pairwise elementwise
streetwise""".split())
NOT_IZE = set("size resize prize seize capsize downsize oversize outsize".split())


def sentences(text):
    """The model answer's sentences (prose written by the content's authors:
    code blocks and list items stay whole)."""
    text = text.strip()
    if "```" in text:
        return [text]
    out, cur = [], ""
    for piece in re.split(r"(?<=[.!?])\s+", text):
        cur = f"{cur} {piece}" if cur else piece
        if ABBREV.search(cur) or re.search(r"\d\.$", cur):
            continue
        out.append(cur)
        cur = ""
    if cur:
        out.append(cur)
    return out


def forms(word):
    """English forms of word, as terms.yaml's '+' makes them (over-generating
    is harmless here: a form that is not in the text is not replaced)."""
    w = word
    out = {w, w + "s", w + "es", w + "ed", w + "d", w + "ing"}
    if w.endswith("e"):
        out |= {w[:-1] + "ing", w[:-1] + "ed"}
    if w.endswith("y") and len(w) > 2 and w[-2] not in "aeiou":
        out |= {w[:-1] + "ies", w[:-1] + "ied"}
    if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", w):
        out |= {w + w[-1] + "ing", w + w[-1] + "ed"}
    return out


def phrase_forms(entry, terms, seen=()):
    if entry.startswith("@"):
        name = entry[1:]
        if name in seen or name not in terms:
            return set()
        return set().union(*(phrase_forms(str(e), terms, seen + (name,)) for e in terms[name]))
    words = entry.split(" ")
    last = words[-1]
    if last.endswith("+"):
        return {" ".join(words[:-1] + [f]) for f in forms(last[:-1])}
    return {entry}


def load_terms():
    path = os.path.join(SRC, "terms.yaml")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        # BaseLoader: every entry a string, as pydojo reads it (no -> "no", not False)
        return (yaml.load(f, Loader=yaml.BaseLoader) or {}).get("terms") or {}


def grade(batch):
    """batch: [(qid, label, answer)] -> {label: (verdict, hits)}"""
    data = "".join(f"{q}\0{l}\0{a}\0" for q, l, a in batch).encode()
    env = dict(os.environ, PYDOJO_DATADIR=SRC)
    out = subprocess.run([TOOL], input=data, env=env, stdout=subprocess.PIPE,
                         check=True).stdout.decode()
    res = {}
    for line in out.splitlines():
        parts = line.split()
        res[parts[0]] = (parts[1], parts[3] if len(parts) > 3 else "")
    return res


def swap(text, a_forms, b_forms):
    """Swaps every form of a with the matching form of b, both ways at once."""
    pairs = {}
    for fa in a_forms:
        pairs[fa.lower()] = None
    table = {}
    for src, dst in ((a_forms, b_forms), (b_forms, a_forms)):
        for s in src:
            table[s.lower()] = dst
    alts = sorted(table, key=len, reverse=True)
    rx = re.compile(r"(?<![\w-])(" + "|".join(re.escape(x) for x in alts) + r")(?![\w-])", re.I)

    def repl(m):
        word = m.group(1).lower()
        dst = table[word]
        # The form of the other term with the same ending, else its base.
        src_base = min((x for x in table if table[x] is dst and word.startswith(x[:3])), key=len, default=word)
        suffix = word[len(src_base):] if word.startswith(src_base) else ""
        base = min(dst, key=len)
        cand = base + suffix
        return cand if cand.lower() in {d.lower() for d in dst} else base
    return rx.sub(repl, text)


def rubric_terms(q):
    names = set()
    for p in q.get("rubric") or []:
        for key in ("says", "about"):
            names |= set(re.findall(r"(?<!\\)@([a-z0-9-]+)", str(p.get(key) or "")))
    return names


def negate(sentence):
    """The sentence denied as a whole (inserting "not" after a verb can land
    in a subordinate clause and leave the claim standing): each part between
    semicolons and colons gets its own denial, since the grader reads what
    follows one as the correction of a denied claim."""
    parts, start, code = [], 0, False
    for i, ch in enumerate(sentence):
        if ch == "`":
            code = not code
        elif not code and ch in ";:" and sentence[i + 1:i + 2] in (" ", "\n"):
            parts.append(sentence[start:i + 1])
            start = i + 2
    parts.append(sentence[start:])
    return " ".join("It is not true that " + p[0].lower() + p[1:] for p in parts if p)


def main():
    if not os.access(TOOL, os.X_OK):
        sys.exit(f"{TOOL} is missing: build the tree first")
    terms = load_terms()
    questions = []
    for path in sorted(glob.glob(os.path.join(SRC, "quizzes", "*.yaml"))):
        with open(path, encoding="utf-8") as f:
            quiz = yaml.safe_load(f)
        for q in quiz.get("questions") or []:
            if q.get("type") == "text":
                questions.append(q)
    batch, expect = [], {}

    def add(q, label, answer, want, what):
        lab = f"{q['id']}#{len(batch)}"
        batch.append((q["id"], lab, answer))
        expect[lab] = (want, what, answer, q)

    for q in questions:
        ex = q.get("examples") or {}
        for kind in ("pass", "fail"):
            n = len(ex.get(kind) or [])
            if n < MIN_EXAMPLES:
                problems.append(f"{q['id']}: {n} '{kind}' examples, want at least {MIN_EXAMPLES}")
        model = q.get("model_answer") or ""
        sents = sentences(model)
        if len(sents) > 1:
            add(q, "", " ".join(reversed(sents)), "pass", "sentences reordered")
        for i, s in enumerate(sents):
            add(q, "", s, "alone", i)
        ize = re.sub(r"\b(\w{3,}?)is(e|es|ed|ing|ation|ations)\b",
                     lambda m: m.group(0) if m.group(1).lower() + "ise" in NOT_ISE else m.group(1) + "iz" + m.group(2), model)
        if ize != model:
            add(q, "", ize, "pass", "-ize spelling")
        ise = re.sub(r"\b(\w{3,}?)iz(e|es|ed|ing|ation|ations)\b",
                     lambda m: m.group(0) if m.group(1).lower() + "ize" in NOT_IZE else m.group(1) + "is" + m.group(2), model)
        if ise != model:
            add(q, "", ise, "pass", "-ise spelling")
        for name in sorted(rubric_terms(q)):
            entries = [e for e in terms.get(name, []) if isinstance(e, str) and not e.startswith("@")]
            found = None
            for e in sorted(entries, key=len, reverse=True):
                for f in sorted(phrase_forms(e, terms), key=len, reverse=True):
                    if re.search(r"(?<![\w-])" + re.escape(f) + r"(?![\w-])", model, re.I):
                        found = (e, f)
                        break
                if found:
                    break
            if not found:
                continue
            others = [e for e in entries if e != found[0]]
            if not others:
                continue
            other = others[0].rstrip("+")
            text = re.sub(r"(?<![\w-])" + re.escape(found[1]) + r"(?![\w-])", other, model, count=1, flags=re.I)
            add(q, "", text, "pass", f"'{found[1]}' replaced by '{other}' from @{name}")
        for pair in q.get("contrast") or []:
            a, b = pair
            fa = phrase_forms(a, terms) if a.startswith("@") else phrase_forms(a + "+", terms) | {a}
            fb = phrase_forms(b, terms) if b.startswith("@") else phrase_forms(b + "+", terms) | {b}
            add(q, "", swap(model, fa, fb), "fail", f"'{a}' and '{b}' swapped")
    res = grade(batch)

    # Which sentences earn which point; then the drop and negation answers.
    carried = {}
    for lab, (want, what, answer, q) in expect.items():
        verdict, hits = res[lab]
        if want == "alone":
            carried.setdefault(q["id"], {})[what] = hits
        elif (verdict == "pass") != (want == "pass"):
            problems.append(f"{q['id']}: {what}: should {want} but {verdict}es\n    {answer}")
    batch2, expect2 = [], {}
    for q in questions:
        sents = sentences(q.get("model_answer") or "")
        per = carried.get(q["id"], {})
        rubric = q.get("rubric") or []
        required = q.get("pass", len(rubric)) == len(rubric)
        for k, p in enumerate(rubric):
            holders = [i for i, h in per.items() if k < len(h) and h[k] == "1"]
            if not holders or len(holders) == len(sents):
                continue
            rest = " ".join(s for i, s in enumerate(sents) if i not in holders)
            lab = f"{q['id']}#d{k}"
            batch2.append((q["id"], lab, rest))
            expect2[lab] = ("drop", k, required, rest, q, p)
            if required:
                neg = [negate(s) if j in holders else s for j, s in enumerate(sents)]
                lab = f"{q['id']}#n{k}"
                batch2.append((q["id"], lab, " ".join(neg)))
                expect2[lab] = ("negate", k, required, " ".join(neg), q, p)
    res2 = grade(batch2)
    for lab, (kind, k, required, answer, q, p) in expect2.items():
        verdict, hits = res2[lab]
        point = p.get("point")
        if kind == "drop" and k < len(hits) and hits[k] == "1":
            problems.append(f"{q['id']}: point '{point}' is still earned with the sentences that make it dropped\n    {answer}")
        elif required and verdict == "pass":
            what = "its sentences dropped" if kind == "drop" else "a sentence that makes it negated"
            problems.append(f"{q['id']}: passes with point '{point}' {what}\n    {answer}")
    print(f"{len(questions)} text questions, {len(batch) + len(batch2)} generated answers graded")
    kinds = {"swapped": 0, "reordered": 0, "replaced by": 0, "spelling": 0}
    for want, what, _, _ in expect.values():
        for k in kinds:
            kinds[k] += isinstance(what, str) and k in what
    drops = sum(1 for v in expect2.values() if v[0] == "drop")
    print(f"  {kinds['swapped']} with contrasted terms swapped (fail), {kinds['reordered']} reordered (pass), "
          f"{kinds['replaced by']} with a synonym (pass), {kinds['spelling']} respelt (pass), "
          f"{drops} with a point's sentences dropped, {len(expect2) - drops} with them denied (fail)")
    for p in problems:
        print("FAIL -", p)
    print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
