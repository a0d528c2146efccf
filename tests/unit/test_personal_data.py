import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.errors import UserError
from bot.core.personal_data import (
    CASE_NUMBER,
    DATE_OF_BIRTH,
    DEFAULT_PATTERNS,
    KINDS,
    NAMED_CASE_DETAIL,
    NHS_NUMBER,
    POSTCODE,
    Patterns,
    check,
    format_patterns,
    is_valid_nhs_number,
    parse_patterns,
)
from tests.unit.personal_data_corpus import FALSE, TRUE


def kinds(text: str, patterns: Patterns = DEFAULT_PATTERNS) -> list[str]:
    return [f.kind for f in check(text, patterns)]


def test_corpus_precision_and_recall() -> None:
    assert len(TRUE) >= 50 and len(FALSE) >= 60 and len(TRUE) + len(FALSE) >= 120
    caught = [text for text, kind in TRUE if kind in kinds(text)]
    false_alarms = [text for text in FALSE if check(text)]
    flagged = len(caught) + len(false_alarms)
    precision = len(caught) / flagged if flagged else 1.0
    recall = len(caught) / len(TRUE)
    print(
        f"\npersonal-data corpus: {len(TRUE)} true, {len(FALSE)} false; "
        f"precision {precision:.3f}, recall {recall:.3f}"
    )
    missed = [text for text, kind in TRUE if kind not in kinds(text)]
    assert precision >= 0.95, false_alarms
    assert recall >= 0.95, missed


def test_finding_offsets_point_at_the_flagged_text_and_explanations_do_not_echo_it() -> None:
    text = "Update: DOB 12/03/2012 and postcode NW1 6XE."
    found = check(text)
    assert [(f.kind, text[f.start : f.end]) for f in found] == [
        (DATE_OF_BIRTH, "DOB 12/03/2012"),
        (POSTCODE, "NW1 6XE"),
    ]
    assert all("12/03/2012" not in f.explanation and "NW1" not in f.explanation for f in found)


def test_meeting_and_due_dates_are_not_dates_of_birth() -> None:
    assert check("Board on 12/03/2019, due 31/05/2019, Q2 2019/20.") == []


@pytest.mark.parametrize("number", ["943 476 5919", "9434765919", "943-476-5919"])
def test_nhs_number_with_a_valid_check_digit(number: str) -> None:
    assert kinds(f"NHS {number} on file") == [NHS_NUMBER]


@pytest.mark.parametrize(
    "number",
    [
        "943 476 5918",  # check digit wrong
        "943 4765 919",  # not 3-3-4
        "943-476 5919",  # mixed separators
        "0161 496 0000",  # a phone number
        "12345678901",  # 11 digits
    ],
)
def test_not_nhs_numbers(number: str) -> None:
    assert NHS_NUMBER not in kinds(f"Ref {number} here")


def _with_check_digit(nine: str) -> str | None:
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check_digit = (11 - total % 11) % 11
    return None if check_digit == 10 else nine + str(check_digit)


@given(
    nine=st.text("0123456789", min_size=9, max_size=9),
    spaced=st.booleans(),
    position=st.integers(0, 9),
    change=st.integers(1, 9),
)
def test_nhs_check_digit_round_trip(nine: str, spaced: bool, position: int, change: int) -> None:
    number = _with_check_digit(nine)
    if number is None:
        assert not any(is_valid_nhs_number(nine + str(d)) for d in range(10))
        return
    shown = f"{number[:3]} {number[3:6]} {number[6:]}" if spaced else number
    assert is_valid_nhs_number(shown)
    assert kinds(f"Health plan {shown} updated") == [NHS_NUMBER]
    # Modulus 11 with weights 10..2 catches every single-digit slip.
    digits = list(number)
    digits[position] = str((int(digits[position]) + change) % 10)
    assert not is_valid_nhs_number("".join(digits))


def test_outward_code_alone_is_not_a_postcode() -> None:
    assert check("The hub in SW1A opens in May") == []
    assert kinds("Lives at SW1A 1AA") == [POSTCODE]
    assert kinds("Lives at SW1A1AA") == [POSTCODE]


def test_named_child_versus_anonymised_child() -> None:
    assert kinds("Tom (CP plan) seen twice") == [NAMED_CASE_DETAIL]
    assert check("Child A's placement is stable") == []
    assert check("Jane Smith, Head of Fostering, aged 45, presented") == []


