"""The safeguarding lexicon screen: finds risk in a message, in Welsh and English, with a tier.

Every message is read twice, once as English and once as Welsh, whatever language it is in (people
mix them: "dwi jyst isio kill myself"). Each reading is made canonical before the patterns of
config/safeguarding/phrases.yml are matched, so a pattern is written once and covers the many ways
people write it:

- both: lower case, accents and apostrophes folded (for matching only), "@" and "$" read as letters,
  letter runs squeezed ("kiiiill"), every other non-letter a space;
- English: texting forms made standard ("wanna" -> "want to", "dont" -> "not", "u" -> "you");
- Welsh: dialect and texting forms made standard ("isio", "ishe", "moyn" -> "eisiau"; "dwin",
  "rwy'n", "wi'n" -> "dw i yn"; "sai", "smo fi", "dydw i ddim" -> "dw i dim"), then every word
  whose radical form is in the `radicals` list is un-mutated ("ladd" -> "lladd", "fy mywyd" ->
  "fy bywyd", "nharo" -> "taro"), so the mutated forms are generated, never listed by hand.

Idioms that are not risk ("my feet are killing me", "dying to", "mae'r tywydd yn fy lladd i") are
taken out of a reading before the risk patterns run, so a real disclosure in the same message
is still found. A pattern is "clear" (crisis reply at once) or "possible" (a gentle check).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from config import load_yaml, setting_path
from nlu.mutations import radical_forms

_APOSTROPHES = "'’‘`´ʼ"
_NON_WORD = re.compile(r"[^0-9a-z]+")
# Letters only: "999" must stay "999".
_REPEAT_3 = re.compile(r"([a-z])\1{2,}")
_REPEAT_2 = re.compile(r"([a-z])\1+")
# Welsh spells sounds with ll, dd, ff and nn: in the Welsh reading those are only squeezed to two.
_REPEAT_2_CY = re.compile(r"([abceghijkmopqrstuvwxyz])\1+")
_MACRO = re.compile(r"\{([a-z_]+)\}")
LANGS = ("en", "cy")
TIERS = ("clear", "possible")
# Past this many characters a message is read in overlapping windows (bounded time per window).
WINDOW = 2000


class PhraseListError(Exception):
    """The phrase file is missing or malformed (an operator error; the message names the file)."""


def fold(text: str, apostrophe: str = "") -> str:
    """Lower case, accents folded (matching only), "@"/"$" read as letters, words split by one space."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("@", "a").replace("$", "s")
    for mark in _APOSTROPHES:
        text = text.replace(mark, apostrophe)
    return _NON_WORD.sub(" ", text).strip()


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (adjacent swaps count once), giving up early past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _allowed_typos(word: str) -> int:
    # Short words are too close to everyday ones ("abused"/"amused"): exact only.
    return 0 if len(word) < 7 else 1 if len(word) < 10 else 2


def _near(token: str, word: str) -> bool:
    """The same word, or the word with a typo or two (only words that share a start or middle)."""
    if token == word:
        return True
    limit = _allowed_typos(word)
    if not limit or abs(len(token) - len(word)) > limit or (token[0] != word[0] and token[1:3] != word[1:3]):
        return False
    return _edit_distance(token, word, limit) <= limit


@dataclass(frozen=True)
class Finding:
    """The categories a message touches, clearly and possibly (a category is in one at most)."""

    clear: tuple[str, ...] = ()
    possible: tuple[str, ...] = ()
    idiom: bool = False  # an everyday idiom was read ("my feet are killing me") and set aside

    def __bool__(self) -> bool:
        return bool(self.clear or self.possible)


class _Replacer:
    """Whole-word phrase replacement, longest phrase first (a dictionary of word tuples: fast)."""

    def __init__(self, mapping: dict[str, str]):
        # first word -> [(the words after it, standard form)], longest first
        self.by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for key, value in mapping.items():
            words = tuple(fold(key, " ").split())
            self.by_first.setdefault(words[0], []).append((words[1:], fold(value, " ")))
        for options in self.by_first.values():
            options.sort(key=lambda option: -len(option[0]))
        self.mapping = bool(self.by_first)

    def __call__(self, text: str) -> str:
        if not self.mapping:
            return text
        # Again while it changes ("alla i ddim" -> "alla i dim" -> "methu"), a bounded number of times.
        for _ in range(3):
            replaced = self._once(text.split())
            if replaced == text:
                break
            text = replaced
        return text

    def _once(self, words: list[str]) -> str:
        out, i, n, by_first = [], 0, len(words), self.by_first
        while i < n:
            options = by_first.get(words[i])
            if options is not None:
                for rest, standard in options:
                    end = i + 1 + len(rest)
                    if end <= n and tuple(words[i + 1:end]) == rest:
                        if standard:  # an empty standard form drops the words (fillers)
                            out.append(standard)
                        i = end
                        break
                else:
                    out.append(words[i])
                    i += 1
            else:
                out.append(words[i])
                i += 1
        return " ".join(out)


