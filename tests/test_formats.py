"""Canadian formats: whatever people type, what is stored and shown is one canonical form."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import formats, translation
from hypothesis import example, given
from hypothesis import strategies as st

from portail.formats import (
    NisoField,
    PhoneField,
    PostalCodeField,
    clock_time,
    day_in_sentence,
    format_niso,
    format_phone,
    long_date,
    long_datetime,
    normalize_niso,
    normalize_phone,
    normalize_postal_code,
    validate_niso,
    validate_phone,
    validate_postal_code,
)
from tests import factories

DIGIT = st.sampled_from("0123456789")
# What people put between digits: nothing, spaces, hyphens, or a mix.
NISO_SEPARATOR = st.sampled_from(["", "", " ", "-", "  ", " - ", "\t"])

POSTAL_FIRST = "ABCEGHJKLMNPRSTVXY"
POSTAL_OTHER = "ABCEGHJKLMNPRSTVWXYZ"
POSTAL_NEVER = "DFIOQU"


def _error_code(error: ValidationError) -> str:
    return error.value.error_list[0].code


def _interleave(draw, chunks: list[str], separator) -> str:
    typed = draw(separator) if draw(st.booleans()) else ""
    for chunk in chunks:
        typed += chunk + draw(separator)
    return typed


@st.composite
def typed_niso(draw, length: int = 9) -> tuple[str, str]:
    digits = draw(st.lists(DIGIT, min_size=length, max_size=length))
    return "".join(digits), _interleave(draw, digits, NISO_SEPARATOR)


# --- NISO (OEN) ---------------------------------------------------------------------------


@given(typed_niso())
@example(("123456789", "123-456-789"))
@example(("123456789", " 123 456 789 "))
def test_any_nine_digits_with_spaces_and_hyphens_is_a_niso(case):
    digits, typed = case
    assert normalize_niso(typed) == digits
    validate_niso(typed)
    assert NisoField().clean(typed, None) == digits


@given(st.one_of(typed_niso(8), typed_niso(10)))
@example(("", ""))
def test_eight_or_ten_digits_are_not_a_niso(case):
    _digits, typed = case
    with pytest.raises(ValidationError) as error:
        validate_niso(typed)
    assert _error_code(error) == "invalid_niso"


@given(typed_niso(), st.integers(min_value=0, max_value=8), st.sampled_from("aAzZéOlI_+/"))
@example(("123456789", "123456789"), 8, "O")
def test_a_letter_in_place_of_a_digit_is_not_a_niso(case, position, letter):
    digits, _typed = case
    typed = f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    typed = typed[: position + position // 3] + letter + typed[position + position // 3 + 1:]
    with pytest.raises(ValidationError) as error:
        validate_niso(typed)
    assert _error_code(error) == "invalid_niso"
    assert "123-456-789" in str(error.value.messages[0])


def test_niso_is_shown_in_three_groups():
    assert format_niso("123456789") == "123-456-789"
    assert format_niso("123 456 789") == "123-456-789"


# --- Postal codes ---------------------------------------------------------------------------


@st.composite
def postal_code(draw, first: str = POSTAL_FIRST, other: str = POSTAL_OTHER) -> str:
    letters = [draw(st.sampled_from(first))] + [draw(st.sampled_from(other)) for _ in range(2)]
    digits = [draw(DIGIT) for _ in range(3)]
    return f"{letters[0]}{digits[0]}{letters[1]} {digits[1]}{letters[2]}{digits[2]}"


@st.composite
def as_typed(draw, canonical: str) -> str:
    """The code in any case, with or without the space, maybe with spaces around it."""
    cased = "".join(c.lower() if draw(st.booleans()) else c for c in canonical)
    if draw(st.booleans()):
        cased = cased.replace(" ", "")
    return draw(st.sampled_from(["", " "])) + cased + draw(st.sampled_from(["", " "]))


@given(st.data(), postal_code())
def test_valid_postal_codes_in_any_case_normalise(data, canonical):
    typed = data.draw(as_typed(canonical))
    assert normalize_postal_code(typed) == canonical
    validate_postal_code(typed)
    assert PostalCodeField().clean(typed, None) == canonical


@given(postal_code(), st.sampled_from([0, 2, 5]), st.sampled_from(POSTAL_NEVER))
@example("K1G 6C3", 0, "D")
def test_letters_canada_post_never_uses_are_rejected(canonical, position, letter):
    typed = canonical[:position] + letter + canonical[position + 1:]
    for variant in (typed, typed.lower()):
        with pytest.raises(ValidationError) as error:
            validate_postal_code(variant)
        assert _error_code(error) == "invalid_postal_code"


@given(postal_code(first="WZ"))
def test_w_or_z_first_is_rejected(typed):
    with pytest.raises(ValidationError) as error:
        validate_postal_code(typed)
    assert _error_code(error) == "invalid_postal_code"


@pytest.mark.parametrize("typed", ["k1g6c3", "K1G6C3", " k1G 6c3", "K1G 6C3"])
def test_the_board_office_postal_code(typed):
    validate_postal_code(typed)
    assert normalize_postal_code(typed) == "K1G 6C3"


@pytest.mark.parametrize("typed", ["", "K1G 6C", "K1G 6C33", "1KG 6C3", "K1G-6C3", "KKG 6C3"])
def test_malformed_postal_codes_are_rejected(typed):
    with pytest.raises(ValidationError):
        validate_postal_code(typed)


# --- Phone numbers ----------------------------------------------------------------------------

PHONE_LAYOUTS = [
    "{a}{e}{l}",
    "{a} {e}-{l}",
    "{a}-{e}-{l}",
    "{a}.{e}.{l}",
    "({a}) {e}-{l}",
    "({a}){e}-{l}",
    "+1 {a} {e} {l}",
    "+1-{a}-{e}-{l}",
    "+1 ({a}) {e}-{l}",
    "+1{a}{e}{l}",
    "1-{a}-{e}-{l}",
    "1 {a} {e} {l}",
    "1 ({a}) {e}.{l}",
    "1{a}{e}{l}",
    " {a} {e} {l} ",
]


@st.composite
def phone_parts(draw, area_first: str = "23456789", exchange_first: str = "23456789"):
    area = draw(st.sampled_from(area_first)) + "".join(draw(DIGIT) for _ in range(2))
    exchange = draw(st.sampled_from(exchange_first)) + "".join(draw(DIGIT) for _ in range(2))
    line = "".join(draw(DIGIT) for _ in range(4))
    return area, exchange, line


@given(phone_parts(), st.sampled_from(PHONE_LAYOUTS))
@example(("613", "555", "0123"), "+1 (613) 555-0123")
def test_north_american_numbers_normalise_to_ten_digits(parts, layout):
    area, exchange, line = parts
    typed = layout.format(a=area, e=exchange, l=line)
    assert normalize_phone(typed) == area + exchange + line
    validate_phone(typed)
    assert PhoneField().clean(typed, None) == area + exchange + line


@given(
    st.one_of(phone_parts(area_first="01"), phone_parts(exchange_first="01")),
    st.sampled_from(PHONE_LAYOUTS),
)
def test_area_code_or_exchange_starting_with_0_or_1_is_rejected(parts, layout):
    area, exchange, line = parts
    with pytest.raises(ValidationError) as error:
        validate_phone(layout.format(a=area, e=exchange, l=line))
    assert _error_code(error) == "invalid_phone"


@pytest.mark.parametrize("typed", ["613555012", "61355501234", "613-555-012a", "+2 613 555 0123"])
def test_wrong_length_or_letters_are_not_a_phone(typed):
    with pytest.raises(ValidationError) as error:
        validate_phone(typed)
    assert _error_code(error) == "invalid_phone"


def test_phone_is_shown_the_canadian_way():
    assert format_phone("6135550123") == "613 555-0123"
    assert format_phone("+1 (613) 555-0123") == "613 555-0123"


# --- Model fields: what the admin forms store -----------------------------------------------


@pytest.mark.django_db
def test_school_fields_normalise_on_full_clean():
    school = factories.SchoolFactory.build(postal_code=" k1g6c3 ", phone="+1 (613) 742-8960")
    school.full_clean()
    assert school.postal_code == "K1G 6C3"
    assert school.phone == "6137428960"


@pytest.mark.django_db
def test_student_and_guardian_fields_normalise_on_full_clean():
    school = factories.SchoolFactory()
    student = factories.StudentFactory.build(school=school, niso="999 000-123",
                                             postal_code="k1c 2n4")
    student.full_clean()
    assert (student.niso, student.postal_code) == ("999000123", "K1C 2N4")

    guardian = factories.GuardianFactory.build(primary_phone="1-613-555-0123",
                                               cell_phone="343.555.0199", work_phone="",
                                               postal_code="K1C2N4")
    guardian.full_clean()
    assert guardian.primary_phone == "6135550123"
    assert guardian.cell_phone == "3435550199"
    assert guardian.work_phone == ""
    assert guardian.postal_code == "K1C 2N4"


def test_a_date_inside_a_sentence_has_its_weekday_in_lower_case_in_french():
    friday = datetime.date(2026, 11, 20)
    with translation.override("fr"):
        assert day_in_sentence(friday) == "vendredi 20 novembre 2026"
    with translation.override("en"):
        assert day_in_sentence(friday) == "Friday 20 November 2026"


def test_the_first_of_the_month_is_an_ordinal_in_french_only():
    first, second = datetime.date(2026, 12, 1), datetime.date(2026, 12, 2)
    with translation.override("fr"):
        assert long_date(first) == "1er décembre 2026"
        assert long_date(second) == "2 décembre 2026"
        assert day_in_sentence(first) == "mardi 1er décembre 2026"
    with translation.override("en"):
        assert long_date(first) == "1 December 2026"
        assert day_in_sentence(first) == "Tuesday 1 December 2026"


def test_times_are_written_the_canadian_french_way():
    moment = datetime.datetime(2026, 12, 1, 8, 5)
    with translation.override("fr"):
        assert long_datetime(moment) == "1er décembre 2026 à 8\xa0h\xa005"
        assert formats.time_format(datetime.time(14, 30), "TIME_FORMAT") == "14\xa0h\xa030"
    with translation.override("en"):
        assert long_datetime(moment) == "1 December 2026 at 8:05 a.m."


def test_a_whole_hour_is_written_without_its_minutes():
    with translation.override("fr"):
        assert clock_time(datetime.time(9, 0)) == "9\xa0h"
        assert clock_time(datetime.time(9, 5)) == "9\xa0h\xa005"
        assert long_datetime(datetime.datetime(2026, 12, 1, 15, 0)) == "1er décembre 2026 à 15\xa0h"
    with translation.override("en"):
        assert clock_time(datetime.time(9, 0)) == "9 a.m."
