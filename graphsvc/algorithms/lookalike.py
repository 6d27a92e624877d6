"""Lookalike accounts (SPEC §10): weighted Jaccard similarity in an account–attribute graph.

Every account is linked to its firmographic and technographic attributes (:func:`account_attributes`):

============  ==========================================  ======
kind          value                                       weight
============  ==========================================  ======
industry      the industry, lower-cased                   3
employees     its band: <50, 50-199, 200-999, 1000-4999,  2
              5000+ (the ICP seed's bands)
revenue       its band: <10m, 10m-50m, 50m-250m, 250m-1b, 2
              1b+
country       the country code, lower-cased               1
region        na, latam, emea or apac, from the country   1
technology    one attribute per technology                1 each
============  ==========================================  ======

Why these weights: the industry decides what an account buys and is the strongest single
signal (3); size and revenue shape the deal and the buying process (2 each); geography is
weaker, and two accounts in one country share both country and region (2 in all) while two in
one region share 1; each shared technology counts 1, so a matching stack of three tools weighs
as much as the industry — technographic fit is what a product that integrates with them needs.

The similarity of accounts ``a`` and ``b`` with attribute sets ``A`` and ``B`` is

    ``sim(a, b) = Σ_{x ∈ A ∩ B} w(x) / Σ_{x ∈ A ∪ B} w(x)``  (0 when both sets are empty),

1 for identical profiles, 0 for nothing in common. An account's *lookalike score* is its
similarity to the nearest won customer (an account with a WON opportunity), never itself; the
shared attributes are the reasons.

:func:`attribute_graph`, :func:`weighted_jaccard`, :func:`similarity_to_customers` and
:func:`lookalikes` are the networkx reference; :class:`AttributeMatrix` is the scipy.sparse
fast path over every account at once, proven equal by the tests. Ties go to the smaller
account id in both.

Examples
--------
>>> profiles = {
...     "acme": account_attributes({"industry": "Software", "employees": 1200, "technologies": ["aws"]}),
...     "beta": account_attributes({"industry": "software", "employees": 90, "technologies": ["aws", "gcp"]}),
... }
>>> sorted(profiles["acme"])
['employees=1000-4999', 'industry=software', 'technology=aws']
>>> weighted_jaccard(attribute_graph(profiles), "acme", "beta")  # (3 + 1) / (3 + 2 + 2 + 1 + 1)
0.4444444444444444
>>> AttributeMatrix.from_profiles(profiles).similarity("acme", "beta")
0.4444444444444444
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from graphsvc.documents import field_value, has_value, parse_band
from graphsvc.errors import InvalidInput

__all__ = [
    "ATTRIBUTE_WEIGHTS",
    "EMPLOYEE_BANDS",
    "REGIONS",
    "REVENUE_BANDS",
    "AttributeMatrix",
    "CustomerSimilarity",
    "Lookalike",
    "account_attributes",
    "attribute_graph",
    "attribute_weight",
    "lookalikes",
    "shared_attributes",
    "similarity_to_customers",
    "weighted_jaccard",
]

ATTRIBUTE_WEIGHTS: Mapping[str, float] = {
    "industry": 3.0,
    "employees": 2.0,
    "revenue": 2.0,
    "country": 1.0,
    "region": 1.0,
    "technology": 1.0,
}
"""Weight of one attribute of each kind (see the module docstring)."""

EMPLOYEE_BANDS = ("<50", "50-199", "200-999", "1000-4999", "5000+")
REVENUE_BANDS = ("<10m", "10m-50m", "50m-250m", "250m-1b", "1b+")

REGIONS: Mapping[str, str] = {
    **dict.fromkeys(["us", "ca"], "na"),
    **dict.fromkeys(["mx", "br", "ar", "cl", "co", "pe", "uy"], "latam"),
    **dict.fromkeys(
        [
            "gb",
            "ie",
            "de",
            "fr",
            "nl",
            "be",
            "lu",
            "ch",
            "at",
            "es",
            "pt",
            "it",
            "se",
            "no",
            "dk",
            "fi",
            "is",
            "pl",
            "cz",
            "sk",
            "hu",
            "ro",
            "bg",
            "gr",
            "ee",
            "lv",
            "lt",
            "si",
            "hr",
            "il",
            "tr",
            "ae",
            "sa",
            "qa",
            "eg",
            "ma",
            "ng",
            "ke",
            "za",
        ],
        "emea",
    ),
    **dict.fromkeys(["au", "nz", "jp", "kr", "cn", "hk", "tw", "sg", "my", "th", "id", "ph", "vn", "in"], "apac"),
}
"""Sales region of a lower-case ISO country code; a country not listed gets no region."""


def _band(value: Any, labels: Sequence[str]) -> str | None:
    """The band holding a number; on a shared end point the higher band wins (as the ICP model)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    holding = [(band.low, label) for label in labels if (band := parse_band(label)) is not None and value in band]
    return max(holding)[1] if holding else None


