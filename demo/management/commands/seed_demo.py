from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext

from demo.seed import (
    DEFAULT_SEED,
    DEFAULT_STUDENTS,
    DEMO_LOGINS,
    MAX_STUDENTS,
    PASSWORD,
    SeedReport,
    family_login,
    seed_demo,
)


class Command(BaseCommand):
    help = (
        "Load a demo French-language board in Eastern Ontario (schools, students, families, "
        "portal accounts), the same for the same seed, then print the demo logins. "
        "Does nothing when the demo board is already there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--students", type=int, default=DEFAULT_STUDENTS,
                            help="Students besides the demo families (default %(default)s).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help="Seed of the random generator (default %(default)s).")
        parser.add_argument("--reset", action="store_true",
                            help="Delete the demo board and its parents' accounts, then "
                                 "build it again (the admin account stays).")
        parser.add_argument("--force", action="store_true",
                            help="Run even with DEBUG off.")

    def handle(self, *args, students: int, seed: int, reset: bool, force: bool,
               **options) -> None:
        # The output is for the developer at the console: French, like the portal.
        with translation.override("fr"):
            if not settings.DEBUG and not force:
                raise CommandError(gettext(
                    "DEBUG is off: this may be a production database. The demo data is "
                    "fake; add --force to load it anyway."
                ))
            if not 0 <= students <= MAX_STUDENTS:
                raise CommandError(gettext("--students must be between 0 and %(max)d.")
                                   % {"max": MAX_STUDENTS})
            self._print(seed_demo(seed=seed, students=students, reset=reset))

    def _print(self, report: SeedReport) -> None:
        counts = {"schools": report.schools, "students": report.students}
        if report.created:
            self.stdout.write(self.style.SUCCESS(
                gettext("Demo data created: %(schools)d schools, %(students)d students.")
                % counts))
        else:
            self.stdout.write(gettext(
                "Demo data already present, nothing changed: %(schools)d schools, "
                "%(students)d students.") % counts)
        self.stdout.write(gettext("Demo accounts (the same password for all: %(password)s)")
                          % {"password": PASSWORD})
        rows = [(gettext("Login ID"), gettext("Email"), gettext("Role"))]
        rows += [(login.username, login.email, str(login.role)) for login in DEMO_LOGINS]
        width = [max(len(row[column]) for row in rows) for column in (0, 1)]
        for username, email, role in rows:
            self.stdout.write(f"  {username:<{width[0]}}  {email:<{width[1]}}  {role}")
        if report.admin_kept:
            self.stdout.write(gettext(
                "The admin account was already there: its password was not changed."))
        if report.families:
            self.stdout.write(gettext("Other families: %(first)s to %(last)s, same password.")
                              % {"first": family_login(1),
                                 "last": family_login(report.families)})