@given(st.text(max_size=300))
def test_check_never_fails_and_spans_lie_inside_the_text(text: str) -> None:
    for finding in check(text):
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.kind in KINDS


# --- Patterns per workspace -----------------------------------------------------------------


def test_disable_a_kind() -> None:
    patterns = parse_patterns("disable postcode\n# our addresses are offices\n")
    assert POSTCODE not in patterns.enabled
    assert check("Office at NW1 6XE", patterns) == []
    assert kinds("DOB 12/03/2012", patterns) == [DATE_OF_BIRTH]
    assert POSTCODE in parse_patterns("enable postcode", patterns).enabled


def test_add_a_regex_under_a_kind() -> None:
    patterns = parse_patterns(r"add case-number \bCHD-\d{5}\b")
    found = check("Audit of CHD-44821 completed", patterns)
    assert [(f.kind, f.start, f.end) for f in found] == [(CASE_NUMBER, 9, 18)]
    assert check("Audit of CHD-44821 completed") == []


def test_allow_a_word_clears_findings_containing_it() -> None:
    patterns = parse_patterns("allow Ellis")
    assert check("Ellis (CP plan) chair review", patterns) == []
    assert kinds("Ellis (CP plan) chair review") == [NAMED_CASE_DETAIL]
    assert kinds("Tom (CP plan)", patterns) == [NAMED_CASE_DETAIL]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("disable postcodes", "Line 1: I don't know the kind “postcodes”"),
        ("\n\nadd case-number (", "Line 3: that pattern isn't a valid regular expression"),
        ("add case-number", "Line 1: give the pattern"),
        ("add case-number .*", "matches empty text"),
        ("allow", "say which word to allow"),
        ("block Tom", "I don't understand “block”"),
        ("add nhs-number " + "x" * 300, "under 200 characters"),
    ],
)
def test_pattern_lines_refused_with_one_friendly_line(text: str, says: str) -> None:
    with pytest.raises(UserError) as refused:
        parse_patterns(text)
    assert says in refused.value.message
    assert "\n" not in refused.value.message


@given(
    disabled=st.sets(st.sampled_from(KINDS)),
    extra=st.lists(
        st.tuples(st.sampled_from(KINDS), st.sampled_from([r"X-\d{4}", r"\bREF\w+", "abc"])),
        unique=True,
        max_size=3,
    ),
    allow=st.sets(st.sampled_from(["ellis", "mosaic team", "tom"])),
)
def test_patterns_text_round_trip(
    disabled: set[str], extra: list[tuple[str, str]], allow: set[str]
) -> None:
    patterns = Patterns(frozenset(KINDS) - disabled, tuple(extra), frozenset(allow))
    assert parse_patterns(format_patterns(patterns)) == patterns


def test_the_check_switched_off_finds_nothing_and_keeps_its_patterns() -> None:
    text = "Jo's DOB 12/03/2012, postcode SW1A 1AA"
    tuned = parse_patterns("disable postcode\nallow Ellis")
    off = parse_patterns("off", tuned)
    assert check(text, off) == []
    assert format_patterns(off) == "off\ndisable postcode\nallow ellis"
    back = parse_patterns(format_patterns(off) + "\non")
    assert back == tuned and [f.kind for f in check(text, back)] == ["date-of-birth"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Board meets in room B12 3AB at the civic centre.", []),
        ("Mum has moved to B12 3AB.", [POSTCODE]),
        ("Family at B12 3AB, near the town hall.", [POSTCODE]),  # the address cue wins
        ("Venue: Civic Hall, LS1 1UR.", []),
        ("Emergency placement made in LS6 2QT overnight.", [POSTCODE]),
        ("Young person found at EH1 2NG by police.", [POSTCODE]),  # spaced, no cue: flagged
        ("Rota reference LS62QT sent to team managers.", []),  # unspaced, no cue: a code
        ("Family now living at postcode LS62QT.", [POSTCODE]),
        ("Lives at SW1A1AA", [POSTCODE]),
        ("Room LS6 2QT. Family moved to LS6 2QT.", [POSTCODE]),  # one sentence at a time
    ],
)
def test_a_postcode_shape_is_read_in_its_context(text: str, expected: list[str]) -> None:
    """A family's postcode is personal data; the council's rooms and buildings, and codes
    typed without a postcode's space, are not (docs/design.md §13)."""
    assert kinds(text) == expected