def account_attributes(account: Any) -> frozenset[str]:
    """The attributes of an account record (mapping or object) as ``kind=value`` strings.

    >>> sorted(account_attributes({"industry": "Finance", "annual_revenue": 5e8, "country": "DE",
    ...                            "technologies": ["Salesforce", ""]}))
    ['country=de', 'industry=finance', 'region=emea', 'revenue=250m-1b', 'technology=salesforce']
    """
    attributes = set()
    industry = field_value(account, "industry")
    if has_value(industry):
        attributes.add(f"industry={str(industry).strip().lower()}")
    for kind, field, bands in (
        ("employees", "employees", EMPLOYEE_BANDS),
        ("revenue", "annual_revenue", REVENUE_BANDS),
    ):
        if (band := _band(field_value(account, field), bands)) is not None:
            attributes.add(f"{kind}={band}")
    country = field_value(account, "country")
    if has_value(country):
        code = str(country).strip().lower()
        attributes.add(f"country={code}")
        if code in REGIONS:
            attributes.add(f"region={REGIONS[code]}")
    technologies = field_value(account, "technologies") or ()
    for technology in [technologies] if isinstance(technologies, str) else technologies:
        if has_value(technology):
            attributes.add(f"technology={str(technology).strip().lower()}")
    return frozenset(attributes)


def attribute_weight(attribute: str, weights: Mapping[str, float] = ATTRIBUTE_WEIGHTS) -> float:
    """The weight of a ``kind=value`` attribute; an unknown kind weighs 1.

    >>> attribute_weight("industry=software"), attribute_weight("technology=aws")
    (3.0, 1.0)
    """
    return float(weights.get(attribute.partition("=")[0], 1.0))


def shared_attributes(
    first: Iterable[str], second: Iterable[str], weights: Mapping[str, float] = ATTRIBUTE_WEIGHTS
) -> tuple[str, ...]:
    """The attributes two profiles share, heaviest first, then by name: the reasons of a match."""
    common = set(first) & set(second)
    return tuple(sorted(common, key=lambda attribute: (-attribute_weight(attribute, weights), attribute)))


@dataclass(frozen=True)
class Lookalike:
    """An account similar to another one, and the attributes they share."""

    account_id: str
    similarity: float
    shared_attributes: tuple[str, ...]


@dataclass(frozen=True)
class CustomerSimilarity:
    """An account's lookalike score: its similarity to the nearest won customer (None: no customer)."""

    account_id: str
    similarity: float
    customer_id: str | None
    shared_attributes: tuple[str, ...]


# -- networkx reference --------------------------------------------------------------------------


def attribute_graph(
    profiles: Mapping[str, Iterable[str]], weights: Mapping[str, float] = ATTRIBUTE_WEIGHTS
) -> nx.Graph:
    """The bipartite account–attribute graph: nodes ``("account", id)`` and ``("attribute", name)``.

    Attribute nodes carry their ``weight``; every account is a node, with or without attributes.
    """
    graph = nx.Graph()
    for account_id, attributes in profiles.items():
        graph.add_node(("account", account_id), bipartite=0)
        for attribute in attributes:
            graph.add_node(("attribute", attribute), bipartite=1, weight=attribute_weight(attribute, weights))
            graph.add_edge(("account", account_id), ("attribute", attribute))
    return graph


