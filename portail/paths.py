"""Links for many rows from one reverse() per URL name: a page of links with a reverse()
per link spent more on them than on its queries (bench/README.md)."""

from collections.abc import Callable
from uuid import UUID

from django.urls import reverse


def path_maker(name: str, *params: str) -> Callable[..., str]:
    """The paths of URL `name` for many rows: reversed once with marker UUIDs, each row's
    ids put in their place (a UUID is never escaped in a path)."""
    markers = {param: str(UUID(int=number)) for number, param in enumerate(params, start=1)}
    pattern = reverse(name, kwargs=markers)

    def path(**ids) -> str:
        made = pattern
        for param, marker in markers.items():
            made = made.replace(marker, str(ids[param]))
        return made
    return path
