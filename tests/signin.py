"""Wrong passwords sent the way a guesser would: each once the account's wait is over."""

import datetime

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import lockouts

WRONG = "devinette"


def wrong_passwords(logins: list[str], ips: list[str], count: int,
                    start: datetime.datetime | None = None) -> datetime.datetime:
    """`count` wrong passwords, taking the logins and addresses in turn, each sent when
    the wait of the one before has ended. Returns when the next try may come."""
    moment = start or timezone.now()
    for number in range(count):
        with time_machine.travel(moment, tick=False):
            Client(REMOTE_ADDR=ips[number % len(ips)]).post(
                reverse("account_login"),
                {"login": logins[number % len(logins)], "password": WRONG})
        moment += datetime.timedelta(seconds=lockouts.wait_after(number + 1) + 1)
    return moment
