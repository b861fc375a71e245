"""Finding a household's transfer reference (`MOK-K7PX3H`) in a transfer title as people type it.

Tolerated: any case; a missing, doubled or different separator ("MOK K7PX3H", "mokk7px3h",
"MOK-K7PX3H/opłata"); a missing "MOK" prefix; characters that look like one of the reference
alphabet's (O/0/Q for D, I/1 for L/T/J/7, ...); and one wrong, missing, extra or swapped character
when exactly one reference is that close. Pure: the caller loads the references once.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from enrollment.models.households import REFERENCE_ALPHABET

PREFIX = "MOK"
CODE_LENGTH = 6
ALPHABET = frozenset(REFERENCE_ALPHABET)
# Characters outside the alphabet and the alphabet's characters a reader may have meant.
LOOKALIKES: dict[str, str] = {
    "0": "D",
    "O": "D",
    "Q": "D",
    "1": "LTJ7",
    "I": "LTJ7",
    "8": "3",
    "B": "38",
    "5": "3",
    "S": "3",
    "2": "7",
    "Z": "7",
    "6": "C",
    "G": "C",
}
MAX_VARIANTS = 64
_ALNUM = re.compile(r"[A-Z0-9]+")
# "MOK" (or "M0K"), then any separators, then what follows: the code, possibly glued to more.
_PREFIX = re.compile(r"M[O0]K")
_TAIL = re.compile(r"[^A-Z0-9]*([A-Z0-9][A-Z0-9 \-./_]{4,12})")


def code_of(reference: str) -> str:
    """`"MOK-K7PX3H"` -> `"K7PX3H"`."""
    text = reference.upper()
    return text[len(PREFIX) + 1 :] if text.startswith(PREFIX + "-") else text


class ReferenceIndex:
    """The codes of all references, with a deletion index for one-edit lookups."""

    def __init__(self, references: Iterable[str]):
        self.codes: dict[str, str] = {}
        self._deletions: dict[tuple[int, str], set[str]] = {}
        self._shorter: dict[str, set[str]] = {}
        for reference in references:
            code = code_of(reference)
            self.codes[code] = reference
            for i in range(len(code)):
                shorter = code[:i] + code[i + 1 :]
                self._deletions.setdefault((i, shorter), set()).add(code)
                self._shorter.setdefault(shorter, set()).add(code)

    def near(self, candidate: str) -> set[str]:
        """Codes one edit (substitution, deletion, insertion, transposition) from `candidate`."""
        found: set[str] = set()
        n = len(candidate)
        if n == CODE_LENGTH:
            for i in range(n):
                found |= self._deletions.get((i, candidate[:i] + candidate[i + 1 :]), set())
            for i in range(n - 1):
                swapped = candidate[:i] + candidate[i + 1] + candidate[i] + candidate[i + 2 :]
                if swapped in self.codes:
                    found.add(swapped)
        elif n == CODE_LENGTH + 1:  # one character too many
            for i in range(n):
                shorter = candidate[:i] + candidate[i + 1 :]
                if shorter in self.codes:
                    found.add(shorter)
        elif n == CODE_LENGTH - 1:  # one character missing
            found |= self._shorter.get(candidate, set())
        found.discard(candidate)
        return found


def _variants(candidate: str) -> list[str]:
    """The candidate with look-alike characters replaced by the alphabet's, every combination."""
    options = [LOOKALIKES.get(char, char) if char not in ALPHABET else char for char in candidate]
    variants = []
    for combination in itertools.product(*options):
        variants.append("".join(combination))
        if len(variants) >= MAX_VARIANTS:
            break
    return variants


def _candidates(title: str) -> tuple[list[str], list[str]]:
    """(strings after a "MOK" prefix, loose tokens of the title that could be a bare code)."""
    text = title.upper()
    prefixed: list[str] = []
    for prefix in _PREFIX.finditer(text):
        match = _TAIL.match(text, prefix.end())
        if match is None:
            continue
        tail = match.group(1)
        glued = _ALNUM.match(tail).group(0)  # up to the first separator
        squeezed = "".join(_ALNUM.findall(tail))  # separators inside the code dropped
        for option in (glued, squeezed):
            for length in (CODE_LENGTH, CODE_LENGTH - 1, CODE_LENGTH + 1):
                if len(option) >= length:
                    prefixed.append(option[:length])
    loose = [token for token in _ALNUM.findall(text) if len(token) == CODE_LENGTH]
    return list(dict.fromkeys(prefixed)), list(dict.fromkeys(loose))


def reference_find(title: str, index: ReferenceIndex) -> str | None:
    """The one reference the title means, or None when there is none or more than one."""
    prefixed, loose = _candidates(title)
    exact: set[str] = set()
    for candidate in prefixed:
        if candidate in index.codes:
            exact.add(candidate)
    if not exact:
        for candidate in loose:
            if candidate in index.codes:
                exact.add(candidate)
    if not exact:
        for candidate in prefixed + loose:
            if len(candidate) != CODE_LENGTH:
                continue
            for variant in _variants(candidate):
                if variant in index.codes:
                    exact.add(variant)
    if exact:
        return index.codes[exact.pop()] if len(exact) == 1 else None
    near: set[str] = set()
    # One edit: after the prefix any candidate; a bare token only when it mixes letters and
    # digits, as codes mostly do and Polish words never do.
    fuzzy = prefixed + [
        token for token in loose if re.search(r"\d", token) and re.search(r"[A-Z]", token)
    ]
    for candidate in fuzzy:
        for variant in _variants(candidate):
            near |= index.near(variant)
    if len(near) == 1:
        return index.codes[near.pop()]
    return None
