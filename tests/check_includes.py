"""The module graph of src/ and cmd/, checked against the one declared in
src/README: every `#include "x.h"` between modules must be an edge the
README allows, the graph has no cycle, and each third-party header is
included by its one module only.

    python3 tests/check_includes.py [SOURCE_ROOT]

A module is a file name up to its first '_' or '.': session_ask.c belongs
to session, catalog_load.c to catalog. cmd/ is one module, 'cmd'. The
README's graph is the block of lines between '```deps' and '```', each
'module: dep dep ...'. Exits 1 listing every violation."""

import os
import re
import sys

TOP = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                      os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Each third-party header and the one module that may include it.
THIRD_PARTY = {
    "yaml.h": "ydoc",
    "pcre2.h": "regex",
    "sqlite3.h": "store",
    "md4c.h": "render",
    "md4c-html.h": "render",
    "histedit.h": "repl",
    "editline/readline.h": "repl",
}


def module_of(path):
    rel = os.path.relpath(path, TOP)
    if rel.startswith("cmd" + os.sep):
        return "cmd"
    return re.split(r"[_.]", os.path.basename(path))[0]


def declared():
    with open(os.path.join(TOP, "src", "README")) as f:
        text = f.read()
    m = re.search(r"```deps\n(.*?)```", text, re.S)
    if not m:
        sys.exit("src/README: no ```deps block")
    allowed = {}
    for line in m.group(1).splitlines():
        if not line.strip():
            continue
        name, _, deps = line.partition(":")
        allowed[name.strip()] = set(deps.split())
    return allowed


def main():
    allowed = declared()
    problems = []
    edges = {}
    files = []
    for d in ("src", "cmd"):
        for name in sorted(os.listdir(os.path.join(TOP, d))):
            if name.endswith((".c", ".h")):
                files.append(os.path.join(TOP, d, name))
    known = {module_of(f) for f in files}
    for f in files:
        mod = module_of(f)
        if mod not in allowed:
            problems.append(f"{os.path.relpath(f, TOP)}: module '{mod}' is not in src/README's graph")
            continue
        with open(f) as fh:
            for n, line in enumerate(fh, 1):
                m = re.match(r'\s*#\s*include\s*([<"])([^>"]+)[>"]', line)
                if not m:
                    continue
                header = m.group(2)
                owner = THIRD_PARTY.get(header)
                if owner and owner != mod:
                    problems.append(f"{os.path.relpath(f, TOP)}:{n}: includes <{header}>, which only "
                                    f"'{owner}' may include")
                if m.group(1) != '"' or header == "config.h":
                    continue
                dep = module_of(header)
                if dep == mod:
                    continue
                if dep not in known:
                    continue
                edges.setdefault(mod, set()).add(dep)
                if dep not in allowed[mod]:
                    problems.append(f"{os.path.relpath(f, TOP)}:{n}: '{mod}' includes {header}, "
                                    f"an edge src/README does not allow ({mod} -> {dep})")
    # A cycle in the declared graph (and so in the real one, which is a part of it).
    state = {}

    def visit(m, path):
        state[m] = 1
        for d in sorted(allowed.get(m, ())):
            if state.get(d) == 1:
                problems.append("src/README: cycle " + " -> ".join(path[path.index(d):] + [d]) if d in path
                                else f"src/README: cycle through {d}")
            elif d not in state:
                visit(d, path + [d])
        state[m] = 2

    for m in sorted(allowed):
        if m not in state:
            visit(m, [m])
    for m in sorted(set(allowed) - known):
        problems.append(f"src/README: module '{m}' has no source file")
    for p in problems:
        print(p)
    print(f"include graph: {len(known)} modules, {sum(len(v) for v in edges.values())} edges, "
          f"{len(problems)} problem{'s' if len(problems) != 1 else ''}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
