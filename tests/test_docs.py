"""The README and docs/ stay true to the repository: every relative link and anchor resolves, and every
command they show names a script, module, flag or ``make`` target that exists.

Why: the docs are the front door, and a renamed flag or a moved section breaks a newcomer's first command
without failing any other test. Commands are read from shell code blocks and from inline code that
starts like a command (``python``, ``bash``, ``make``, ``pytest``). A ``python -m`` module is located with
``importlib`` finders without importing it; the flags of our own scripts and modules are read from their
argparse parsers, built in one subprocess by running each entry point until it parses its arguments.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from importlib.machinery import PathFinder
from importlib.util import find_spec
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^(`{3,}|~{3,})[ \t]*([\w+-]*)[^\n]*\n(.*?)^\1[ \t]*$", re.M | re.S)
SHELL = {"bash", "sh", "shell", "console"}
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
INLINE = re.compile(r"(?<!`)`([^`]+)`(?!`)")
COMMAND_START = re.compile(r"^(?:[A-Za-z_]\w*=\S*\s+)*(?:\S*python[\d.]*|bash|make|pytest)\s")
SEPARATORS = {";", "&&", "||", "|", "&"}
NOT_CHECKED = {"pip", "ray", "export", "cd", "echo", "nvidia-smi", "done", "fi", "source"}
INTROSPECT = r"""
import argparse, json, runpy, sys
class Captured(Exception): pass
def capture(self, *args, **kwargs): raise Captured(self)
argparse.ArgumentParser.parse_args = argparse.ArgumentParser.parse_known_args = capture
def options(parser):
    subs = [s for a in parser._actions
            if isinstance(a, argparse._SubParsersAction) for s in a.choices.values()]
    return {o for a in parser._actions for o in a.option_strings}.union(*map(options, subs))
out = {}
for kind, name in json.loads(sys.argv[1]):
    sys.argv = [name]
    try:
        run = runpy.run_module if kind == "module" else runpy.run_path
        run(name, run_name="__main__")
        out[name] = "it ended without parsing its arguments with argparse"
    except Captured as captured:
        out[name] = sorted(options(captured.args[0]))
    except BaseException as exc:
        out[name] = f"it failed before parsing its arguments: {exc!r}"
print("\n" + json.dumps(out))
"""


def docs() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def prose(text: str) -> str:
    """The text outside fenced code blocks (where a '#' line is a comment, not a heading)."""
    return FENCE.sub("", text)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: rendered text, lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").replace("*", "")
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    for match in re.finditer(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", prose(path.read_text(encoding="utf-8")), re.M):
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
    return {f"{base}-{i}" if i else base for base, n in seen.items() for i in range(n)}


def link_problems(doc: Path) -> list[str]:
    """Every relative link of ``doc`` names an existing file, and its #anchor a heading of that file."""
    problems = []
    for target in LINK.findall(INLINE.sub("", prose(doc.read_text(encoding="utf-8")))):
        if re.match(r"^[a-zA-Z][\w+.-]*:", target):
            continue  # an external address
        path, _, anchor = target.partition("#")
        file = (doc.parent / path).resolve() if path else doc
        if not file.exists():
            problems.append(f"{doc.name}: link {target!r}: {path} does not exist")
        elif anchor and (file.suffix != ".md" or anchor not in anchors(file)):
            problems.append(f"{doc.name}: link {target!r}: no heading #{anchor} in {file.name}")
    return problems


def commands(text: str) -> list[str]:
    """Command lines of the shell code blocks (continuations joined) and inline code that reads as one."""
    found = []
    for match in FENCE.finditer(text):
        if match.group(2).lower() in SHELL:
            found += [line for line in match.group(3).replace("\\\n", " ").splitlines() if line.strip()]
    for span in INLINE.findall(prose(text)):
        span = " ".join(span.split())
        if COMMAND_START.match(span + " "):
            found.append(span)
    return found


def segments(line: str) -> list[list[str]]:
    """The simple commands of one line: placeholders (``<dir>``) become a word, comments are dropped."""
    lexer = shlex.shlex(re.sub(r"<[^<>\s][^<>]*>", "X", line), posix=True, punctuation_chars=";&|")
    lexer.whitespace_split, lexer.commenters = True, "#"
    parts: list[list[str]] = [[]]
    for token in lexer:
        if token in SEPARATORS:
            parts.append([])
        else:
            parts[-1].append(token)
    return [part for part in parts if part]


