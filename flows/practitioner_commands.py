"""What a practitioner types, read as a command: "ACK 7", "derbyn 12", "notforus 12 moved away", "LIST".

The words are data (config/practitioner/commands.yml, English and Welsh); what each command does
is the table ACTIONS below. Matching forgives case, missing or extra spaces, hyphens and
apostrophes, and one near-miss word ("ACCPET 12", "accept12"); two commands a typo could both be
is no command at all (the practitioner gets the command list, never a guess).
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import yaml

from config import config_path

COMMANDS_FILE = config_path("practitioner", "commands.yml")


@dataclass(frozen=True)
class Action:
    """What a command does: the practitioner action (the feature that owns it) and its answer."""

    action: str
    verb: str
    needs_number: bool = True
    # Free text after the number is kept as the answer's text (a reason, a service).
    takes_text: bool = False


# command -> what it does. CLOSE (end of support, Table 2) is one more line here and in the words file.
ACTIONS: dict[str, Action] = {
    "ack": Action("alert", "ack"),
    "accept": Action("referral", "accept"),
    "called": Action("referral", "contacted"),
    "notforus": Action("referral", "not_appropriate", takes_text=True),
    "redirect": Action("referral", "redirect", takes_text=True),
    "went": Action("attendance", "attended"),
    "notyet": Action("attendance", "not_yet"),
    "didntgo": Action("attendance", "did_not_attend"),
    "withdrew": Action("attendance", "withdrew"),
    # Closing a person's support (bot/case_closing.py): goals met, onward referrals, then their
    # end-of-support conversation.
    "close": Action("close", "start"),
    "show": Action("referral", "show"),
    "erase": Action("erase", "erase"),
    "keep": Action("erase", "keep"),
    "list": Action("list", "show", needs_number=False),
    "help": Action("help", "show", needs_number=False),
}


@dataclass(frozen=True)
class Command:
    """A typed command, read: `name` is a key of ACTIONS; `number` the item's number, if given."""

    name: str
    number: int | None = None
    text: str = ""

    @property
    def action(self) -> Action:
        return ACTIONS[self.name]


@dataclass(frozen=True)
class BareNumber:
    """Just a number ("1"): an option of the one item waiting, if only one is."""

    number: int


def fold(word: str) -> str:
    """A command word as compared: NFC, case-folded, without spaces, hyphens or apostrophes."""
    word = unicodedata.normalize("NFC", word).casefold()
    return re.sub(r"[\s\-'’]+", "", word)


def load_words(path: Path = COMMANDS_FILE) -> dict[str, dict[str, list[str]]]:
    """command -> language -> words, as in the file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))["commands"]
    unknown = set(data) - set(ACTIONS)
    if unknown:
        raise ValueError(f"{path}: commands {sorted(unknown)} have no entry in ACTIONS "
                         "(flows/practitioner_commands.py)")
    return {name: {lang: [str(w) for w in words] for lang, words in by_lang.items()}
            for name, by_lang in data.items()}


def _index(words: Mapping[str, Mapping[str, list[str]]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for name, by_lang in words.items():
        for lang_words in by_lang.values():
            for word in lang_words:
                index[fold(word)] = name
    return index


WORDS = load_words()
_BY_WORD = _index(WORDS)
# Words to a number, then what follows: "ACK 7", "accept12", "/ack 7", "NOTFORUS #12: moved away".
_COMMAND = re.compile(r"^\s*/?(?P<word>[^\d#]*?)\s*#?\s*(?P<number>\d{1,9})\b[\s.:,;\-]*(?P<rest>.*)$", re.DOTALL)
_BARE = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")
FUZZ = 0.75


def _command_word(word: str) -> str | None:
    folded = fold(word).strip(".,:;!?")
    if not folded:
        return None
    if folded in _BY_WORD:
        return _BY_WORD[folded]
    if len(folded) < 5:
        return None  # too short to guess at: "beth" is one letter from "aeth"
    close = difflib.get_close_matches(folded, list(_BY_WORD), n=3, cutoff=FUZZ)
    names = {_BY_WORD[w] for w in close}
    return names.pop() if len(names) == 1 else None


def read_command(text: str) -> Command | BareNumber | None:
    """The command this message is, a bare number, or None if it is neither."""
    if not text or not text.strip():
        return None
    if (bare := _BARE.match(text)) is not None:
        return BareNumber(int(bare.group(1)))
    found = _COMMAND.match(text)
    if found is not None and found.group("word").strip():
        name = _command_word(found.group("word"))
        if name is not None and ACTIONS[name].needs_number:
            # Words after the number are a reason for the commands that take one; otherwise
            # an aside ("ACK 7 on it") that changes nothing.
            rest = found.group("rest").strip() if ACTIONS[name].takes_text else ""
            return Command(name, int(found.group("number")), rest)
    name = _command_word(text.strip())
    # A command without its number ("ACCEPT") is still a command: the practitioner is shown
    # what is waiting, each with its number.
    return Command(name) if name is not None else None
