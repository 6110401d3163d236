"""`shoplint spelling add WORD...`: the shop's own words into its vocabulary file
(`spelling.words` in shoplint.yml), kept sorted and without duplicates, so that the file
reads well in a review and two branches adding words merge cleanly."""

from __future__ import annotations

import argparse
from pathlib import Path

from checks.spelling.config import read_words
from ground.errors import ConfigError
from shoplint.config import DEFAULT_CONFIG_FILE, load_config


def add_parser(commands: argparse._SubParsersAction, parser_class: type) -> None:
    spelling_cmd = commands.add_parser("spelling", help="the shop's own words (spelling.words)")
    actions = spelling_cmd.add_subparsers(
        dest="spelling_command", required=True, parser_class=parser_class
    )
    add_cmd = actions.add_parser("add", help="add words to the vocabulary file, sorted")
    add_cmd.add_argument("words", metavar="WORD", nargs="+")
    add_cmd.add_argument("--config", help=f"config file (default: ./{DEFAULT_CONFIG_FILE} if any)")


def cmd_spelling(args: argparse.Namespace) -> int:
    words = load_config(args.config).spelling.words
    if not isinstance(words, str):
        raise ConfigError(
            "spelling.words: name a file to add words to (e.g. words: shoplint-words.txt);"
            " a list in the config is edited by hand"
        )
    path = Path(words)
    added, total = add_words(path, args.words)
    print(f"{path}: {added} word(s) added, {total} in all")
    return 0


def add_words(path: Path, new: list[str]) -> tuple[int, int]:
    """Adds `new` to the vocabulary file (made when missing): its comment lines first, then
    every word once, sorted as a dictionary sorts them. Returns (added, total)."""
    header: list[str] = []
    known: list[str] = []
    if path.exists():
        known = read_words(path)
        lines = path.read_text(encoding="utf-8").splitlines()
        header = [line for line in lines if line.lstrip().startswith("#")]
    for word in new:
        if not word.strip() or any(c.isspace() for c in word.strip()):
            raise ConfigError(f"spelling add: {word!r} is not one word")
    words = sorted(set(known) | {w.strip() for w in new}, key=lambda w: (w.casefold(), w))
    try:
        path.write_text("\n".join([*header, *words]) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"spelling.words: cannot write {path} ({exc.strerror})") from None
    return len(words) - len(set(known)), len(words)