class _Reader:
    """One language's reading: standard forms, (Welsh) un-mutation, idioms taken out."""

    def __init__(self, lang: str, normalise: dict[str, str], radicals: frozenset[str], idioms: re.Pattern | None):
        self.lang = lang
        self.replace = _Replacer(normalise)
        self.radicals = radicals
        self.idioms = idioms

    def read(self, folded: str) -> str:
        text = self.replace(folded)
        if self.radicals:
            radicals = self.radicals
            text = self.replace(" ".join(_unmutate(word, radicals) for word in text.split()))
        if self.idioms is not None:
            text = " ".join(self.idioms.sub(" ~ ", text).split())
        return text

    def set_aside(self, folded: str) -> set[str]:
        """The words of the idioms this reading sets aside ("dim yn hunanladdol" -> its words)."""
        if self.idioms is None:
            return set()
        text = self.replace(folded)
        if self.radicals:
            text = self.replace(" ".join(_unmutate(word, self.radicals) for word in text.split()))
        return {word for m in self.idioms.finditer(text) for word in m.group(0).split()}


@lru_cache(maxsize=65536)
def _unmutate(word: str, radicals: frozenset[str]) -> str:
    if word in radicals or len(word) < 3:
        return word
    for form in radical_forms(word)[1:]:
        if form in radicals:
            return form
    return word


@dataclass(frozen=True)
class _Rule:
    category: str
    tier: str
    lang: str
    pattern: re.Pattern


class RiskPhrases:
    """The compiled lexicon: `assess(text)` gives the categories found, clear and possible."""

    def __init__(self, readers: dict[str, _Reader], rules: list[_Rule], words: dict[str, tuple[str, ...]]):
        self.readers = readers
        self.rules = rules
        self.words = words  # category -> distinctive words matched with a typo or two (clear)

    @classmethod
    def load(cls, path: str | Path) -> "RiskPhrases":
        file = setting_path(path)
        try:
            version = file.stat()
        except FileNotFoundError:
            raise PhraseListError(f"safeguarding phrase list {file} (safeguarding.phrases_file) does not exist") from None
        return cls._compiled(file, version.st_mtime_ns, version.st_size)

    @classmethod
    @lru_cache(maxsize=16)
    def _compiled(cls, file: Path, mtime_ns: int, size: int) -> "RiskPhrases":
        """Read and compiled once per version of the file (an app is built per test); it is never changed."""
        try:
            data = load_yaml(file.read_text(encoding="utf-8"))
            radicals = frozenset(fold(w) for w in data.get("radicals") or [])
            readers, rules, words = {}, [], {}
            for lang in LANGS:
                macros = {k.casefold(): fold_pattern(v) for k, v in (data.get("macros", {}).get(lang) or {}).items()}
                idioms = [_expand(p, macros) for p in (data.get("not_risk", {}).get(lang) or [])]
                readers[lang] = _Reader(lang, data.get("normalise", {}).get(lang) or {},
                                        radicals if lang == "cy" else frozenset(),
                                        _compile(idioms) if idioms else None)
                for name, spec in data["categories"].items():
                    for tier in TIERS:
                        patterns = [_expand(p, macros) for p in ((spec.get(tier) or {}).get(lang) or [])]
                        if patterns:
                            rules.append(_Rule(name, tier, lang, _compile(patterns)))
            for name, spec in data["categories"].items():
                words[name] = tuple(fold(w) for w in spec.get("words") or [])
        except (yaml.YAMLError, KeyError, TypeError, AttributeError, re.error) as exc:
            raise PhraseListError(f"safeguarding phrase list {file} is malformed: {exc}") from None
        if not rules:
            raise PhraseListError(f"safeguarding phrase list {file} has no categories")
        return cls(readers, rules, words)

    def readings(self, text: str) -> dict[str, list[str]]:
        """The canonical readings of a message, per language (for matching and for debugging)."""
        out: dict[str, list[str]] = {lang: [] for lang in LANGS}
        for chunk in _windows(text):
            chunk = _SENTENCE_END.sub(f" {SENTENCE_END} ", chunk)
            for lang, reader in self.readers.items():
                # English contractions are spelt out ("he'll" -> "he will"); in Welsh an
                # apostrophe is a space ("dwi'n" -> "dwi n"). Texted forms without
                # apostrophes ("dont", "dwin") are in `normalise`.
                base = fold(_spell_out(chunk)) if lang == "en" else fold(chunk, " ")
                squeezed = _REPEAT_3.sub(r"\1\1", base)
                forms = [squeezed]
                if squeezed != base:  # letters were drawn out ("kiiiill"): also read them single
                    forms.append((_REPEAT_2_CY if lang == "cy" else _REPEAT_2).sub(r"\1", squeezed))
                for form in forms:
                    reading = reader.read(form)
                    if reading not in out[lang]:
                        out[lang].append(reading)
        return out

    def assess(self, text: str) -> Finding:
        if not text or not text.strip():
            return Finding()
        readings = self.readings(text)
        clear: list[str] = []
        possible: list[str] = []
        for rule in self.rules:
            found = clear if rule.tier == "clear" else possible
            if rule.category in found or rule.category in clear:
                continue
            if any(rule.pattern.search(r) for r in readings[rule.lang]):
                found.append(rule.category)
        # A distinctive word counts in any reading, unless one language read it inside an idiom
        # ("dw i ddim yn hunanladdol" is not a disclosure, in the English reading either).
        tokens = {t for rs in readings.values() for r in rs for t in r.split() if len(t) >= 5}
        if any("~" in r for rs in readings.values() for r in rs):
            tokens -= self._set_aside(text)
        for name, words in self.words.items():
            if name not in clear and any(_near(token, word) for word in words for token in tokens):
                clear.append(name)
        idiom = any("~" in r for rs in readings.values() for r in rs)
        return Finding(tuple(clear), tuple(c for c in possible if c not in clear), idiom)

    def _set_aside(self, text: str) -> set[str]:
        words: set[str] = set()
        for chunk in _windows(text):
            for lang, reader in self.readers.items():
                base = fold(_spell_out(chunk)) if lang == "en" else fold(chunk, " ")
                words |= reader.set_aside(_REPEAT_3.sub(r"\1\1", base))
        return words

    def categories_in(self, text: str) -> list[str]:
        """Every category found, clear or possible (the clear ones first)."""
        finding = self.assess(text)
        return [*finding.clear, *finding.possible]


