"""Safe arrival with the clock stopped: at the school's time, the guardians who may report
for an elementary child absent without a report are emailed once, through the outbox, in
their language, with a signed link (valid, tampered, expired, reused); an answer updates
the school's list at once, and is always confirmed by email."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from absences import services
from absences.models import AbsenceReport, DayOff, SafeArrivalCheck, SchoolDay
from notifications.models import Category, Subscription, Timing
from outbox.delivery import render_email
from outbox.models import OutboundEmail
from tests import factories
from tests.absences.conftest import MONDAY, at
from tests.pages import french, french_plural, html_of
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

CHECKS = "admin:absences_safearrivalcheck_changelist"


@pytest.fixture
def morning(alice, codes):
    """Both of Alice's children marked absent by their teachers; her ex-husband Marc has
    custody of the elementary one and reads English; a grandmother sees nothing."""
    elementary = alice.children[0]
    for child in alice.children:
        factories.AttendanceRecordFactory(student=child, date=MONDAY, period=1,
                                          code=codes["ANM"], reason="")
    marc = factories.UserFactory(username="marc", preferred_language="en")
    factories.StudentGuardianFactory(
        student=elementary, relationship="father",
        guardian=factories.GuardianFactory(first_name="Marc", user=marc, email=marc.email))
    grandmother = factories.UserFactory(username="mamie")
    factories.StudentGuardianFactory(
        student=elementary, relationship="grandparent", has_custody=False,
        has_access_rights=True,
        guardian=factories.GuardianFactory(first_name="Rose", user=grandmother,
                                           email=grandmother.email))
    return {"child": elementary, "marc": marc, "grandmother": grandmother}


def safe_arrival_emails():
    return list(OutboundEmail.objects.filter(template="absences/safe_arrival")
                .order_by("recipient"))


def test_at_the_schools_time_each_guardian_who_may_report_is_emailed_once(alice, morning):
    SchoolDay.objects.create(school=morning["child"].school)  # 9:30, the default
    with at(9, 29):
        assert services.safe_arrival_run() == 0
    assert not safe_arrival_emails()

    with at(9, 30):
        assert services.safe_arrival_run() == 1  # the elementary child only
    emails = safe_arrival_emails()
    assert sorted(email.recipient for email in emails) == sorted(
        [alice.user.email, morning["marc"].email])
    check = SafeArrivalCheck.objects.get()
    assert (check.student, check.date, check.emailed_to) == (morning["child"], MONDAY, 2)

    with at(9, 35):
        assert services.safe_arrival_run() == 0
    assert len(safe_arrival_emails()) == 2

    # In each recipient's language, with the first name only, and the link.
    by_language = {email.language: render_email(email) for email in emails}
    assert "absent" in by_language["en"].subject
    assert by_language["fr"].subject.startswith(morning["child"].first_name)
    for message in by_language.values():
        assert message.body.count("/absences/arrivee/") == 1
        assert morning["child"].niso not in message.body
        assert morning["child"].last_name not in message.body


def test_a_reported_child_a_day_off_and_a_child_with_no_account_to_email(
        alice, morning, other_family, codes, reasons):
    child = morning["child"]
    AbsenceReport.objects.create(student=child, reported_by=alice.user, kind="days",
                                 start_date=MONDAY, end_date=MONDAY,
                                 reason=reasons["illness"])
    lonely = factories.StudentFactory(school=child.school)
    factories.AttendanceRecordFactory(student=lonely, date=MONDAY, code=codes["ANM"])
    factories.StudentGuardianFactory(student=lonely)  # a guardian with no account
    with at(9, 45):
        assert services.safe_arrival_run() == 1
    check = SafeArrivalCheck.objects.get()
    assert (check.student, check.emailed_to) == (lonely, 0)
    assert not safe_arrival_emails()


def answer_url_of(email: OutboundEmail) -> str:
    return urlsplit(email.context["answer_url"]).path


def test_a_guardian_answers_from_the_link_and_the_list_updates(client, alice, morning,
                                                              secretary):
    Subscription.objects.create(user=alice.user, category=Category.ATTENDANCE,
                                timing=Timing.OFF)
    with at(9, 30):
        services.safe_arrival_run()
    [link] = [answer_url_of(email) for email in safe_arrival_emails()
              if email.recipient == alice.user.email]
    client.logout()
    with at(9, 40):
        response = client.get(link)  # from the phone, no session
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        client.force_login(alice.user)
        page = html_of(client.get(link))
        assert french("Explain an absence") in page
        response = client.post(link, {"children": [morning["child"].pk], "kind": "days",
                                      "start_date": MONDAY.isoformat(), "reason": "illness"})
        assert response.status_code == 302

    check = SafeArrivalCheck.objects.get()
    assert check.answered_at is not None
    assert check.report == AbsenceReport.objects.get(student=morning["child"])
    # Always confirmed, whatever her Notification choices.
    assert OutboundEmail.objects.filter(template="absences/safe_arrival_answered",
                                        recipient=alice.user.email).count() == 1

    with at(9, 45):
        # The link works once; Marc's, for the same absence, is answered too.
        page = html_of(client.get(link), status=410)
        assert french("This absence has already been explained: the link works once.") in page
        staff_login(client, secretary)
        listing = html_of(client.get(reverse(CHECKS)))
    assert french("Answered") in listing
    assert AbsenceReport.objects.count() == 1


def test_a_tampered_expired_or_someone_elses_link_is_refused(client, alice, morning):
    with at(9, 30):
        services.safe_arrival_run()
    link = next(answer_url_of(email) for email in safe_arrival_emails()
                if email.recipient == alice.user.email)
    tampered = link[:-3] + ("a" if link[-3] != "a" else "b") + link[-2:]
    with at(9, 40):
        client.force_login(alice.user)
        page = html_of(client.get(tampered), status=400)
        assert french("This link is not valid. Log in to the portal to report the absence, "
                      "or call the school.") in page
        client.logout()
        client.force_login(morning["marc"])
        assert client.get(link).status_code == 404  # Alice's link in Marc's session
    with at(18, 31):  # 8 hours and a minute later
        client.logout()
        page = html_of(client.get(link), status=410)
        assert french("This link has expired. Log in to the portal to report the absence, "
                      "or call the school.") in page
    assert not AbsenceReport.objects.exists()
    assert SafeArrivalCheck.objects.get().answered_at is None


@pytest.mark.parametrize("count", [1, 10])
def test_the_schools_safe_arrival_list(client, alice, codes, secretary, count,
                                       django_assert_num_queries):
    school = alice.children[0].school
    for _index in range(count):
        child = factories.StudentFactory(school=school)
        factories.AttendanceRecordFactory(student=child, date=MONDAY, code=codes["ANM"])
    with at(9, 30):
        services.safe_arrival_run()
    with at(9, 50):
        staff_login(client, secretary)
        client.get(reverse(CHECKS))  # the session's first-visit writes
        with django_assert_num_queries(9):  # the checks' guardians to call: one more
            listing = html_of(client.get(reverse(CHECKS)))
    assert listing.count(french("To call")) >= count
    assert french("No guardian to email") in listing


def test_the_list_says_whom_to_call_and_their_numbers(client, alice, morning, secretary):
    # No answer by 9:50: the school calls, in its call order, the guardians who have
    # custody or may report, and the emergency contacts; not the grandmother who only sees.
    child = morning["child"]
    alice.guardian.primary_phone, alice.guardian.cell_phone = "6135550154", "3435550182"
    alice.guardian.save()
    neighbour = factories.GuardianFactory(first_name="Nadia", last_name="Voisine",
                                          primary_phone="6135550199")
    factories.StudentGuardianFactory(student=child, guardian=neighbour, relationship="other",
                                     has_custody=False, emergency_contact=True,
                                     contact_order=3)
    # A father with custody whom a court order keeps away: the school does not call him.
    kept_away = factories.GuardianFactory(first_name="Gérard", last_name="Éloigné",
                                          primary_phone="6135550111")
    factories.StudentGuardianFactory(student=child, guardian=kept_away, has_custody=True,
                                     emergency_contact=True, portal_access=False,
                                     portal_access_off_reason="Ordonnance du tribunal")
    with at(9, 30):
        services.safe_arrival_run()
    with at(9, 50):
        staff_login(client, secretary)
        listing = html_of(client.get(reverse(CHECKS)))

    assert (f"{alice.guardian.first_name} {alice.guardian.last_name}" in listing
            and "613 555-0154 · 343 555-0182" in listing)
    assert "Nadia Voisine" in listing and "613 555-0199" in listing
    assert listing.index("613 555-0154") < listing.index("Nadia Voisine")  # the call order
    assert "Rose" not in listing
    assert "Éloigné" not in listing and "613 555-0111" not in listing
    # Emailed: Alice and Marc, written as French writes a count (no « parent(s) »).
    assert french_plural("%(count)s guardian at %(time)s", "%(count)s guardians at %(time)s",
                         2) % {"count": 2, "time": "9\xa0h\xa030"} in listing


def test_the_run_is_quiet_on_a_day_without_school(alice, morning):
    DayOff.objects.create(date=MONDAY, kind=DayOff.Kind.PA_DAY)  # the whole board's
    with at(9, 45):
        assert services.safe_arrival_run() == 0
    assert not SafeArrivalCheck.objects.exists()


def test_a_report_made_from_assiduite_after_the_email_answers_the_check(client, alice,
                                                                       morning):
    with at(9, 30):
        services.safe_arrival_run()
    child = morning["child"]
    with at(9, 50):
        client.force_login(alice.user)
        client.post(reverse("absences:report", kwargs={"public_id": child.public_id}),
                    {"children": [child.pk], "kind": "late", "start_date": MONDAY.isoformat(),
                     "at_time": "10:30", "reason": "medical"})
    check = SafeArrivalCheck.objects.get()
    assert check.answered_at is not None
    assert check.report == AbsenceReport.objects.get(student=child)
