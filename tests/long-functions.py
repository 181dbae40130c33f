#!/usr/bin/env python3
"""Lists the functions of src/ and cmd/ longer than 100 lines (from the line
that names the function to its closing brace) and fails when one is not an
exception of tests/long-functions.txt, where each line is 'FILE FUNCTION
REASON' and at most 3 are allowed. An exception that is no longer long (or no
longer there) fails too, so the list only shrinks.

    long-functions.py [SOURCE-ROOT]"""

import os
import re
import sys

LIMIT = 100
MAX_EXCEPTIONS = 3
ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A definition in the kernel style the tree uses: the name and its
# parameters start at column 0 (after the return type), the body's braces
# sit alone at column 0.
NAME = re.compile(r"^(?:[A-Za-z_][\w \t\*]*?[\s\*])?([A-Za-z_]\w*)\s*\(")


def functions(path):
    """Yields (name, first line, length in lines) of each function in path."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    start = name = None
    in_body = False
    for i, line in enumerate(lines):
        if in_body:
            if line.startswith("}"):
                yield name, start + 1, i - start + 1
                start = name = None
                in_body = False
            continue
        if start is not None:
            if line.startswith("{"):
                in_body = True
                continue
            if line[:1].isspace():
                continue   # more parameters
            start = name = None   # a prototype, a declaration: not a body
        m = NAME.match(line)
        if m and not line.startswith(("#", "}")) and not line.rstrip().endswith(";"):
            start, name = i, m.group(1)


def main():
    long = {}
    for folder in ("src", "cmd"):
        base = os.path.join(ROOT, folder)
        for fn in sorted(os.listdir(base)):
            if fn.endswith(".c"):
                for name, line, n in functions(os.path.join(base, fn)):
                    if n > LIMIT:
                        long[(f"{folder}/{fn}", name)] = (line, n)
    allowed = {}
    problems = []
    listing = os.path.join(ROOT, "tests", "long-functions.txt")
    with open(listing, encoding="utf-8") as f:
        for k, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                problems.append(f"tests/long-functions.txt:{k}: want 'FILE FUNCTION REASON': {line!r}")
                continue
            allowed[(parts[0], parts[1])] = parts[2]
    for (path, name), (line, n) in sorted(long.items()):
        mark = "allowed" if (path, name) in allowed else "LONG"
        print(f"{mark} {path}:{line}: {name}: {n} lines")
        if (path, name) not in allowed:
            problems.append(f"{path}:{line}: '{name}' has {n} lines (at most {LIMIT}): split it, "
                            f"or list it with its reason in tests/long-functions.txt")
    for (path, name), reason in sorted(allowed.items()):
        if (path, name) not in long:
            problems.append(f"tests/long-functions.txt: '{name}' in {path} is not over {LIMIT} lines "
                            f"any more (or is gone): remove it from the list")
    if len(allowed) > MAX_EXCEPTIONS:
        problems.append(f"tests/long-functions.txt lists {len(allowed)} functions; "
                        f"at most {MAX_EXCEPTIONS} may stay over {LIMIT} lines")
    for p in problems:
        print(p)
    print(f"{len(long)} functions over {LIMIT} lines; {len(allowed)} listed as exceptions "
          f"(at most {MAX_EXCEPTIONS})")
    sys.exit(1 if problems else 0)


main()
