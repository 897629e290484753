"""The tally's arithmetic: every test at and around its boundary (area and heads separately), the counting
rules, abstentions, each rule set, exact decimals where floats go wrong, and what is still needed."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from jiati.consent.rules import builtin_spec
from jiati.consent.tally import Counts, TallyInputError, counts_from_rows, evaluate, fraction_text, read_rows

ART_278 = builtin_spec("civil-code-278")


def counts(n=12, p=12, a=12, area_n="960", area_p="960", area_a="960", objections=None) -> Counts:
    return Counts(
        owners_total=n,
        owners_participating=p,
        owners_agreeing=a,
        area_total=Decimal(area_n),
        area_participating=Decimal(area_p),
        area_agreeing=Decimal(area_a),
        objections_from_others=objections,
    )


def outcome(verdict, name):
    return next(t for t in verdict.tests if t.spec.name == name)


def rows(*lines):
    return [("dwelling", "owner", "area", "choice"), *lines]


# --- each of the four tests at, just below and just above its boundary ---------------------------


@pytest.mark.parametrize(("participating", "passes"), [(7, False), (8, True), (9, True)])
def test_participating_owners_boundary_two_thirds(participating, passes):
    # 8/12 is exactly 2/3: "以上" includes the boundary. Area and agreement pass comfortably.
    verdict = evaluate(counts(n=12, p=participating, a=participating), ART_278)
    assert outcome(verdict, "participating_owners").passed is passes
    assert all(t.passed for t in verdict.tests if t.spec.name != "participating_owners")
    assert verdict.passed is passes


@pytest.mark.parametrize(("area", "passes"), [("199.99", False), ("200.00", True), ("200.01", True)])
def test_participating_area_boundary_two_thirds(area, passes):
    verdict = evaluate(counts(area_n="300.00", area_p=area, area_a=area), ART_278)
    assert outcome(verdict, "participating_area").passed is passes
    assert outcome(verdict, "participating_owners").passed
    assert verdict.passed is passes


@pytest.mark.parametrize(("agreeing", "passes"), [(8, False), (9, True), (10, True)])
def test_agreeing_owners_boundary_three_quarters_of_participants(agreeing, passes):
    # 9 of 12 participating is exactly 3/4; the denominator is the participants, not everyone.
    verdict = evaluate(counts(n=16, p=12, a=agreeing), ART_278)
    assert outcome(verdict, "agreeing_owners").passed is passes
    assert outcome(verdict, "agreeing_owners").ratio == Fraction(agreeing, 12)
    assert verdict.passed is passes


@pytest.mark.parametrize(("area", "passes"), [("299.99", False), ("300.00", True), ("300.01", True)])
def test_agreeing_area_boundary_three_quarters_of_participating_area(area, passes):
    verdict = evaluate(counts(area_n="450", area_p="400.00", area_a=area), ART_278)
    assert outcome(verdict, "agreeing_area").passed is passes
    assert verdict.passed is passes


def test_area_and_heads_are_separate_tests():
    # Enough heads but not enough area: fails on area alone.
    verdict = evaluate(counts(n=12, p=12, a=12, area_n="1000", area_p="1000", area_a="740"), ART_278)
    assert outcome(verdict, "agreeing_owners").passed
    assert not outcome(verdict, "agreeing_area").passed
    assert not verdict.passed
    # Enough area but not enough heads.
    verdict = evaluate(counts(n=12, p=12, a=8, area_n="1000", area_p="1000", area_a="900"), ART_278)
    assert outcome(verdict, "agreeing_area").passed
    assert not outcome(verdict, "agreeing_owners").passed
    assert not verdict.passed


# --- exact arithmetic --------------------------------------------------------------------


def test_exact_decimals_pass_where_floats_would_fail():
    # 60.3 + 68.1 + 69.6 = 198.0 of 297.0 is exactly 2/3; in binary floats the sum is 197.99999999999997.
    float_ratio = (60.3 + 68.1 + 69.6) / (60.3 + 68.1 + 69.6 + 99.0)
    assert float_ratio < 2 / 3  # the float answer would be wrong
    verdict = evaluate(
        counts_from_rows(
            rows(
                ("101", "甲", "60.3", "同意"),
                ("102", "乙", "68.1", "同意"),
                ("201", "丙", "69.6", "同意"),
                ("202", "丁", "99.0", "未参与"),
            )
        ),
        ART_278,
    )
    test = outcome(verdict, "participating_area")
    assert test.ratio == Fraction(2, 3)
    assert test.passed and verdict.passed
    assert verdict.counts.area_participating == Decimal("198.0")


def test_spreadsheet_floats_are_read_as_the_decimals_typed():
    # openpyxl hands numeric cells over as floats; the tally takes their shortest decimal form.
    counted = counts_from_rows(rows(("1", "a", 60.3, "agree"), ("2", "b", 68.1, "agree"), ("3", "c", 69.6, "agree")))
    assert counted.area_total == Decimal("198.0")


def test_ratios_print_as_reduced_fractions_always_with_a_denominator():
    verdict = evaluate(counts(), ART_278)
    assert [t.ratio_text for t in verdict.tests] == ["1/1", "1/1", "1/1", "1/1"]
    assert [t.threshold_text for t in verdict.tests] == ["2/3", "2/3", "3/4", "3/4"]
    assert fraction_text(Fraction(6, 8)) == "3/4"


def test_nobody_voting_fails_without_dividing_by_zero():
    verdict = evaluate(counts(p=0, a=0, area_p="0", area_a="0"), ART_278)
    assert not verdict.passed
    assert outcome(verdict, "agreeing_owners").ratio is None
    assert outcome(verdict, "agreeing_owners").ratio_text == "0/1"


# --- counting rules (SPC interpretation Arts. 8–9) -------------------------------------------------


def test_one_head_per_owner_however_many_dwellings():
    counted = counts_from_rows(
        rows(("101", "张三", "80", "agree"), ("102", "张三", "75.5", "agree"), ("201", "李四", "80", "disagree"))
    )
    assert counted.owners_total == 2
    assert counted.owners_agreeing == 1
    assert counted.area_agreeing == Decimal("155.5")  # his area counts in full


def test_developer_unsold_stock_counts_as_one_owner():
    lines = [(f"{f}0{u}", "开发商", "80", "absent") for f in range(1, 4) for u in (1, 2)]
    lines += [("401", "王五", "80", "agree"), ("402", "赵六", "80", "agree")]
    counted = counts_from_rows(rows(*lines))
    assert counted.owners_total == 3  # six unsold dwellings: one head
    assert counted.area_total == Decimal("640")
    verdict = evaluate(counted, ART_278)
    assert outcome(verdict, "participating_owners").ratio == Fraction(2, 3)  # passes on heads …
    assert outcome(verdict, "participating_owners").passed
    assert not outcome(verdict, "participating_area").passed  # … but not on area (160/640)


def test_abstaining_counts_as_taking_part_without_agreeing():
    counted = counts_from_rows(
        rows(("1", "a", "80", "agree"), ("2", "b", "80", "agree"), ("3", "c", "80", "agree"), ("4", "d", "80", "弃权"))
    )
    assert (counted.owners_participating, counted.owners_agreeing) == (4, 3)
    assert counted.area_participating == Decimal("320")
    verdict = evaluate(counted, ART_278)
    assert outcome(verdict, "agreeing_owners").ratio == Fraction(3, 4)
    assert verdict.passed
    # Had the abstainer stayed away, the same three would be 3/3 of the participants.
    away = counts_from_rows(
        rows(
            ("1", "a", "80", "agree"), ("2", "b", "80", "agree"), ("3", "c", "80", "agree"), ("4", "d", "80", "未参与")
        )
    )
    assert evaluate(away, ART_278).tests[3].ratio == 1


def test_chinese_headers_and_choice_words():
    counted = counts_from_rows(
        [
            ("房号", "业主", "面积", "意见"),
            ("101", "甲", "80", "同意"),
            ("102", "乙", "80", "不同意"),
            ("103", "丙", "80", "弃权"),
            ("104", "丁", "80", "未参与"),
        ]
    )
    assert (counted.owners_total, counted.owners_participating, counted.owners_agreeing) == (4, 3, 1)


# --- rule sets ------------------------------------------------------------------------


def test_shenzhen_building_rule_counts_agreement_against_everyone():
    spec = builtin_spec("shenzhen-2018")
    # 8 of 12 agree (2/3 of all), 4 stay away: passes Shenzhen, though only 8/8 took part.
    ok = evaluate(counts(n=12, p=8, a=8, area_n="960", area_p="640", area_a="640"), spec)
    assert ok.passed and [t.spec.name for t in ok.tests] == ["agreeing_area_of_total", "agreeing_owners_of_total"]
    short = evaluate(counts(n=12, p=12, a=7, area_n="960", area_p="960", area_a="640"), spec)
    assert not short.passed  # 7/12 < 2/3 even though everyone voted


def test_beijing_rule_needs_no_open_objection_from_others():
    spec = builtin_spec("beijing-stairwell")
    assert spec.no_objection_from_others
    assert evaluate(counts(objections=0), spec).passed
    blocked = evaluate(counts(objections=2), spec)
    assert not blocked.passed and all(t.passed for t in blocked.tests)
    assert blocked.needed.objections == 2
    assert evaluate(counts(objections=None), spec).passed  # not checkable from a spreadsheet: ratios decide


def test_shanghai_two_rounds_estate_then_building():
    first, second = builtin_spec("shanghai-two-rounds", 1), builtin_spec("shanghai-two-rounds", 2)
    assert (first.rounds_total, second.round_number) == (2, 2)
    assert [t.threshold for t in first.tests] == [Fraction(2, 3), Fraction(2, 3), Fraction(3, 4), Fraction(3, 4)]
    with pytest.raises(LookupError):
        builtin_spec("shanghai-two-rounds", 3)


# --- what is still needed ------------------------------------------------------------------


def test_still_needed_in_owners_and_square_metres():
    # 8 of 12 took part (640 m²), 5 agree (400 m²): 4 more agreeing owners, 320 m² more agreeing area.
    verdict = evaluate(counts(n=12, p=8, a=5, area_n="960", area_p="640", area_a="400"), ART_278)
    assert not verdict.passed
    assert (verdict.needed.owners_more, verdict.needed.area_more) == (4, Decimal("320.00"))
    assert verdict.needed.text() == (
        "owner count: 4 more owners voting agree; exclusive area: 320.00 m² more voting agree (both are required)"
    )
    # With them, it passes exactly at the boundary.
    after = evaluate(counts(n=12, p=12, a=9, area_n="960", area_p="960", area_a="720"), ART_278)
    assert after.passed and after.needed.nothing


def test_still_needed_area_is_rounded_up_to_the_hundredth():
    # Participation passes; agreeing area 300 of 420.1 participating: x ≥ (3/4·420.1 − 300)/(1/4) = 60.3.
    verdict = evaluate(counts(n=4, p=4, a=4, area_n="500", area_p="420.1", area_a="300"), ART_278)
    assert verdict.needed.area_more == Decimal("60.30")
    # 420.101 m² needs 60.303 m²: rounded up (never understated) to 60.31.
    verdict = evaluate(counts(n=4, p=4, a=4, area_n="500", area_p="420.101", area_a="300"), ART_278)
    assert verdict.needed.area_more == Decimal("60.31")


def test_still_needed_when_everyone_left_must_agree_and_some_change_their_mind():
    # 6 owners; 5 voted, 3 agree; the last one agreeing makes 4/6 < 3/4: one more must change to agree.
    verdict = evaluate(counts(n=6, p=5, a=3, area_n="600", area_p="500", area_a="300"), ART_278)
    assert (verdict.needed.owners_more, verdict.needed.owners_switch) == (1, 1)
    assert "changing to agree" in verdict.needed.text()


def test_what_each_failing_test_needs_is_said_exactly():
    # 8 of 12 took part (640 m²), 5 agree (400 m²): participation passes; the two agreement tests do not.
    verdict = evaluate(counts(n=12, p=8, a=5, area_n="960", area_p="640", area_a="400"), ART_278)
    needs = {n.spec.name: n for n in verdict.needed.tests}
    assert set(needs) == {"agreeing_area", "agreeing_owners"}
    # (5 + 4) / (8 + 4) = 3/4 with new agreeing voters, or (5 + 1) / 8 = 3/4 with one changing to agree.
    assert (needs["agreeing_owners"].more, needs["agreeing_owners"].switch) == (4, 1)
    assert needs["agreeing_owners"].text() == (
        "4 more owners who have not voted, voting agree; or 1 who voted otherwise changing to agree"
    )
    assert (needs["agreeing_area"].more, needs["agreeing_area"].switch) == (Decimal("320.00"), Decimal("80.00"))
    assert "320.00 m² more from owners who have not voted" in needs["agreeing_area"].text()
    data = verdict.as_json()["still_needed"]
    assert data["area_more"] == "320.00" and data["area_switch"] == "0.00"  # areas always with two decimals
    assert data["tests"] == [
        {"name": "agreeing_area", "measure": "area", "kind": "agree_or_switch", "more": "320.00", "switch": "80.00"},
        {"name": "agreeing_owners", "measure": "owners", "kind": "agree_or_switch", "more": 4, "switch": 1},
    ]


def test_taking_part_and_agreement_of_all_are_separate_needs():
    # 5 of 12 took part and agreed: 3 more must take part (any choice) for 2/3, and the area likewise.
    verdict = evaluate(counts(n=12, p=5, a=5, area_n="960", area_p="400", area_a="400"), ART_278)
    needs = {n.spec.name: n for n in verdict.needed.tests}
    assert set(needs) == {"participating_area", "participating_owners"}
    assert needs["participating_owners"].text() == "3 more owners taking part (agreeing, disagreeing or abstaining)"
    assert needs["participating_area"].text() == "240.00 m² more taking part (agreeing, disagreeing or abstaining)"
    # Shenzhen 2018: agreement out of everyone — a new agreeing owner and a change of mind count the same.
    shenzhen = evaluate(
        counts(n=12, p=12, a=7, area_n="960", area_p="960", area_a="640"), builtin_spec("shenzhen-2018")
    )
    (need,) = shenzhen.needed.tests
    assert need.spec.name == "agreeing_owners_of_total" and need.more == 1
    assert need.text() == "1 more owner agreeing (one who has not voted, or one changing to agree)"
    assert shenzhen.needed.text() == "owner count: 1 owner changing to agree"  # everyone has voted


def test_nothing_needed_once_passed():
    verdict = evaluate(counts(), ART_278)
    assert verdict.passed and verdict.needed.text() == ""
    needed = verdict.as_json()["still_needed"]
    assert (needed["area_more"], needed["area_switch"], needed["tests"]) == ("0.00", "0.00", [])


# --- bad spreadsheets name their rows --------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        (("101", "甲", "-3", "agree"), "greater than zero"),
        (("101", "甲", "0", "agree"), "greater than zero"),
        (("101", "甲", "", "agree"), "area is missing"),
        (("101", "甲", "八十", "agree"), "not a number"),
        (("101", "甲", "80", "maybe"), "not a choice"),
        (("101", "", "80", "agree"), "owner is missing"),
        (("", "甲", "80", "agree"), "dwelling is missing"),
    ],
)
def test_bad_rows_are_refused_naming_the_row(line, fragment):
    with pytest.raises(TallyInputError) as exc:
        counts_from_rows(rows(("100", "乙", "80", "agree"), line))
    assert exc.value.first_row == 3
    assert "Row 3" in str(exc.value) and fragment in str(exc.value)


def test_conflicting_choices_of_one_owner_are_refused():
    with pytest.raises(TallyInputError) as exc:
        counts_from_rows(
            rows(("101", "甲", "80", "agree"), ("102", "乙", "80", "agree"), ("103", "甲", "80", "disagree"))
        )
    assert exc.value.first_row == 4
    assert "row 2" in str(exc.value)


def test_the_same_dwelling_twice_is_refused():
    with pytest.raises(TallyInputError) as exc:
        counts_from_rows(rows(("101", "甲", "80", "agree"), ("101", "乙", "80", "agree")))
    assert exc.value.first_row == 3


@pytest.mark.parametrize("content", [[], [(), ("",)], [("dwelling", "owner", "area", "choice")]])
def test_empty_files_are_refused(content):
    with pytest.raises(TallyInputError):
        counts_from_rows(content)


def test_missing_header_columns_are_named():
    with pytest.raises(TallyInputError) as exc:
        counts_from_rows([("dwelling", "owner", "area"), ("1", "a", "80")])
    assert "choice/意见" in str(exc.value)


# --- reading .xlsx ----------------------------------------------------------------------------------


@pytest.mark.parametrize("write_only", [False, True], ids=["shared-strings", "inline-strings"])
def test_an_xlsx_workbook_is_read_with_its_row_numbers(tmp_path, write_only):
    from openpyxl import Workbook

    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("表决") if write_only else workbook.active
    lines = [
        ["房号", "业主", "面积", "意见"],
        ["101", "张三", 80.1, "同意"],
        [102, "李四 & 王五", 75, "不同意"],
        [],
        ["201", "赵六", 90.25, "弃权", None, "备注"],
        ["202", "孙七", 1e-2, "同意", True],
        [None, None, None, None],
        ["301", "周八", "85.30", "未参与"],
    ]
    for line in lines:
        sheet.append(line)
    path = tmp_path / "vote.xlsx"
    workbook.save(path)
    counted = counts_from_rows(read_rows(path.read_bytes(), "vote.xlsx"))
    assert counted.owners_total == 5 and counted.area_total == Decimal("330.66")

    sheet = (workbook := Workbook()).active
    for line in [*lines, [], ["302", "吴九", -3, "同意"]]:
        sheet.append(line)
    workbook.save(path)
    with pytest.raises(TallyInputError) as exc:
        counts_from_rows(read_rows(path.read_bytes(), "vote.xlsx"))
    assert exc.value.first_row == 10  # blank rows keep the numbering the user sees in Excel


def test_an_unreadable_workbook_is_refused():
    with pytest.raises(TallyInputError, match=r"not a readable \.xlsx"):
        counts_from_rows(read_rows(b"PK\x03\x04 not really a zip", "vote.xlsx"))


def test_a_damaged_cell_is_named_with_its_row():
    from jiati.core.tests.workbooks import sheet_of, workbook_bytes

    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>房号</t></is></c></row>'
    data = workbook_bytes(sheet_of(header + '<row r="4"><c r="C4"><v>eighty</v></c></row>'))
    with pytest.raises(TallyInputError) as exc:
        counts_from_rows(read_rows(data, "vote.xlsx"))
    assert exc.value.first_row == 4 and "C4" in str(exc.value)


def test_rows_out_of_order_are_refused_rather_than_misnumbered():
    from jiati.core.tests.workbooks import sheet_of, workbook_bytes

    header = "".join(
        f'<c r="{column}5" t="inlineStr"><is><t>{word}</t></is></c>'
        for column, word in zip("ABCD", ["房号", "业主", "面积", "意见"], strict=True)
    )
    data = workbook_bytes(sheet_of(f'<row r="5">{header}</row><row r="2"><c r="A2"><v>2</v></c></row>'))
    with pytest.raises(TallyInputError) as exc:
        counts_from_rows(read_rows(data, "vote.xlsx"))
    assert exc.value.first_row == 2 and "order" in str(exc.value)


def test_a_tests_figures_are_worked_out_once_and_its_label_read_in_the_readers_language(monkeypatch):
    """Issue 18: the verdict's table shows each test's reached and required shares four times: they are worked out
    once per test; its label is translated when shown (only the one shown), in the reader's language."""
    from django.utils import translation

    from jiati.consent import tally

    calls = []
    compared = tally.format_compared_shares

    def counting(value, threshold):
        calls.append(value)
        return compared(value, threshold)

    monkeypatch.setattr(tally, "format_compared_shares", counting)
    verdict = evaluate(counts(n=12, p=9, a=8, area_p="720", area_a="640"), ART_278)
    shown = [(t.ratio_shown, t.ratio_shown, t.ratio_shown, t.threshold_shown) for t in verdict.tests]
    assert len(calls) == len(verdict.tests) and all(a == b == c for a, b, c, _t in shown)
    area = next(t for t in verdict.tests if (t.spec.measure, t.spec.numerator) == ("area", "participating"))
    with translation.override("zh-hans"):
        assert area.label() == "参与表决面积 / 全部专有面积"
    assert area.label() == "Participating area / all exclusive area"
