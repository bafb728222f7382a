"""Record models: ids, dates with precision, strictness."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from graph.records import Actor, Agreement, Forum, Observation, PartialDate


@pytest.mark.parametrize("value, precision, text", [
    (2015, "year", "2015"), ("2015-03", "month", "2015-03"), ("2015-03-16", "day", "2015-03-16"),
    (dt.date(2015, 3, 16), "day", "2015-03-16"),
])
def test_partial_date_keeps_its_precision(value, precision, text):
    d = PartialDate.parse(value)
    assert d.precision == precision
    assert str(d) == text


@pytest.mark.parametrize("value", ["2015-02-30", "2015-13", "2015-00-01", "16.03.2015", "20150", 99, True, 1.5])
def test_impossible_or_malformed_dates_are_refused(value):
    with pytest.raises(ValueError):
        PartialDate.parse(value)


def test_partial_date_spans_its_whole_period():
    d = PartialDate.parse("2016-02")
    assert (d.first_day(), d.last_day()) == (dt.date(2016, 2, 1), dt.date(2016, 2, 29))


@given(st.one_of(st.text(max_size=20), st.integers(), st.dates(), st.none(), st.floats()))
def test_partial_date_parse_never_crashes_with_anything_but_valueerror(value):
    try:
        d = PartialDate.parse(value)
    except ValueError:
        return
    assert PartialDate.parse(str(d)) == d


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_partial_date_round_trips_through_text(day):
    assert PartialDate.parse(str(PartialDate.parse(day))) == PartialDate.parse(day)


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError, match="Extra inputs"):
        Actor(id="omsk-oblast", type="Region", colour="red")


@pytest.mark.parametrize("bad", ["Omsk", "omsk oblast", "-omsk", "omsk-", "омск"])
def test_ids_must_be_lowercase_slugs(bad):
    with pytest.raises(ValidationError, match="not a valid id"):
        Actor(id=bad)


def test_references_lists_every_pointer_field():
    a = Agreement(id="x-1", signatories=["a-1", "b-1"], place="omsk", sectors=["trade"], signed_at="f-1")
    assert a.references() == {"signatories": ["a-1", "b-1"], "place": ["omsk"], "signed_at": ["f-1"],
                              "sectors": ["trade"]}


def test_quotes_longer_than_300_characters_are_refused():
    with pytest.raises(ValidationError, match="300"):
        Forum(id="f-1", evidence=[{"locator": "x", "quote": "я" * 301}])


def test_observation_needs_value_unit_subject_and_flow():
    with pytest.raises(ValidationError) as exc:
        Observation(id="o-1", indicator="export")
    missing = {e["loc"][0] for e in exc.value.errors()}
    assert {"subject", "value", "unit", "flow"} <= missing
