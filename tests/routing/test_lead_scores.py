"""The scores service's lead scores (what ``Lead.score`` and ``Contact.score`` answer), on the hand-made sales graph."""

import pytest
from routing_graph import T0, load_sales_graph

from graphsvc.scores.documents import documents_in_force
from graphsvc.scores.persons import person_scores

pytestmark = pytest.mark.db


async def test_person_scores_come_in_the_order_asked_with_none_for_an_unknown_id(empty_db):
    await load_sales_graph(empty_db)
    documents = await documents_in_force(empty_db)
    scores = await person_scores(empty_db, ["l-100", "nobody", "l-55"], documents, T0)
    assert scores[1] is None
    # Totals from routing_graph's table: l-100 = 5 + 25 + 50 + 20, l-55 = 25 + 25 + 5.
    assert [(s.demographic, s.behavioral, s.total) for s in (scores[0], scores[2])] == [
        (5.0, 95.0, 100.0),
        (50.0, 5.0, 55.0),
    ]