def module_file(name: str, repo: Path) -> Path | None:
    """Where ``python -m name`` run in ``repo`` would run from, found through the import finders without
    importing any package (importing verl just to find a module costs seconds)."""
    top, *rest = name.split(".")
    spec = PathFinder.find_spec(top, [str(repo), *sys.path]) or find_spec(top)
    for i in range(len(rest)):
        if spec is None or not spec.submodule_search_locations:
            return None
        spec = PathFinder.find_spec(".".join([top, *rest[: i + 1]]), list(spec.submodule_search_locations))
    if spec is None or spec.origin is None:
        return None
    origin = Path(spec.origin)
    return origin.with_name("__main__.py") if origin.name == "__init__.py" else origin


def flags(args: list[str]) -> list[str]:
    return [a.strip("[]").split("=", 1)[0] for a in args if a.strip("[]").startswith("--")]


class Checker:
    """Collects what each command needs; parsers of our entry points are read in one subprocess."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.problems: list[str] = []
        self.wanted: dict[tuple[str, str], list[tuple[str, list[str]]]] = {}
        text = (repo / "Makefile").read_text(encoding="utf-8")
        self.targets = set(re.findall(r"^([\w.-]+)\s*:(?!=)", text, re.M))

    def add(self, where: str, line: str) -> None:
        loop: dict[str, list[str]] = {}
        for tokens in segments(line):
            while tokens and tokens[0] in {"do", "then", "else", "time"}:
                tokens = tokens[1:]
            if tokens and tokens[0] == "for":
                loop[tokens[1]] = tokens[3:]
                continue
            while tokens and re.match(r"^[A-Za-z_]\w*=", tokens[0]):
                tokens = tokens[1:]
            if not tokens or tokens[0] in NOT_CHECKED:
                continue
            runs = [tokens]  # one command per value of an enclosing ``for`` loop's variable
            for var, values in loop.items():
                if any(f"${var}" in t for t in tokens):
                    runs = [[t.replace(f"${var}", v) for t in tokens] for v in values]
            for run in runs:
                self.check(f"{where}: {line.strip()}", run)

    def check(self, where: str, tokens: list[str]) -> None:
        cmd, args = tokens[0], [a for a in tokens[1:] if a.strip("[]") not in {"", "...", "…"}]
        if re.fullmatch(r"python[\d.]*", Path(cmd).name):
            if args[:1] == ["-c"]:
                return
            if args[:1] == ["-m"] and len(args) > 1:
                path = module_file(args[1], self.repo)
                if path is None:
                    return self.problems.append(f"{where}: module {args[1]} not found")
                self.want(where, "module", args[1], path, flags(args[2:]))
            elif args:
                path = self.repo / args[0]
                if not path.is_file():
                    return self.problems.append(f"{where}: script {args[0]} does not exist")
                self.want(where, "script", str(path), path, flags(args[1:]))
        elif cmd == "bash":
            path = self.repo / args[0]
            if not path.is_file():
                return self.problems.append(f"{where}: script {args[0]} does not exist")
            text = path.read_text(encoding="utf-8")
            for sourced in re.findall(r"^\s*(?:source|\.)\s+\S*?([\w.-]+\.sh)\"?\s*$", text, re.M):
                text += (path.parent / sourced).read_text(encoding="utf-8")
            for flag in flags(args[1:]):
                if not re.search(rf"{re.escape(flag)}(?![\w-])", text):
                    self.problems.append(f"{where}: {args[0]} does not handle {flag}")
        elif cmd == "make":
            for target in (a for a in args if "=" not in a and not a.startswith("-")):
                if target not in self.targets:
                    self.problems.append(f"{where}: no Makefile target {target!r}")
        elif cmd == "pytest":
            for path in (a.split("::")[0] for a in args if not a.startswith("-")):
                if not (self.repo / path).exists():
                    self.problems.append(f"{where}: {path} does not exist")
        else:
            self.problems.append(f"{where}: command {cmd!r} is not one this test knows how to check")

    def want(self, where: str, kind: str, name: str, path: Path, wanted: list[str]) -> None:
        """Flags are checked for our own entry points; other projects' (verl's Hydra CLI) are theirs."""
        ours = path.resolve().is_relative_to(self.repo.resolve()) and "site-packages" not in path.parts
        if wanted and ours:
            self.wanted.setdefault((kind, name), []).append((where, wanted))

    def finish(self) -> list[str]:
        if self.wanted:
            result = subprocess.run(
                [sys.executable, "-c", INTROSPECT, json.dumps(sorted(self.wanted))],
                capture_output=True, text=True, cwd=self.repo, timeout=300,
                env={**os.environ, "PYTHONPATH": str(self.repo)},
            )  # fmt: skip
            assert result.returncode == 0, result.stderr[-3000:]
            found = json.loads(result.stdout.strip().splitlines()[-1])
            for (_, name), uses in self.wanted.items():
                for where, wanted in uses:
                    if isinstance(options := found[name], str):
                        self.problems.append(f"{where}: cannot read the flags of {name}: {options}")
                    elif missing := [f for f in wanted if f not in options]:
                        self.problems.append(f"{where}: {name} has no flag {', '.join(missing)}")
        return self.problems


def command_problems(paths: list[Path], repo: Path = REPO) -> list[str]:
    checker = Checker(repo)
    for path in paths:
        for line in commands(path.read_text(encoding="utf-8")):
            checker.add(path.name, line)
    return checker.finish()


# --- the repository's docs ----------------------------------------------------------------------------
def test_docs_exist_and_readme_is_a_landing_page() -> None:
    assert len(docs()) >= 10
    assert len((REPO / "README.md").read_text(encoding="utf-8").splitlines()) <= 200


@pytest.mark.parametrize("doc", docs(), ids=lambda p: p.name)
def test_every_relative_link_and_anchor_resolves(doc: Path) -> None:
    assert link_problems(doc) == []


def test_every_command_names_what_exists() -> None:
    assert sum(len(commands(p.read_text(encoding="utf-8"))) for p in docs()) >= 30
    assert command_problems(docs()) == []


# --- the checks themselves, on small docs --------------------------------------------------------------
def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_broken_links_and_anchors_are_found(tmp_path: Path) -> None:
    page = "# Page\n\n## The real-model demo (`make demo`)\n\n```bash\n# not a heading\n```\n"
    _write(tmp_path, "docs/page.md", page)
    ok = "[p](docs/page.md#the-real-model-demo-make-demo) [web](https://x.org/#a)\n"
    assert link_problems(_write(tmp_path, "README.md", ok)) == []
    bad = "[a](docs/missing.md) [b](docs/page.md#not-a-heading) [c](#nowhere) `[d](no.md)`\n"
    problems = link_problems(_write(tmp_path, "BAD.md", bad))
    assert len(problems) == 3, problems
    assert "docs/missing.md does not exist" in problems[0] and "#not-a-heading" in problems[1]


def test_renamed_flags_missing_scripts_modules_and_targets_are_found(tmp_path: Path) -> None:
    good = _write(
        tmp_path,
        "good.md",
        "```bash\npython data_preprocess/mix.py --inputs a b \\\n    --local_save_dir out   # a comment\n"
        "for d in medqa medcalc; do python data_preprocess/$d.py --limit 2; done\n"
        "DATA_DIR=<dir with x> bash examples/run_medu1_qwen7b.sh --check && make test\n```\n"
        "Inline: `python -m recipe.medu1.analysis.summary_table outputs/summary.json [--help]`.\n",
    )
    assert command_problems([good]) == []
    bad = _write(
        tmp_path,
        "bad.md",
        "```bash\npython data_preprocess/mix.py --inputs a --save_dir out\n"
        "python -m recipe.medu1.analysis.summary_table x --markdown\n"
        "python -m recipe.medu1.no_such_module\nbash examples/no_such.sh\n"
        "bash examples/run_medu1_qwen7b.sh --dry_run\nmake no-such-target\n```\n",
    )
    problems = command_problems([bad])
    assert len(problems) == 6, problems
    for expected in ("no flag --save_dir", "no flag --markdown", "no_such_module not found",
                     "no_such.sh does not exist", "does not handle --dry_run", "no-such-target"):  # fmt: skip
        assert any(expected in p for p in problems), (expected, problems)
