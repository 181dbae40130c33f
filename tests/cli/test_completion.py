"""Completion and the man page come from the command table: the bash
completion (doc/pydojo.bash-completion, installed as is, see test_install)
run in a real bash offers the table's commands, exactly the demo ids after
`demo`, exactly the topic ids after `quiz`/`learn`; the REPL's help (every
row of the table) and doc/pydojo.1's COMMANDS section name the same
commands."""

import json
import os
import re
import subprocess
import tempfile

from clitest import BIN, SRC, expect, private_env, run, run_tests

SCRIPT = os.path.join(SRC, "doc", "pydojo.bash-completion")


def complete(*words):
    """COMPREPLY of the bash completion for `pydojo WORDS...`, the last word
    the one being completed."""
    with tempfile.TemporaryDirectory(prefix="pydojo-comp-") as tmp:
        os.symlink(os.path.abspath(BIN), os.path.join(tmp, "pydojo"))
        env = private_env(tmp)
        env["PATH"] = tmp + os.pathsep + env.get("PATH", "")
        quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in ("pydojo",) + words)
        script = (f"source '{SCRIPT}'\nCOMP_WORDS=({quoted})\nCOMP_CWORD={len(words)}\n"
                  "_pydojo\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
        p = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], env=env, cwd=SRC,
                           capture_output=True, text=True, timeout=60)
        expect(p.returncode == 0, f"bash: {p.returncode} {p.stderr!r}")
        return [w for w in p.stdout.split("\n") if w]


def table(repl):
    """The commands as help lists them: every row at the prompt, the rows
    that work on the command line otherwise."""
    rc, out, err = run([], stdin="help\n") if repl else run(["help"])
    expect(rc == 0, f"help: {rc} {err!r}")
    names = re.findall(r"^  (\S+)", out.split("Commands:\n", 1)[1].split("\n\n", 1)[0], re.M)
    expect(len(names) >= 10, f"too few commands in help: {names}")
    return names


def man_commands():
    """The command names of doc/pydojo.1's COMMANDS section: the first word
    of each entry's .B line, and each name after a comma ("help, version")."""
    with open(os.path.join(SRC, "doc", "pydojo.1"), encoding="utf-8") as f:
        text = f.read()
    section = text.split("\n.SH COMMANDS\n", 1)[1].split("\n.SH ", 1)[0]
    names = set()
    for entry in re.findall(r"^\.TP\n\.B (.*)$", section, re.M):
        for part in entry.split(", "):
            names.add(part.split()[0])
    names.discard("__complete")   # internal, documented as such
    return names


def test_commands_agree_with_the_table():
    cli = table(False)
    expect("undo" in cli, cli)
    got = complete("")
    expect(got == cli, f"bash offers {got}, the table has {cli}")
    expect(complete("u") == ["undo"], complete("u"))


def test_man_page_lists_the_table():
    every = set(table(True))
    man = man_commands()
    expect(man == every, f"only in the man page: {sorted(man - every)}; only in the table: {sorted(every - man)}")


def test_demo_ids_exactly():
    rc, out, err = run(["demo", "list", "--json"])
    expect(rc == 0, err)
    ids = [d["id"] for d in json.loads(out)]
    got = complete("demo", "")
    expect(got == ids, f"demo <TAB> offers {got}, the ids are {ids}")
    expect(complete("demo", "ge") == [i for i in ids if i.startswith("ge")], complete("demo", "ge"))


def test_topic_ids_exactly():
    rc, out, err = run(["topics", "--json"])
    expect(rc == 0, err)
    ids = [t["id"] for t in json.loads(out)]
    for cmd in ("quiz", "learn", "sections"):
        got = complete(cmd, "")
        expect(got == ids, f"{cmd} <TAB> offers {got}, the topics are {ids}")
    # learn TOPIC <TAB>: the section ids 'sections' shows in brackets.
    rc, out, err = run(["sections", "gil"])
    sections = re.findall(r"  \[([a-z0-9-]+)\]$", out, re.M)
    expect(sections and complete("learn", "gil", "") == sections, complete("learn", "gil", ""))


def test_options_and_values():
    expect("--content" in complete("--"), complete("--"))
    expect(complete("review", "--") == ["--new-limit"], complete("review", "--"))
    expect(complete("--seed", "1", "interview", "--t") == ["--topics"], complete("--seed", "1", "interview", "--t"))
    expect(complete("fsrs", "") == ["replay"], complete("fsrs", ""))
    # A file name after --anki, a folder after --content.
    got = complete("export", "--anki", "doc/pydojo.")
    expect("doc/pydojo.1" in got, got)
    got = complete("--content", "do")
    expect(got == ["doc"], got)


run_tests(globals())