def _attributes_of(graph: nx.Graph, account_id: str) -> set[tuple[str, str]]:
    node = ("account", account_id)
    if node not in graph:
        raise InvalidInput(f"unknown account: {account_id!r}")
    return set(graph.neighbors(node))


def weighted_jaccard(graph: nx.Graph, first: str, second: str) -> float:
    """``Σ w(shared attributes) / Σ w(attributes of either)`` of two accounts in ``graph``."""
    a, b = _attributes_of(graph, first), _attributes_of(graph, second)
    union = sum(graph.nodes[node]["weight"] for node in a | b)
    return sum(graph.nodes[node]["weight"] for node in a & b) / union if union else 0.0


def _names(graph: nx.Graph, account_id: str) -> set[str]:
    return {name for _, name in _attributes_of(graph, account_id)}


def _shared(graph: nx.Graph, first: str, second: str) -> tuple[str, ...]:
    common = _attributes_of(graph, first) & _attributes_of(graph, second)
    return tuple(name for _, name in sorted(common, key=lambda node: (-graph.nodes[node]["weight"], node[1])))


def similarity_to_customers(graph: nx.Graph, customers: Iterable[str]) -> dict[str, CustomerSimilarity]:
    """Every account's similarity to its nearest won customer other than itself (reference).

    An account that shares nothing with any other customer gets similarity 0 and no customer;
    a tie goes to the customer with the smaller id.
    """
    customers = sorted(set(customers))
    result = {}
    for node, data in graph.nodes(data=True):
        if data["bipartite"] != 0:
            continue
        account_id = node[1]
        best: tuple[float, str] | None = None
        for customer in customers:
            if customer == account_id:
                continue
            similarity = weighted_jaccard(graph, account_id, customer)
            if similarity > 0 and (best is None or similarity > best[0]):
                best = (similarity, customer)
        if best is None:
            result[account_id] = CustomerSimilarity(account_id, 0.0, None, ())
        else:
            result[account_id] = CustomerSimilarity(account_id, best[0], best[1], _shared(graph, account_id, best[1]))
    return result


def lookalikes(graph: nx.Graph, account_id: str, first: int = 10) -> list[Lookalike]:
    """The ``first`` accounts most similar to ``account_id`` (similarity > 0), most similar first (reference)."""
    candidates = []
    for node, data in graph.nodes(data=True):
        if data["bipartite"] == 0 and node[1] != account_id:
            similarity = weighted_jaccard(graph, account_id, node[1])
            if similarity > 0:
                candidates.append((-similarity, node[1]))
    return [
        Lookalike(other, -negative, _shared(graph, account_id, other))
        for negative, other in sorted(candidates)[: max(first, 0)]
    ]


# -- scipy.sparse fast path ----------------------------------------------------------------------

# Rows × customers compared per block, so the dense block stays under ~32 MB.
_BLOCK_CELLS = 4_000_000


