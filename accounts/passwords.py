"""Password rules for parents and staff alike (AUTH_PASSWORD_VALIDATORS): nothing a guesser
tries in the first minute. Django's own rules took `motdepasse12`, `bonjour12345`,
`azertyuiop12`, `aaaaaaaaaaaa`, `abcdefghijkl` and the parent's own name.

Each rule compares the password as people vary it: without case or accents, and, for the
common words, without the digits and symbols put before or after them.
"""

import gzip
import re
from functools import cache
from pathlib import Path

from django.contrib.auth.password_validation import CommonPasswordValidator as DjangoList
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portail.text import without_accents

FRENCH_LIST = Path(__file__).resolve().parent / "data" / "common-passwords-fr.txt"
# What must be left once the sequences, runs or personal words are taken out.
MIN_REST = 6
# Keyboard rows (AZERTY as in France and Belgium, QWERTY as in Canada), the alphabet and
# the digits; each is also typed backwards.
SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "01234567890", "azertyuiop", "qsdfghjklm",
             "wxcvbn", "qwertyuiop", "asdfghjkl", "zxcvbnm", "aqwzsxedcrfvtgbyhnujikolpm")
SEQUENCES = SEQUENCES + tuple(sequence[::-1] for sequence in SEQUENCES)
SHORTEST_PATTERN = 3


def _folded(password: str) -> str:
    return without_accents(password.casefold())


@cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(DjangoList().DEFAULT_PASSWORD_LIST_PATH, "rt", encoding="utf-8") as english:
        words = {line.strip() for line in english}
    french = FRENCH_LIST.read_text(encoding="utf-8").splitlines()
    words.update(line.strip() for line in french if line.strip() and not line.startswith("#"))
    return frozenset(words)


class CommonPasswordValidator:
    """Django's English list and the portal's French one (accounts/data), also with digits
    or symbols added before or after (motdepasse12, Bonjour!2025) or spaces between."""

    def validate(self, password: str, user=None) -> None:
        text = _folded(password).strip()
        core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", text)
        variants = {text, core, text.replace(" ", ""), re.sub(r"[\W_]+", "", core)}
        if variants & _common_passwords():
            raise ValidationError(
                _("This password is among the most common ones, even with digits or symbols "
                  "added: it would be among the first tried."),
                code="password_too_common")

    def get_help_text(self) -> str:
        return _("Your password cannot be a common password, even with digits added.")


def _pattern_at(text: str, start: int) -> int:
    """Length of the longest run of one character or keyboard or alphabet sequence there."""
    run = 1
    while start + run < len(text) and text[start + run] == text[start]:
        run += 1
    length = 1
    while start + length < len(text) and any(
            text[start:start + length + 1] in sequence for sequence in SEQUENCES):
        length += 1
    return max(run, length)


class PatternValidator:
    """Long runs of one character (aaaaaaaa) and keyboard or alphabet sequences (azertyuiop,
    qwerty, abcdef, 98765): what is left once they are taken out must be enough."""

    def validate(self, password: str, user=None) -> None:
        text = _folded(password)
        rest, index = 0, 0
        while index < len(text):
            length = _pattern_at(text, index)
            if length < SHORTEST_PATTERN:
                rest, length = rest + 1, 1
            index += length
        if rest < MIN_REST:
            raise ValidationError(
                _("This password is mostly a repeated character or a keyboard or alphabet "
                  "sequence (such as aaaa, azerty or abcd): those are tried first."),
                code="password_pattern")

    def get_help_text(self) -> str:
        return _("Your password cannot be mostly a repeated character or a keyboard or "
                 "alphabet sequence.")


class PersonalWordsValidator:
    """The account's names, login ID and email taken out, enough must be left:
    `AmelieTremblay2025` is refused (Django's similarity check lets it through)."""

    ATTRIBUTES = ("first_name", "last_name", "username", "email")

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        words = {word for attribute in self.ATTRIBUTES
                 for word in re.split(r"[\W_]+", _folded(getattr(user, attribute, "") or ""))
                 if len(word) >= SHORTEST_PATTERN}
        rest = re.sub(r"[\W_]+", "", _folded(password))
        # Longest first: "tremblay" goes before a shorter word it contains.
        for word in sorted(words, key=len, reverse=True):
            rest = rest.replace(word, "")
        if words and len(rest) < MIN_REST:
            raise ValidationError(
                _("This password is mostly your name, email or login ID: people who know "
                  "you could guess it."),
                code="password_personal")

    def get_help_text(self) -> str:
        return _("Your password cannot be mostly your name, email or login ID.")
