"""Ages from ID numbers: the 18-character form and the legacy 15-digit one, birthdays at the boundary."""

import datetime as dt

from jiati.pool.ages import age_on, birth_date_from_id, elderly_count, next_elderly_day, turns_elderly_on


def test_birth_date_from_an_18_character_number():
    assert birth_date_from_id("44030019550101123X") == dt.date(1955, 1, 1)
    assert birth_date_from_id(" 440300195501011234 ") == dt.date(1955, 1, 1)


def test_birth_date_from_the_legacy_15_digit_number():
    # 15 digits: area (6), YYMMDD (6), sequence (3); the year is in the 1900s.
    assert birth_date_from_id("440300550101123") == dt.date(1955, 1, 1)
    assert birth_date_from_id("110105491231002") == dt.date(1949, 12, 31)


def test_numbers_without_a_birth_date_are_unknown():
    for value in ("", None, "91440300MA5000001X", "4403001955013212345", "440300195502301234", "44030055130112X"):
        assert birth_date_from_id(value) is None


def test_age_turns_on_the_birthday():
    birth = dt.date(1956, 3, 15)
    assert age_on(birth, dt.date(2026, 3, 14)) == 69
    assert age_on(birth, dt.date(2026, 3, 15)) == 70


def test_elderly_count_counts_seventy_and_over_among_the_known():
    on = dt.date(2026, 6, 1)
    numbers = [
        "440300195606011234",  # 70 today
        "440300195606021234",  # 69 until tomorrow
        "440300540101123",  # legacy form, 72
        "91440300MA5000001X",  # an organisation: age unknown, not counted at all
        "440300199001011234",  # 36
    ]
    elderly, known = elderly_count(numbers, on=on)
    assert (elderly, known) == (2, 4)


def test_the_legacy_15_digit_form_at_the_70_year_boundary():
    on = dt.date(2026, 6, 1)
    assert elderly_count(["440300560601123"], on=on) == (1, 1)  # born 1956-06-01: 70 today
    assert elderly_count(["440300560602123"], on=on) == (0, 1)  # born 1956-06-02: 69 until tomorrow
    assert next_elderly_day(["440300560602123", "440300500101123"], on=on) == dt.date(2026, 6, 2)


def test_born_on_29_february_turns_70_on_1_march_in_a_common_year():
    assert turns_elderly_on(dt.date(1956, 2, 29)) == dt.date(2026, 3, 1)
    assert turns_elderly_on(dt.date(1952, 2, 29)) == dt.date(2022, 3, 1)
    assert turns_elderly_on(dt.date(1954, 2, 28)) == dt.date(2024, 2, 28)


def test_the_housing_forms_and_importer_accept_only_the_18_character_form(db):
    """Jiati's own entry points refuse the legacy form (`owner_identity_clean`, used by the form and the importer),
    so a legacy number reaches the age derivation only from older records; the derivation reads both."""
    import pytest
    from django.core.exceptions import ValidationError

    from jiati.housing.services import owner_identity_clean

    with pytest.raises(ValidationError) as refused:
        owner_identity_clean(kind="person", id_number="440300560601123")
    assert refused.value.error_dict["id_number"][0].code == "invalid_id_number"
