"""Reads of accounts shared by sign-in, its limits and recovery."""

from django.db.models import Q

from accounts.models import User


def user_by_login(login: str) -> User | None:
    """The account a login ID or an email names (case-insensitive), in one query."""
    login = login.strip()
    if not login:
        return None
    return (User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login))
            .order_by("pk").first())
