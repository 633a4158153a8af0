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

Four rules read the message as a whole, beyond single patterns (all data in phrases.yml):
- `third_person`: someone else's words told to us ("my mum says she wants to die", "mae'n ffrind
  i'n torri ei hun") are read once more in the first person, for the categories in
  `third_person_categories`, so every first-person pattern also covers a third-party disclosure;
- `signs`: warning signs that are ambiguous alone (a goodbye, giving things away, a decision, a
  means, a place) are clear when two different kinds come together ("gave my dog away ... you
  won't need to worry about me");
- `history`: a disclosure whose every risky clause is told as past ("years ago", "pan o'n i'n
  19", "used to ... doing well now") is a gentle check, not a crisis reply, unless the message
  also says it is happening now ("again", "still", "eto", "neithiwr");
- `jokes`: "lol", "😂", "jk" turn a suicide phrase with no means, place or danger into a gentle
  check (people do hide a disclosure behind a joke: they are asked, not ignored).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from config import load_yaml, setting_path
from nlu.mutations import NASAL, radical_forms

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
        text = self.standard(folded)
        if self.idioms is not None:
            text = " ".join(self.idioms.sub(" ~ ", text).split())
        return text

    def standard(self, folded: str) -> str:
        text = self.replace(folded)
        if self.radicals:
            text = self.replace(_unmutate_all(text.split(), self.radicals))
        return text

    def set_aside(self, folded: str) -> set[str]:
        """The words of the idioms this reading sets aside ("dim yn hunanladdol" -> its words)."""
        if self.idioms is None:
            return set()
        text = self.standard(folded)
        return {word for m in self.idioms.finditer(text) for word in m.group(0).split()}


# Words after which a nasal mutation is not "my" ("ym Mangor" is "in", "fy nhad" says it already),
# and words whose nasal form is a conjunction, not "my" ("mod i" is "that I").
_NASAL_AFTER = frozenset({"fy", "ym", "yng", "ein", "eich", "eu", "ei"})
_NASAL_NOT_MY = frozenset({"bod"})


def _unmutate_all(words: list[str], radicals: frozenset[str]) -> str:
    """Every word un-mutated; a nasal mutation with its "fy" left out ("mhen i", "'n ngŵr i") reads "fy".

    Spoken Welsh drops "fy" and keeps only its nasal mutation: "brifo mhen", "mae'n ngŵr i'n ...".
    The 'n written for it reads "yn" after folding, so "fy" is added after it too ("yn fy gwr").
    """
    out: list[str] = []
    for word in words:
        radical, nasal = _unmutate(word, radicals)
        if nasal and radical not in _NASAL_NOT_MY and (not out or out[-1] not in _NASAL_AFTER):
            out.append("fy")
        out.append(radical)
    return " ".join(out)


@lru_cache(maxsize=65536)
def _unmutate(word: str, radicals: frozenset[str]) -> tuple[str, bool]:
    """The radical form of a word, and whether it was nasally mutated.

    Spoken plurals in -e (south) and -a (north) read as written -au ("pethe", "breichia" ->
    pethau, breichiau) when that form is a radical.
    """
    if word in radicals or len(word) < 3:
        return word, False
    for form in radical_forms(word):
        for candidate in (form, _written_plural(form)):
            if candidate and candidate in radicals:
                return candidate, candidate[:1] != word[:1] and _is_nasal(word, form)
    return word, False


def _written_plural(word: str) -> str:
    return word[:-1] + "au" if len(word) > 3 and word[-1] in "ea" else ""


def _is_nasal(word: str, radical: str) -> bool:
    return any(radical.startswith(r) and word.startswith(m) and word[len(m):] == radical[len(r):]
               for r, m in NASAL.items())


@dataclass(frozen=True)
class _Rule:
    category: str
    tier: str
    lang: str
    pattern: re.Pattern


class RiskPhrases:
    """The compiled lexicon: `assess(text)` gives the categories found, clear and possible."""

    def __init__(self, readers: dict[str, _Reader], rules: list[_Rule], words: dict[str, tuple[str, ...]],
                 context: "_Context | None" = None, guards: dict[str, dict[str, re.Pattern]] | None = None):
        self.readers = readers
        self.rules = rules
        self.words = words  # category -> distinctive words matched with a typo or two (clear)
        self.context = context or _Context()
        self.guards = guards or {}  # kind (loss, lonely) -> language -> pattern: see guard()

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
            context = _Context.load(data, {lang: {k.casefold(): fold_pattern(v) for k, v in
                                                  (data.get("macros", {}).get(lang) or {}).items()}
                                           for lang in LANGS})
            guards = {kind: {lang: _compile([_expand(p, {k.casefold(): fold_pattern(v) for k, v in
                                                         (data.get("macros", {}).get(lang) or {}).items()})
                                             for p in patterns])
                             for lang, patterns in (by_lang or {}).items() if patterns}
                      for kind, by_lang in (data.get("escalation_guards") or {}).items()}
        except (yaml.YAMLError, KeyError, TypeError, AttributeError, re.error) as exc:
            raise PhraseListError(f"safeguarding phrase list {file} is malformed: {exc}") from None
        if not rules:
            raise PhraseListError(f"safeguarding phrase list {file} has no categories")
        return cls(readers, rules, words, context, guards)

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
        clear, possible = self._match(readings)
        signs = self.context.sign_kinds(readings)
        # Two kinds of warning sign, or one with words of despair the patterns hold ambiguous
        # ("he can't do this anymore" + "sorry for everything"), are a disclosure. The despair
        # must be other words than the sign ("I'm saying goodbye to everyone" is one sign).
        if "suicide" not in clear and (len(signs) >= 2 or (
                signs and "suicide" in possible
                and "suicide" in self._match(self.context.without_signs(readings))[1])):
            clear.append("suicide")
        # A distinctive word counts in any reading, unless one language read it inside an idiom
        # ("dw i ddim yn hunanladdol" is not a disclosure, in the English reading either).
        tokens = {t for rs in readings.values() for r in rs for t in r.split() if len(t) >= 5}
        if any("~" in r for rs in readings.values() for r in rs):
            # The other language's reading sees the words unread ("orddos" beside the Welsh
            # reading's set-aside "gorddos"): a token near a set-aside word is set aside too.
            aside = self._set_aside(text)
            tokens = {t for t in tokens if t not in aside and not any(_near(t, w) for w in aside if len(w) >= 5)}
        for name, words in self.words.items():
            if name not in clear and any(_near(token, word) for word in words for token in tokens):
                clear.append(name)
        idiom = any("~" in r for rs in readings.values() for r in rs)
        # A death set aside (or told as loss) covers its own words only: "...and I took one last
        # night", "...a dw i isio neud yr un peth" in another clause is the writer's own disclosure.
        if "suicide" not in clear and self.context.echoes(readings) and (idiom or self._tells_loss(readings)):
            clear.append("suicide")
        if clear:
            demoted = self._demoted(text, readings, clear, bool(signs))
            possible += [c for c in demoted if c not in possible]
            clear = [c for c in clear if c not in demoted]
        return Finding(tuple(clear), tuple(c for c in possible if c not in clear), idiom)

    def _match(self, readings: dict[str, list[str]]) -> tuple[list[str], list[str]]:
        """The categories the patterns find, clear and possible (third-person readings for some)."""
        clear: list[str] = []
        possible: list[str] = []
        third = self.context.third_readings(readings, self.readers)
        for rule in self.rules:
            found = clear if rule.tier == "clear" else possible
            if rule.category in found or rule.category in clear:
                continue
            mine = readings[rule.lang]
            if rule.category in self.context.third_categories:
                mine = mine + third[rule.lang]
            if any(rule.pattern.search(r) for r in mine):
                found.append(rule.category)
        return clear, possible

    def _demoted(self, text: str, readings: dict[str, list[str]], clear: list[str], signs: bool) -> list[str]:
        """Clear categories that only a joke or a past, recovered experience carries (-> possible).

        Immediate danger is never a joke; it is history only when every risky clause is placed
        long ago ("in my thirties I took a load of tablets"), not merely told in the past tense."""
        context = self.context
        if self._historical(text, readings) and not self._happening_now(text, readings):
            # Every clause that is risky on its own must be told as past; a clause that is risky
            # only with its neighbours keeps the message clear. A clause with no tense of its own
            # ("..., meddwl am farw lot, ...") takes its sentence's, unless it says "now" itself.
            told = context.distant_past if "immediate_danger" in clear else context.told_as_past
            risky = []
            for sentence in _sentences(text):
                whole = None
                for clause in _clauses(sentence):
                    reading = self.readings(clause)
                    if not self._match(reading)[0] or told(reading):
                        continue
                    if whole is None:
                        whole = self.readings(sentence)
                    risky.append(told(whole) and not context.happening_now(reading))
            if risky == [] and self._any_risky_clause(text):
                return list(clear)
            if risky and all(risky):
                return list(clear)
        if "immediate_danger" in clear:
            return []
        demoted = []
        if context.joking(text) and not signs:
            demoted.append("suicide")
        if context._found(context.helping, readings):
            demoted.append("abuse")
        return [c for c in clear if c in demoted]

    def _historical(self, text: str, readings: dict[str, list[str]]) -> bool:
        """Says it is over, read before idioms are set aside too: the second author's "o'n i'n ...
        ond dw i'n iawn" set-aside takes the very words that say so."""
        if self.context.historical(readings):
            return True
        if not any("~" in r for rs in readings.values() for r in rs):
            return False
        plain = {lang: [reader.standard(fold(_spell_out(chunk)) if lang == "en" else fold(chunk, " "))
                        for chunk in _windows(text)] for lang, reader in self.readers.items()}
        return self.context.historical(plain)

    def _any_risky_clause(self, text: str) -> bool:
        return any(self._match(self.readings(c))[0] for c in _clauses(text))

    def _happening_now(self, text: str, readings: dict[str, list[str]]) -> bool:
        """A word that says it is happening now ("again", "these days", "heddiw"), unless every
        such word is a plain time word in a clause that only tells the recovery ("I'm doing well
        these days", "dw i'n iawn y dyddiau yma"): there it says the recovery is now, not the harm.
        A "now" in a clause with a risk phrase, in a clause that tells no recovery ("I'm doing it
        again"), or one that names the harm ("relapsed after 2 years clean"), counts."""
        context = self.context
        if not context.happening_now(readings):
            return False
        clauses = [self.readings(c) for c in _clauses(text)]
        with_now = [c for c in clauses if context.happening_now(c)]
        if not with_now:  # the word spans two clauses: read it as now
            return True
        return any(not context.historical(c) or context.now_beyond_time(c) or self._match(c)[0] or self._match(c)[1]
                   for c in with_now)

    def _set_aside(self, text: str) -> set[str]:
        words: set[str] = set()
        for chunk in _windows(text):
            for lang, reader in self.readers.items():
                base = fold(_spell_out(chunk)) if lang == "en" else fold(chunk, " ")
                words |= reader.set_aside(_REPEAT_3.sub(r"\1\1", base))
        return words

    def _tells_loss(self, readings: dict[str, list[str]]) -> bool:
        return self.context._found(self.guards.get("loss", {}), readings)

    def guard(self, text: str) -> str:
        """Why a message must not get the crisis reply from the learned reader's score alone, or "":
        a past, recovered experience ("history"), a joke ("joke"), help sought for someone else
        ("helping"), someone's death told as loss ("loss"), loneliness ("lonely"). The phrase
        list's own clear findings are not guarded here (they have their own rules)."""
        readings = self.readings(text)
        context = self.context
        if self._historical(text, readings) and not self._happening_now(text, readings):
            return "history"
        if context.joking(text):
            return "joke"
        if context._found(context.helping, readings):
            return "helping"
        for kind, table in self.guards.items():
            if context._found(table, readings):
                return kind
        return ""

    def categories_in(self, text: str) -> list[str]:
        """Every category found, clear or possible (the clear ones first)."""
        finding = self.assess(text)
        return [*finding.clear, *finding.possible]


# Clauses split at punctuation and at "but", "and", "ond", "ac" (not Welsh "a": it is English "a" too).
_CLAUSE = re.compile(r"[.,;:!?\n\r]+|\s(?:but|ond|and|ac)\s", re.IGNORECASE)


def _clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE.split(text) if c and c.strip()]


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s and s.strip()]