@dataclass(frozen=True, eq=False)
class AttributeMatrix:
    """Accounts × attributes as a sparse 0/1 matrix, for every similarity at once.

    Attributes
    ----------
    account_ids : tuple of str
    attribute_names : tuple of str
    incidence : scipy.sparse.csr_matrix
        ``incidence[i, k] = 1`` when account ``i`` has attribute ``k``.
    weight : float64 array
        Weight of each attribute.
    """

    account_ids: tuple[str, ...]
    attribute_names: tuple[str, ...]
    incidence: sp.csr_matrix
    weight: np.ndarray

    @classmethod
    def from_profiles(
        cls, profiles: Mapping[str, Iterable[str]], weights: Mapping[str, float] = ATTRIBUTE_WEIGHTS
    ) -> AttributeMatrix:
        """Build the matrix from ``{account id: attributes}`` (e.g. :func:`account_attributes`)."""
        columns: dict[str, int] = {}
        rows, cols = [], []
        for row, attributes in enumerate(profiles.values()):
            for attribute in set(attributes):
                rows.append(row)
                cols.append(columns.setdefault(attribute, len(columns)))
        names = tuple(columns)
        incidence = sp.csr_matrix(
            (np.ones(len(rows)), (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
            shape=(len(profiles), len(names)),
        )
        weight = np.array([attribute_weight(name, weights) for name in names], dtype=np.float64)
        return cls(tuple(profiles), names, incidence, weight)

    @cached_property
    def account_index(self) -> dict[str, int]:
        return {account_id: i for i, account_id in enumerate(self.account_ids)}

    @cached_property
    def mass(self) -> np.ndarray:
        """``Σ w`` of each account's attributes."""
        return self.incidence @ self.weight

    def _row(self, account_id: str) -> int:
        try:
            return self.account_index[account_id]
        except KeyError:
            raise InvalidInput(f"unknown account: {account_id!r}") from None

    def _similarities(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Dense ``len(rows) × len(columns)`` block of similarities."""
        weighted = self.incidence[rows].multiply(self.weight[np.newaxis, :]).tocsr()
        shared = (weighted @ self.incidence[columns].T).toarray()
        union = self.mass[rows][:, np.newaxis] + self.mass[columns][np.newaxis, :] - shared
        return np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)

    @cached_property
    def _attribute_sets(self) -> list[frozenset[str]]:
        # Straight from the CSR arrays: slicing the matrix row by row is ~100× slower.
        starts, columns, names = self.incidence.indptr, self.incidence.indices, self.attribute_names
        return [frozenset(names[k] for k in columns[starts[i] : starts[i + 1]]) for i in range(len(self.account_ids))]

    def attributes(self, account_id: str) -> frozenset[str]:
        """The attributes of one account."""
        return self._attribute_sets[self._row(account_id)]

    @cached_property
    def attribute_index(self) -> dict[str, int]:
        return {name: k for k, name in enumerate(self.attribute_names)}

    def _shared(self, first: str, second: str) -> tuple[str, ...]:
        names = self.attributes(first) & self.attributes(second)
        return tuple(sorted(names, key=lambda name: (-self.weight[self.attribute_index[name]], name)))

    def similarity(self, first: str, second: str) -> float:
        """The weighted Jaccard similarity of two accounts."""
        rows = np.array([self._row(first)])
        return float(self._similarities(rows, np.array([self._row(second)]))[0, 0])

    def similarity_to_customers(self, customers: Iterable[str]) -> dict[str, CustomerSimilarity]:
        """Every account's similarity to its nearest won customer other than itself.

        Same definition and ties as the reference :func:`similarity_to_customers`, computed a
        block of accounts at a time as one sparse product each.
        """
        customer_ids = sorted(set(customers))
        columns = np.array([self._row(customer) for customer in customer_ids], dtype=np.int64)
        n = len(self.account_ids)
        best = np.zeros(n)
        nearest = np.full(n, -1, dtype=np.int64)
        if columns.size:
            block = max(1, _BLOCK_CELLS // columns.size)
            for start in range(0, n, block):
                rows = np.arange(start, min(n, start + block))
                similarity = self._similarities(rows, columns)
                similarity[rows[:, np.newaxis] == columns[np.newaxis, :]] = -1.0  # never itself
                # argmax takes the first maximum: customers are sorted by id, as the reference's ties.
                pick = similarity.argmax(axis=1)
                value = similarity[np.arange(rows.size), pick]
                best[rows] = np.maximum(value, 0.0)
                nearest[rows] = np.where(value > 0, pick, -1)
        result = {}
        for i, account_id in enumerate(self.account_ids):
            if nearest[i] < 0:
                result[account_id] = CustomerSimilarity(account_id, 0.0, None, ())
            else:
                customer = customer_ids[nearest[i]]
                result[account_id] = CustomerSimilarity(
                    account_id, float(best[i]), customer, self._shared(account_id, customer)
                )
        return result

    def lookalikes(self, account_id: str, first: int = 10) -> list[Lookalike]:
        """The ``first`` accounts most similar to ``account_id`` (similarity > 0), as the reference."""
        row = self._row(account_id)
        similarity = self._similarities(np.array([row]), np.arange(len(self.account_ids)))[0]
        similarity[row] = 0.0
        candidates = np.flatnonzero(similarity > 0)
        order = sorted(candidates.tolist(), key=lambda i: (-similarity[i], self.account_ids[i]))[: max(first, 0)]
        return [
            Lookalike(self.account_ids[i], float(similarity[i]), self._shared(account_id, self.account_ids[i]))
            for i in order
        ]
