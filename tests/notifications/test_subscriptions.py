"""The Notification side tab: per child and for all the children, with sensible defaults."""

import datetime

import pytest
from django.urls import reverse

from notifications import selectors
from notifications.models import Category, NotificationSettings, Subscription, Timing
from tests.pages import french, html_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("famille_today")]


def child_url(student) -> str:
    return reverse("notifications:child", kwargs={"public_id": student.public_id})


def timings(**chosen) -> dict:
    return {category: chosen.get(category, Timing.OFF) for category in Category.values}


def test_announcements_are_chosen_for_all_the_children_only(client, family):
    client.force_login(family.user)
    assert 'name="announcement"' not in html_of(client.get(child_url(family.children[0])))
    assert 'name="announcement"' in html_of(client.get(reverse("notifications:family")))


def test_defaults_report_cards_and_absences_right_away_announcements_daily(family):
    chosen = selectors.timings_for(family.user, family.children[0])
    assert chosen[Category.REPORT_CARD] == Timing.IMMEDIATE
    assert chosen[Category.ATTENDANCE] == Timing.IMMEDIATE
    assert chosen[Category.ANNOUNCEMENT] == Timing.DIGEST


def test_the_tab_shows_and_saves_one_childs_choices(client, family):
    first, second = family.children
    client.force_login(family.user)
    page = html_of(client.get(child_url(first)))
    assert 'value="immediate" required id="id_attendance_0" checked' in page
    response = client.post(child_url(first), timings(attendance=Timing.DIGEST))
    assert response.status_code == 302
    assert selectors.timings_for(family.user, first)[Category.ATTENDANCE] == Timing.DIGEST
    assert selectors.timings_for(family.user, first)[Category.REPORT_CARD] == Timing.OFF
    # The other child keeps the defaults.
    assert selectors.timings_for(family.user, second)[Category.ATTENDANCE] == Timing.IMMEDIATE


def test_all_my_children_at_once_replaces_each_childs_choice(client, family):
    first, second = family.children
    client.force_login(family.user)
    client.post(child_url(first), timings(attendance=Timing.DIGEST))
    response = client.post(reverse("notifications:family"), {
        **timings(attendance=Timing.IMMEDIATE, announcement=Timing.IMMEDIATE),
        "digest_hour": "7", "quiet_start": "21:00", "quiet_end": "07:00",
    })
    assert response.status_code == 302
    for child in (first, second):
        chosen = selectors.timings_for(family.user, child)
        assert chosen[Category.ATTENDANCE] == chosen[Category.ANNOUNCEMENT] == Timing.IMMEDIATE
    saved = NotificationSettings.objects.get(user=family.user)
    assert (saved.digest_hour, saved.quiet_start, saved.quiet_end) == (
        7, datetime.time(21), datetime.time(7))


@pytest.mark.parametrize("data,message", [
    ({"digest_hour": "25"}, None),
    ({"digest_hour": "7", "quiet_start": "21:00"},
     "Give both ends of the quiet hours, or neither."),
    ({"digest_hour": "7", "attendance": "sometimes"}, "Choose when to be told."),
])
def test_bad_input_changes_nothing(client, family, data, message):
    client.force_login(family.user)
    page = html_of(client.post(reverse("notifications:family"), {**timings(), **data}))
    if message:
        assert french(message) in page
    assert 'aria-invalid="true"' in page or "form-errors" in page
    assert not Subscription.objects.exists()
    assert not NotificationSettings.objects.exists()


@pytest.mark.parametrize("quiet,message,not_shown", [
    # The form and the model's constraint both said it.
    ({"quiet_start": "21:00"}, "Give both ends of the quiet hours, or neither.", None),
    ({"quiet_end": "07:00"}, "Give both ends of the quiet hours, or neither.", None),
    # Not a time: that is the error, not a missing end.
    ({"quiet_start": "25:00", "quiet_end": "07:00"}, "Enter a valid time.",
     "Give both ends of the quiet hours, or neither."),
    ({"quiet_start": "25:00"}, "Enter a valid time.",
     "Give both ends of the quiet hours, or neither."),
])
def test_quiet_hours_have_one_clear_message(client, family, quiet, message, not_shown):
    client.force_login(family.user)
    page = html_of(client.post(reverse("notifications:family"),
                               {**timings(), "digest_hour": "7", **quiet}))
    assert page.count(french(message)) == 1
    if not_shown:
        assert french(not_shown) not in page
    assert not NotificationSettings.objects.exists()


def test_the_summary_hours_read_in_the_readers_language(client, family):
    client.force_login(family.user)
    page = html_of(client.get(reverse("notifications:family")))
    assert '<option value="0">0\xa0h</option>' in page
    assert '<option value="8">8\xa0h</option>' in page
    assert '<option value="18" selected>18\xa0h</option>' in page
    client.cookies["django_language"] = "en"
    page = html_of(client.get(reverse("notifications:family")))
    assert '<option value="8">8 a.m.</option>' in page
    assert '<option value="18" selected>6 p.m.</option>' in page
    assert " h</option>" not in page


def test_another_familys_child_is_a_404(client, family, other_family):
    client.force_login(family.user)
    theirs = other_family.children[0]
    assert client.get(child_url(theirs)).status_code == 404
    assert client.post(child_url(theirs), timings()).status_code == 404
    assert not Subscription.objects.exists()


def test_the_side_tab_is_marked_current(client, family):
    client.force_login(family.user)
    page = html_of(client.get(child_url(family.children[0])))
    assert f'<a href="{child_url(family.children[0])}" aria-current="page">' in page


def test_each_parent_sees_their_own_choices_after_another_parents(client, family,
                                                                  other_family):
    """The choices' HTML is cached by what it shows (views.child_notifications)."""
    client.force_login(other_family.user)
    assert 'value="immediate" required id="id_attendance_0" checked' in html_of(
        client.get(child_url(other_family.children[0])))
    client.force_login(family.user)
    client.post(child_url(family.children[0]), timings(attendance=Timing.DIGEST))
    page = html_of(client.get(child_url(family.children[0])))
    assert 'value="digest" required id="id_attendance_1" checked' in page
    assert 'id="id_attendance_0" checked' not in page
    client.force_login(other_family.user)
    assert 'value="immediate" required id="id_attendance_0" checked' in html_of(
        client.get(child_url(other_family.children[0])))
