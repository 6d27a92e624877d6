"""No stored value makes a read fail: property test over values written past the importer.

The importer refuses times outside its range (README, Importing data), but data written before
that rule, or by another tool, can hold any value the database stores. Reads of a person's score
and of the account around them must then still answer, never ``INTERNAL``.
"""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reliability_support import ADMIN, REP_ANN, codes, execute, load_sales_graph, run_cypher

pytestmark = pytest.mark.db

STORE_ODD_VALUES = (Path(__file__).parent / "cypher" / "store_odd_values.cypher").read_text()

READS = """{
  account(id: "acme") {
    employees tier annualRevenue isTarget owner { capacity openAssignments }
    score { engagement rolledUp fit total contributions { sourceId points } }
    scorecard { engagementLevel engagementChange daysInStage }
    coverage { coverage engagedContacts }
    contacts { edges { node { id score { total behavioral grade interest } } } }
    leads { edges { node { id score { total grade } } } }
  }
  contact(id: "c-jo") { score { total behavioral } }
  lead(id: "l-sam") { score { total } }
}"""


def _times() -> st.SearchStrategy[str]:
    """ISO-8601 times of any year the text form holds, with any offset: year 0 or 10000 in UTC included."""
    return st.builds(
        lambda moment, hours: f"{moment.isoformat(timespec='seconds')}{'+' if hours >= 0 else '-'}{abs(hours):02d}:00",
        st.datetimes(),
        st.integers(-14, 14),
    )


@pytest.fixture(scope="module")
async def sales_graph(db, embedded):
    await load_sales_graph(db, embedded)


@settings(deadline=None, database=None, max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    occurred_at=_times(),
    last_engaged_at=_times(),
    created_at=_times(),
    employees=st.integers(-(2**63), 2**63 - 1),
    tier=st.integers(-(2**63), 2**63 - 1),
    annual_revenue=st.floats(),  # NaN and infinities included
    is_target=st.one_of(st.booleans(), st.integers(-(2**63), 2**63 - 1), st.text(max_size=5)),
    capacity=st.integers(-(2**63), 2**63 - 1),
)
@example(  # issue 14: year 0 in UTC, as an import once stored it
    occurred_at="0001-01-01T00:00:00+14:00",
    last_engaged_at="0001-01-01T00:00:00+14:00",
    created_at="9999-12-31T23:59:59-14:00",
    employees=2**40,
    tier=-(2**63),
    annual_revenue=float("inf"),
    is_target="yes",
    capacity=2**31,
)
async def test_reads_answer_whatever_is_stored(
    db,
    embedded,
    sales_graph,
    occurred_at,
    last_engaged_at,
    created_at,
    employees,
    tier,
    annual_revenue,
    is_target,
    capacity,
):
    await run_cypher(
        embedded,
        STORE_ODD_VALUES,
        occurred_at=occurred_at,
        last_engaged_at=last_engaged_at,
        created_at=created_at,
        employees=employees,
        tier=tier,
        annual_revenue=annual_revenue,
        is_target=is_target,
        capacity=capacity,
    )
    for caller in (ADMIN, REP_ANN):
        result = await execute(db, READS, caller)
        assert "INTERNAL" not in codes(result), [error.message for error in result.errors or []]
    recompute = await execute(db, "mutation { recompute }", ADMIN)
    assert recompute.errors is None, recompute.errors
