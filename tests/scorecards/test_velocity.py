"""Stage at a moment, MQA→opportunity conversion and days to advance, on hand-made histories (days as times)."""

from __future__ import annotations

import doctest

import pytest

from graphsvc.funnel import AccountStage
from graphsvc.scorecards import program, velocity
from graphsvc.scorecards.velocity import StageRecord, median_days_to_advance, mqa_to_opportunity

DAY = 86_400_000


def record(changes=(), stage=None, since=None) -> StageRecord:
    return StageRecord("a", "A", stage and AccountStage(stage), since, tuple((s, d * DAY) for s, d in changes))


@pytest.mark.parametrize(
    ("changes", "stage", "since", "as_of", "expected"),
    [
        ([("TARGET", 0), ("AWARE", 10)], None, None, 15, ("AWARE", 10)),
        ([("TARGET", 0), ("AWARE", 10)], None, None, 10, ("AWARE", 10)),  # a change at as_of has happened
        ([("TARGET", 0), ("AWARE", 10)], None, None, 9, ("TARGET", 0)),
        ([("AWARE", 10), ("TARGET", 0)], None, None, 12, ("AWARE", 10)),  # order of storage does not matter
        ([("TARGET", 0), ("AWARE", 10)], None, None, -1, (None, None)),  # not in the funnel yet
        ([("TARGET", 0), (None, 10)], None, None, 12, (None, None)),  # left the funnel
        ([], "MQA", 3, 5, ("MQA", 3)),  # no history: the stored stage
        ([], "MQA", None, 5, ("MQA", None)),
        ([], "MQA", 8, 5, (None, None)),  # the stored stage began after as_of
        ([("TARGET", 0)], "MQA", 3, 5, ("TARGET", 0)),  # history wins over the stored stage
    ],
)
def test_stage_at(changes, stage, since, as_of, expected):
    got_stage, got_since = record(changes, stage, None if since is None else since * DAY).stage_at(as_of * DAY)
    want_stage, want_since = expected
    assert got_stage == (want_stage and AccountStage(want_stage))
    assert got_since == (None if want_since is None else want_since * DAY)


HISTORIES = {
    # 5 days TARGET → AWARE, 10 AWARE → MQA, 20 MQA → OPPORTUNITY, 30 OPPORTUNITY → CUSTOMER
    "a": [("TARGET", 0), ("AWARE", 5), ("MQA", 15), ("OPPORTUNITY", 35), ("CUSTOMER", 65)],
    # skips AWARE and OPPORTUNITY: TARGET → ENGAGED in 2, ENGAGED → MQA in 4, MQA → CUSTOMER in 6
    "b": [("TARGET", 0), ("ENGAGED", 2), ("MQA", 6), ("CUSTOMER", 12)],
    # reaches MQA, falls back to ENGAGED and never converts
    "c": [("ENGAGED", 0), ("MQA", 1), ("ENGAGED", 3)],
    # an opportunity before its MQA does not convert that MQA
    "d": [("OPPORTUNITY", 0), ("MQA", 1)],
}


def _days(histories):
    return {key: [(stage, day * DAY) for stage, day in changes] for key, changes in histories.items()}


def test_mqa_to_opportunity():
    assert mqa_to_opportunity(_days(HISTORIES), 100 * DAY) == {"mqa_accounts": 4, "converted": 2, "rate": 0.5}
    # By day 20 all four had reached MQA (a at 15); only b had moved on (CUSTOMER at 12), a not until 35.
    assert mqa_to_opportunity(_days(HISTORIES), 20 * DAY) == {"mqa_accounts": 4, "converted": 1, "rate": 0.25}
    assert mqa_to_opportunity(_days(HISTORIES), 10 * DAY) == {"mqa_accounts": 3, "converted": 0, "rate": 0.0}
    assert mqa_to_opportunity({}, 0) == {"mqa_accounts": 0, "converted": 0, "rate": None}


def test_median_days_to_advance_lets_accounts_skip_stages():
    days = median_days_to_advance(_days(HISTORIES), 100 * DAY)
    assert days == {
        "TARGET": {"median_days": 3.5, "accounts": 2},  # a 5, b 2
        "AWARE": {"median_days": 10.0, "accounts": 1},  # a
        "ENGAGED": {"median_days": 2.5, "accounts": 2},  # b 4, c 1 (d never entered ENGAGED)
        "MQA": {"median_days": 13.0, "accounts": 2},  # a 20, b 6; c fell back; d's opportunity came first
        "OPPORTUNITY": {"median_days": 30.0, "accounts": 1},  # a; d never moved on
    }
    # Moves after as_of have not happened yet.
    assert median_days_to_advance(_days(HISTORIES), 10 * DAY)["AWARE"] == {"median_days": None, "accounts": 0}


def test_docstring_examples():
    assert doctest.testmod(velocity).failed == 0
    assert doctest.testmod(program).failed == 0
