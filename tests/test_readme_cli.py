"""Every command output README.md shows is what the command prints: each ```console block is run
as written (its `$ ` lines, in order, from the checkout, output piped) and compared line by line.

Only what truly varies between runs is set aside: the seconds a solve took (`0.01s`), the folder
of a file the block writes under /tmp (each run writes its own), and spaces at the ends of lines.
`FORCEPACK_UPDATE_README=1` writes the outputs of this run into README.md instead of failing.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```$", re.S | re.M)
KINDS = {"sh", "console"}
"""What a fenced block of README.md may hold: `sh`, commands to run (no output shown); `console`,
commands after `$ ` and what they print, checked here."""
SECONDS = re.compile(r"\b\d+\.\d+s\b")


def console_blocks() -> list[str]:
    """The bodies of README.md's ```console blocks, in order."""
    return [m.group("body") for m in FENCE.finditer(README.read_text(encoding="utf-8")) if m.group("info") == "console"]


def commands_of(block: str) -> list[tuple[str, list[str]]]:
    """A console block's commands, each with the lines shown as its output."""
    found: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            found.append((line[2:], []))
        else:
            assert found, f"output before any command in a console block: {line!r}"
            found[-1][1].append(line)
    return found


def run_block(block: str, scratch: Path) -> list[tuple[str, list[str]]]:
    """Each command of a block run as written from the checkout (its /tmp/ files in `scratch`), with
    what it prints on both streams, piped (no terminal, no COLUMNS)."""
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    ran = []
    for command, _ in commands_of(block):
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command.replace("/tmp/", f"{scratch}/") + " 2>&1"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode in (0, 1), f"`{command}` exited {done.returncode}: {done.stdout[-2000:]}"
        ran.append((command, done.stdout.replace(f"{scratch}/", "/tmp/").splitlines()))
    return ran


def normalised(lines: list[str]) -> list[str]:
    """Lines with what varies between runs set aside: seconds, and spaces at the ends."""
    return [SECONDS.sub("<seconds>", line).rstrip() for line in lines]


def test_readme_fenced_blocks_say_what_they_hold() -> None:
    """Every fenced block of README.md is `sh` (commands) or `console` (commands and their output,
    checked below), so no output is shown where no test compares it."""
    text = README.read_text(encoding="utf-8")
    kinds = [m.group("info") for m in FENCE.finditer(text)]
    assert kinds, "README.md has no fenced blocks"
    assert [k for k in kinds if k not in KINDS] == []
    assert kinds.count("console") >= 4
    for block in console_blocks():
        assert commands_of(block), "a console block without a command"


@pytest.mark.parametrize("index", range(len(console_blocks())))
def test_readme_console_output_is_what_the_command_prints(index: int, tmp_path: Path) -> None:
    """A console block's output is, line for line, what its commands print now."""
    block = console_blocks()[index]
    ran = run_block(block, tmp_path)
    if os.environ.get("FORCEPACK_UPDATE_README"):
        text = README.read_text(encoding="utf-8")
        shown = "".join(f"$ {command}\n" + "".join(f"{line.rstrip()}\n" for line in out) for command, out in ran)
        README.write_text(text.replace(f"```console\n{block}```", f"```console\n{shown}```", 1), encoding="utf-8")
        return
    for (command, shown), (_, printed) in zip(commands_of(block), ran, strict=True):
        assert normalised(shown) == normalised(printed), f"README.md's output of `{command}` has drifted"
