"""Issue 18: a list of stored sentences is read in bulk before it is worded (`core.stored_text.prepare`): one query
per model for the `Row` values, one call of each `Worked` renderer's batch loader for all its values, and then no
query at all while the entries are worded — in the same words as one sentence rendered on its own."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation

from jiati.core import read_once, stored_text
from jiati.core.stored_text import Message, Row, Worked, prepare, reading_of, render
from jiati.organisation.models import Region

CALLS: list[list[dict]] = []


def _load_squares(args_list, *, memo=None):
    CALLS.append([dict(args) for args in args_list])
    list(Region.objects.all()[:1])  # a loader reads the database once for the whole list
    return [args["n"] * args["n"] for args in args_list]


@stored_text.renderer("test.square", batch=_load_squares)
def _square(loaded, *, n):
    return f"{n}² = {loaded}"


@stored_text.renderer("test.cube", batch=_load_squares)  # shares the loader: one call for both names
def _cube(loaded, *, n):
    return f"{n}³ = {loaded * n}"


@dataclass
class Entry:
    data: dict


def _entries(regions):
    return [
        Entry(
            Message(
                "%(region)s: %(square)s, %(cube)s (%(all)s)",
                region=Row.of(region),
                square=Worked("test.square", n=n),
                cube=Worked("test.cube", n=n),
                all=[Row.of(r) for r in regions],
            ).as_json()
        )
        for n, region in enumerate(regions, start=2)
    ]


def _worded(entries):
    return [render(entry.data, reading_of(entry)) for entry in entries]


def test_a_list_is_read_in_bulk_and_worded_without_a_query(world, django_assert_num_queries):
    regions = list(Region.objects.order_by("pk")[:4])
    one_by_one = _worded(_entries(regions))  # nothing prepared: each value read as it is worded
    CALLS.clear()
    entries = _entries(regions)
    with django_assert_num_queries(2):  # the regions named (one query for the model), the loader's one
        prepare(entries, lambda entry: entry.data)
    assert len(CALLS) == 1 and sorted(args["n"] for args in CALLS[0]) == [2, 3, 4, 5]
    with django_assert_num_queries(0):
        worded = _worded(entries)
    assert worded == one_by_one
    assert worded[1].startswith(f"{regions[1]}: 3² = 9, 3³ = 27 (")


def test_one_sentence_on_its_own_reads_what_it_names(world, django_assert_num_queries):
    region = Region.objects.order_by("pk").first()
    data = Message("%(region)s %(square)s", region=Row.of(region), square=Worked("test.square", n=7)).as_json()
    CALLS.clear()
    with django_assert_num_queries(2):
        assert render(data) == f"{region} 7² = 49"
    assert CALLS == [[{"n": 7}]]


def test_a_row_that_is_gone_reads_as_it_was_written(world, django_assert_num_queries):
    entry = Entry({"msgid": "%(rule)s", "values": {"rule": {"row": "organisation.Region", "pk": 10**9, "text": "旧"}}})
    other = Entry({"msgid": "%(rule)s", "values": {"rule": {"row": "nowhere.Nothing", "pk": 1, "text": "别处"}}})
    prepare([entry, other], lambda e: e.data)
    with django_assert_num_queries(0):
        assert _worded([entry, other]) == ["旧", "别处"]


def test_the_words_follow_the_reader_after_prepare(world):
    entries = prepare(
        [Entry(Message("Owners' vote closed: %(outcome)s", outcome=Message("passed")).as_json())], lambda e: e.data
    )
    with translation.override("zh-hans"):
        chinese = _worded(entries)
    with translation.override("en"):
        english = _worded(entries)
    assert english == ["Owners' vote closed: passed"] and chinese != english


def test_read_many_reads_only_what_the_page_has_not_read(world):
    asked: list[list] = []

    def compute(keys):
        asked.append(list(keys))
        return {key: key * 10 for key in keys if key != 3}

    holder = Entry({})
    assert read_once.read_many(holder, [1, 2], compute) == {1: 10, 2: 20}  # not enabled: computed every time
    assert read_once.read_many(holder, [1, 2], compute) == {1: 10, 2: 20}
    assert asked == [[1, 2], [1, 2]]
    asked.clear()
    read_once.enable(holder)
    assert read_once.read_many(holder, [1, 2], compute) == {1: 10, 2: 20}
    assert read_once.read_many(holder, [2, 3, 3], compute) == {2: 20, 3: None}
    assert read_once.read_many(holder, [1, 3], compute) == {1: 10, 3: None}
    assert asked == [[1, 2], [3]]
