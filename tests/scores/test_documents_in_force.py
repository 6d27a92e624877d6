"""The configuration documents in force live in the graph; an invalid one never replaces them."""

import copy

import pytest

from graphsvc.documents import DocumentInvalid, default_document
from graphsvc.errors import InvalidInput
from graphsvc.scores.documents import documents_in_force, save_document

pytestmark = pytest.mark.db


async def test_defaults_are_in_force_until_a_document_is_saved(empty_db):
    documents = await documents_in_force(empty_db)
    assert documents.scoring == default_document("scoring")
    assert documents.committees == default_document("committees")


async def test_an_invalid_model_is_rejected_with_every_violation_and_the_old_one_stays(empty_db):
    model = default_document("scoring").model_dump(mode="json")
    model["version"] = 2
    model["thresholds"]["abm"] = 40
    await save_document(empty_db, "scoring", model)
    assert (await documents_in_force(empty_db)).scoring.thresholds.abm == 40

    broken = copy.deepcopy(model)
    broken["version"] = 3
    broken["demographic"]["weight"] = 70  # > 50, and the sections no longer total 100
    broken["behavioral"]["attributes"][0]["choices"]["*"] = 11  # priority out of -10..10
    with pytest.raises(DocumentInvalid) as refused:
        await save_document(empty_db, "scoring", broken)
    paths = {path for path, _ in refused.value.violations}
    assert "demographic.weight" in paths
    assert any(path.startswith("behavioral.attributes[0].choices") for path in paths)
    assert len(refused.value.violations) >= 3
    in_force = (await documents_in_force(empty_db)).scoring
    assert in_force.version == 2 and in_force.thresholds.abm == 40


async def test_a_version_cannot_be_reused_for_other_content(empty_db):
    model = default_document("scoring").model_dump(mode="json")
    model["version"] = 7
    await save_document(empty_db, "scoring", model)
    await save_document(empty_db, "scoring", model)  # the same document again is fine
    model["thresholds"]["mql"] = 90
    with pytest.raises(InvalidInput, match="version 7 already exists"):
        await save_document(empty_db, "scoring", model)