_APOSTROPHE = re.compile("[" + _APOSTROPHES + "]")
# A sentence's end is kept in the reading as a word of its own, so "$" in a pattern ("I've had
# enough$") also matches at the end of a sentence inside a longer message.
SENTENCE_END = "zz"
_SENTENCE_END = re.compile(r"[.!?;\n\r]+(?=\s|$)|[\n\r]+")
_CONTRACTIONS = re.compile(r"(?<=[a-z])(?:n't|'ll|'d|'re|'ve|'m)(?![a-z])")
_SPELT_OUT = {"n't": " not", "'ll": " will", "'d": " would", "'re": " are", "'ve": " have",
              "'m": " am"}


def _spell_out(text: str) -> str:
    """English contractions spelt out ("can't" -> "ca not", made "cannot" in `normalise`)."""
    text = _APOSTROPHE.sub("'", text.casefold())
    return _CONTRACTIONS.sub(lambda m: _SPELT_OUT.get(m.group(0), m.group(0)), text) if "'" in text else text


def _windows(text: str) -> list[str]:
    if len(text) <= WINDOW:
        return [text]
    step = WINDOW // 2
    return [text[i:i + WINDOW] for i in range(0, len(text) - step, step)]


def _expand(pattern: str, macros: dict[str, str]) -> str:
    folded = fold_pattern(pattern)
    for _ in range(5):  # macros may use macros
        expanded = _MACRO.sub(lambda m: f"(?:{macros[m.group(1)]})", folded)
        if expanded == folded:
            break
        folded = expanded
    return folded.replace("$", f"(?= {SENTENCE_END}(?![a-z])|$)")


def _compile(patterns: list[str]) -> re.Pattern:
    joined = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(r"(?<![0-9a-z])(?:" + joined + r")(?![0-9a-z])")


def fold_pattern(pattern: str) -> str:
    """A pattern as written (with accents) made to match folded text (already single-spaced)."""
    folded = unicodedata.normalize("NFKD", pattern.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))
