"""Text as people type it (without the accents they may leave out), and board data kept in
both languages."""

import unicodedata

from django.db.backends.signals import connection_created
from django.db.models import CharField, TextField, Transform
from django.utils.translation import get_language


def in_reader_language(french: str, english: str) -> str:
    """Board data kept in both languages, in the language of the page (or of the email)."""
    return english if get_language() == "en" else french


def without_accents(text: str) -> str:
    """Lévesque → Levesque: the letters stay (in compatibility form), their accents go."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def folded(text: str) -> str:
    """Case, accents and spacing do not matter: "  Saint-Jérôme " == "saint-jerome"."""
    return " ".join(without_accents(text.casefold()).split())


# Letters that no decomposition takes apart but PostgreSQL's unaccent spells out, so that
# a term typed either way meets the column as UNACCENT() gives it.
_SPELLED_OUT = str.maketrans({
    "œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ß": "ss",
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH",
})


def searchable(text: str) -> str:
    """A search term as UNACCENT() gives the columns it is compared with: Lœuillet → Loeuillet."""
    return without_accents(text).translate(_SPELLED_OUT)


class Unaccented(Transform):
    """`field__unaccented__icontains=searchable(term)`: compare without accents.
    PostgreSQL's unaccent extension (accounts migration 0005), or `searchable` on SQLite."""

    lookup_name = "unaccented"
    function = "UNACCENT"


def register() -> None:
    CharField.register_lookup(Unaccented)
    TextField.register_lookup(Unaccented)
    connection_created.connect(_sqlite_unaccent, dispatch_uid="portail-sqlite-unaccent")


def _sqlite_unaccent(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "UNACCENT", 1, lambda text: None if text is None else searchable(text),
            deterministic=True)


# A prefix of search_fields, and the lookup it stands for.
_PREFIX_LOOKUPS = {"^": "istartswith", "=": "iexact"}


class AccentInsensitiveSearchMixin:
    """For a ModelAdmin: its search ignores accents, so that "Levesque" finds "Lévesque" and
    "Éloïse" finds "Eloise". Every field of search_fields must be text, with no prefix or
    with ^ (starts with) or = (exactly); @ (full-text search) is not supported."""

    def get_search_fields(self, request):
        fields = []
        for field in super().get_search_fields(request):
            lookup = _PREFIX_LOOKUPS.get(field[:1])
            name = field[1:] if lookup else field
            fields.append(f"{name}__unaccented__{lookup or 'icontains'}")
        return fields

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, searchable(search_term))
