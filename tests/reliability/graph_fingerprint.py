"""A fingerprint of the whole graph: counts per label and type, and a checksum of every property.

Two graphs with the same fingerprint hold the same nodes and relationships with the same values.
The rows come from ``cypher/admin/node_properties`` and ``cypher/admin/relationship_properties``;
hashing is done here, since portable Cypher has no hash function.

Left out, because they record *when* something was computed rather than what the data is, and
so differ between two runs over the same data:

* ``MATCHED_TO.at`` -- when the importer matched the lead (the wall clock of the import);
* ``scored_at`` on accounts and persons -- when a recompute stored the scores;
* ``changed_at`` on accounts and persons -- when an import, engagement or stage last changed them.

Floating-point values are compared to 12 significant digits: decayed sums are built by adding
contributions, and a resumed import adds (and takes back) the same contributions in another
order, which may move the last bits.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from graphsvc.store import Database

__all__ = ["VOLATILE_PROPERTIES", "Fingerprint", "fingerprint"]

VOLATILE_PROPERTIES = {"MATCHED_TO": {"at"}, "*": {"scored_at", "changed_at"}}


@dataclass(frozen=True)
class Fingerprint:
    counts: dict[str, int]
    checksum: str


def _canonical(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.12g}"
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in sorted(value.items())}
    if hasattr(value, "iso_format"):  # neo4j temporal values
        return value.iso_format()
    return value


def _kept(kind: str, properties: dict[str, Any]) -> dict[str, Any]:
    dropped = VOLATILE_PROPERTIES["*"] | VOLATILE_PROPERTIES.get(kind, set())
    return {key: value for key, value in properties.items() if key not in dropped}


async def fingerprint(db: Database) -> Fingerprint:
    """Counts per node label and relationship type, and a SHA-256 over every kept property."""
    lines = []
    counts: Counter[str] = Counter()
    for row in await db.read("admin/node_properties"):
        label = ":".join(sorted(row["labels"]))
        counts[label] += 1
        lines.append(json.dumps(["node", label, _canonical(_kept(label, row["properties"]))], sort_keys=True))
    for row in await db.read("admin/relationship_properties"):
        counts[row["type"]] += 1
        ends = [":".join(sorted(row["from_labels"])), row["from_id"], ":".join(sorted(row["to_labels"])), row["to_id"]]
        lines.append(json.dumps(["rel", row["type"], ends, _canonical(_kept(row["type"], row["properties"]))]))
    digest = hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()
    return Fingerprint(dict(sorted(counts.items())), digest)
