"""Text as people type it: without the accents they may leave out."""

import unicodedata

from django.db.backends.signals import connection_created
from django.db.models import CharField, TextField, Transform


def without_accents(text: str) -> str:
    """Lévesque → Levesque: the letters stay (in compatibility form), their accents go."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


class Unaccented(Transform):
    """`field__unaccented__icontains=...`: compare without accents. PostgreSQL's unaccent
    extension (accounts migration 0005) on PostgreSQL, the function below on SQLite."""

    lookup_name = "unaccented"
    function = "UNACCENT"


def register() -> None:
    CharField.register_lookup(Unaccented)
    TextField.register_lookup(Unaccented)
    connection_created.connect(_sqlite_unaccent, dispatch_uid="portail-sqlite-unaccent")


def _sqlite_unaccent(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "UNACCENT", 1, lambda text: None if text is None else without_accents(text),
            deterministic=True)


class AccentInsensitiveSearchMixin:
    """For a ModelAdmin: its search ignores accents, so that "Levesque" finds "Lévesque" and
    "Éloïse" finds "Eloise". Every field of search_fields must be text; a field with an
    explicit prefix (^, =, @) keeps its own lookup."""

    def get_search_fields(self, request):
        return [field if field[:1] in "^=@" else f"{field}__unaccented__icontains"
                for field in super().get_search_fields(request)]

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, without_accents(search_term))