class _Context:
    """The rules that read a message as a whole (see the module's docstring), from phrases.yml."""

    def __init__(self, third: dict[str, list[tuple[re.Pattern, str]]] | None = None,
                 third_categories: frozenset[str] = frozenset(),
                 signs: dict[str, dict[str, re.Pattern]] | None = None,
                 history: dict[str, dict[str, re.Pattern]] | None = None, jokes: re.Pattern | None = None,
                 not_joking: re.Pattern | None = None, helping: dict[str, re.Pattern] | None = None,
                 echo: dict[str, re.Pattern] | None = None):
        self.third = third or {}
        self.any_third = {lang: re.compile("|".join(p.pattern for p, _ in rewrites))
                          for lang, rewrites in self.third.items() if rewrites}
        self.third_categories = third_categories
        self.signs = signs or {}
        self.any_sign = {lang: re.compile("|".join(p.pattern for p in table.values()))
                         for lang, table in self.signs.items() if table}
        history = history or {}
        self.distant = history.get("distant", {})  # long ago, in the clause itself
        self.past = history.get("past", {})  # told in the past tense
        self.recovered = history.get("recovered", {})  # over now, anywhere in the message
        self.now = history.get("now", {})  # happening now, anywhere in the message
        self.time = history.get("time", {})  # a plain time word ("these days"), not the harm itself
        self.jokes = jokes
        self.not_joking = not_joking
        self.helping = helping or {}
        self.echo = echo or {}  # the writer doing the same as someone whose death the message tells

    @classmethod
    def load(cls, data: dict, macros: dict[str, dict[str, str]]) -> "_Context":
        def compiled(patterns) -> re.Pattern | None:
            return _compile(patterns) if patterns else None

        third, signs = {}, {}
        history: dict[str, dict[str, re.Pattern]] = {part: {} for part in ("distant", "past", "recovered", "now", "time")}
        for lang in LANGS:
            third[lang] = [(re.compile(r"(?<![0-9a-z])(?:" + _expand(p, macros[lang]) + r")(?![0-9a-z])"), r)
                           for p, r in (data.get("third_person", {}).get(lang) or [])]
            signs[lang] = {name: _compile([_expand(p, macros[lang]) for p in patterns])
                           for name, patterns in (data.get("signs", {}).get(lang) or {}).items() if patterns}
            for part, out in history.items():
                spec = (data.get("history") or {}).get(part) or {}
                pattern = compiled([_expand(p, macros[lang]) for p in (spec.get(lang) or [])])
                if pattern is not None:
                    out[lang] = pattern
        def marks(name: str) -> re.Pattern | None:  # on the message as written (emoji, "lol")
            found = data.get(name) or []
            return re.compile("|".join(f"(?:{j})" for j in found), re.IGNORECASE) if found else None

        helping = {lang: _compile([_expand(p, macros[lang]) for p in patterns])
                   for lang, patterns in (data.get("helping") or {}).items() if patterns}
        echo = {lang: _compile([_expand(p, macros[lang]) for p in patterns])
                for lang, patterns in (data.get("echo") or {}).items() if patterns}
        return cls(third, frozenset(data.get("third_person_categories") or []), signs, history,
                   marks("jokes"), marks("not_joking"), helping, echo)

    def third_readings(self, readings: dict[str, list[str]], readers: dict[str, _Reader]) -> dict[str, list[str]]:
        """Each reading told in the first person ("she wants to die" -> "i want to die"), if it changes."""
        out: dict[str, list[str]] = {lang: [] for lang in LANGS}
        for lang, rewrites in self.third.items():
            if not rewrites:
                continue
            idioms = readers[lang].idioms
            for reading in readings[lang]:
                if not self.any_third[lang].search(reading):  # most readings: nothing to retell
                    continue
                told = reading
                for pattern, replacement in rewrites:
                    told = pattern.sub(replacement, told)
                if told != reading:
                    # An idiom in the first person is still an idiom ("cut myself on the tin").
                    told = " ".join(idioms.sub(" ~ ", told).split()) if idioms is not None else told
                    out[lang].append(told)
        return out

    def _found(self, table: dict[str, re.Pattern], readings: dict[str, list[str]]) -> bool:
        return any(p.search(r) for lang, p in table.items() for r in readings.get(lang, []))

    def without_signs(self, readings: dict[str, list[str]]) -> dict[str, list[str]]:
        """The readings with every warning sign's words set aside."""
        return {lang: [" ".join(self.any_sign[lang].sub(" ~ ", r).split()) if lang in self.any_sign else r
                       for r in rs] for lang, rs in readings.items()}

    def sign_kinds(self, readings: dict[str, list[str]]) -> set[str]:
        """The kinds of warning sign in a message (farewell, giving, means...), any language."""
        kinds: set[str] = set()
        for lang, table in self.signs.items():
            mine = readings.get(lang, [])
            # One search for any sign first: most messages have none (the screen's latency).
            if not any(self.any_sign[lang].search(r) for r in mine):
                continue
            kinds |= {name for name, p in table.items() if any(p.search(r) for r in mine)}
        return kinds

    def historical(self, readings: dict[str, list[str]]) -> bool:
        """The message says it is over ("doing well now", "wedi gwella"): a disclosure of past
        abuse with no word that it is over stays clear (it is still a safeguarding matter)."""
        return self._found(self.recovered, readings)

    def distant_past(self, clause: dict[str, list[str]]) -> bool:
        """Placed long ago ("years ago", "in my thirties", "yn fy arddegau"), not only past tense."""
        return self._found(self.distant, clause)

    def told_as_past(self, clause: dict[str, list[str]]) -> bool:
        """Long ago ("years ago", "arfer") or in the past tense ("I was", "o'n i")."""
        return self._found(self.distant, clause) or self._found(self.past, clause)

    def echoes(self, readings: dict[str, list[str]]) -> bool:
        """The writer says they did, or will do, the same ("I took one last night", "neud yr un peth")."""
        return self._found(self.echo, readings)

    def happening_now(self, readings: dict[str, list[str]]) -> bool:
        return self._found(self.now, readings)

    def now_beyond_time(self, readings: dict[str, list[str]]) -> bool:
        """Happening now once the plain time words are taken out ("relapsed", "again" remain)."""
        plain = {lang: [self.time[lang].sub(" ", r) if lang in self.time else r for r in rs]
                 for lang, rs in readings.items()}
        return self.happening_now(plain)

    def joking(self, text: str) -> bool:
        return (self.jokes is not None and bool(self.jokes.search(text))
                and not (self.not_joking is not None and self.not_joking.search(text)))


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
