"""Lead-to-account matching of SPEC §4.

Methods and confidences, in order of strength:

- DOMAIN 1.0 — the lead's email or website host equals an account's ``domain`` or one of its
  ``domains`` (a leading ``www.`` is ignored); 0.95 when reached through a subdomain, i.e. the
  account's domain is a parent of the lead's host up to its registered domain (a lead at
  ``eu.acme.com``, the account at ``acme.com``). Registered domains come from tldextract's
  bundled public-suffix snapshot only: no network, no disk cache. Free-mail and ISP domains
  (``graphsvc/data/freemail_domains.txt``) never match by domain.
- NAME 0.9 — normalised company names are equal: case and accents folded, ``&`` read as "and",
  punctuation dropped, a leading "the" and trailing legal suffixes (Inc, LLC, Ltd, GmbH, Corp,
  SA, AG, plc, BV, ...) removed.
- FUZZY ``ratio/100 × 0.85`` — ``rapidfuzz.fuzz.ratio`` (normalised Indel similarity, 0..100)
  between normalised names is at least 92; searched with ``rapidfuzz.process.extract`` and
  ``score_cutoff`` so most names are rejected without a full comparison.
- MANUAL 1.0 — an explicit choice; it overrides every other method and sticks.

Each account keeps its strongest match. Candidates are ordered by higher confidence, then more
contacts, then target accounts first, then the smallest id (string order). The best candidate
is the match when its confidence is at least 0.8; otherwise the lead is unmatched and the
candidates are still returned (FUZZY matches of ratio 92..94 fall there).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import numpy as np
import tldextract
from rapidfuzz import fuzz, process

from graphsvc.documents import field_value

__all__ = [
    "DOMAIN_CONFIDENCE",
    "FREEMAIL_DOMAINS_FILE",
    "FUZZY_CUTOFF",
    "FUZZY_FACTOR",
    "LEGAL_SUFFIXES",
    "MATCH_THRESHOLD",
    "NAME_CONFIDENCE",
    "SUBDOMAIN_CONFIDENCE",
    "AccountIndex",
    "Match",
    "MatchMethod",
    "MatchResult",
    "freemail_domains",
    "match_lead",
    "match_leads",
    "normalise_company_name",
    "site_of",
]

DOMAIN_CONFIDENCE = 1.0
SUBDOMAIN_CONFIDENCE = 0.95
NAME_CONFIDENCE = 0.9
FUZZY_FACTOR = 0.85
FUZZY_CUTOFF = 92.0
MATCH_THRESHOLD = 0.8
# Most score cells one cdist call may hold (8 bytes each): bounds memory at any scale.
_CDIST_CELLS = 4_000_000
FREEMAIL_DOMAINS_FILE = files("graphsvc.data") / "freemail_domains.txt"

LEGAL_SUFFIXES = frozenset(
    [
        "inc",
        "incorporated",
        "llc",
        "llp",
        "lp",
        "ltd",
        "limited",
        "corp",
        "corporation",
        "co",
        "company",
        "plc",
        "gmbh",
        "ag",
        "kg",
        "kgaa",
        "ug",
        "mbh",
        "se",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "sl",
        "bv",
        "nv",
        "oy",
        "oyj",
        "ab",
        "as",
        "asa",
        "aps",
        "ltda",
        "lda",
        "sro",
        "pty",
        "pte",
        "pvt",
        "kk",
        "sdn",
        "bhd",
    ]
)


class MatchMethod(StrEnum):
    """How a lead was associated with an account."""

    DOMAIN = "DOMAIN"
    NAME = "NAME"
    FUZZY = "FUZZY"
    MANUAL = "MANUAL"


@dataclass(frozen=True, slots=True)
class Match:
    """A candidate account for a lead."""

    account_id: str
    method: MatchMethod
    confidence: float


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The best match (``None`` when below the threshold) and every candidate, best first."""

    best: Match | None
    candidates: tuple[Match, ...]


# No suffix-list URLs and no cache dir: tldextract then reads only its bundled snapshot.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


def site_of(address: str | None) -> tuple[str, str] | None:
    """Return ``(host, registered domain)`` of an email address, URL or bare domain.

    A leading ``www.`` label is dropped from the host. ``None`` when there is no registered
    domain (empty input, IP address, unknown suffix).

    >>> site_of("Jane.Doe@EU.Acme.co.uk")
    ('eu.acme.co.uk', 'acme.co.uk')
    >>> site_of("https://www.acme.com/pricing")
    ('acme.com', 'acme.com')
    """
    if not address or not address.strip():
        return None
    address = address.strip().lower().rsplit("@", 1)[-1]
    parts = _EXTRACT(address)
    registered = parts.top_domain_under_public_suffix
    if not registered:
        return None
    labels = parts.subdomain.split(".") if parts.subdomain else []
    if labels[:1] == ["www"]:
        labels = labels[1:]
    return ".".join([*labels, registered]), registered


@functools.cache
def freemail_domains(path: Traversable = FREEMAIL_DOMAINS_FILE) -> frozenset[str]:
    """Return the free-mail and ISP registered domains listed in ``path`` (``#`` starts a comment)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(entry for line in lines if (entry := line.split("#", 1)[0].strip().lower()))


def normalise_company_name(name: str | None) -> str:
    """Return a company name folded for comparison ("" when nothing is left).

    >>> normalise_company_name("The Acme Company, Inc.")
    'acme'
    >>> normalise_company_name("Müller & Söhne GmbH & Co. KG")
    'muller and sohne'
    """
    if not name:
        return ""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("&", " and ").replace(".", "")  # "S.A." -> "sa", "Inc." -> "inc"
    tokens = re.sub(r"[^a-z0-9]+", " ", text).split()
    if tokens[:1] == ["the"] and len(tokens) > 1:
        tokens = tokens[1:]
    core = list(tokens)
    # "and" is stripped with the suffixes: it is what is left of "& Co".
    while core and (core[-1] in LEGAL_SUFFIXES or core[-1] == "and"):
        core.pop()
    return " ".join(core or tokens)


class AccountIndex:
    """Accounts indexed once for matching: by host, by normalised name, and for fuzzy search.

    Parameters
    ----------
    accounts
        Account records (mappings or objects) with ``id``, ``name``, ``domain``, ``domains``
        (list), ``is_target`` and ``contact_count``; missing fields are tolerated.
    freemail
        Registered domains that never match by domain; the shipped list by default.
    fuzzy_cutoff
        Least ``fuzz.ratio`` for a FUZZY candidate.
    threshold
        Least confidence for the best candidate to become the match.
    """

    def __init__(
        self,
        accounts: Iterable[Any],
        *,
        freemail: frozenset[str] | None = None,
        fuzzy_cutoff: float = FUZZY_CUTOFF,
        threshold: float = MATCH_THRESHOLD,
    ) -> None:
        self.freemail = freemail_domains() if freemail is None else freemail
        self.fuzzy_cutoff = fuzzy_cutoff
        self.threshold = threshold
        self._rank: dict[str, tuple[int, bool]] = {}
        by_host: defaultdict[str, set[str]] = defaultdict(set)
        by_name: defaultdict[str, set[str]] = defaultdict(set)
        for account in accounts:
            account_id = str(field_value(account, "id"))
            self._rank[account_id] = (
                int(field_value(account, "contact_count") or 0),
                bool(field_value(account, "is_target")),
            )
            domains = field_value(account, "domains") or []
            for address in [
                field_value(account, "domain"),
                *([domains] if isinstance(domains, str) else domains),
            ]:
                if site := site_of(address):
                    by_host[site[0]].add(account_id)
            if name := normalise_company_name(field_value(account, "name")):
                by_name[name].add(account_id)
        self._by_host = dict(by_host)
        self._by_name = dict(by_name)
        self._names = list(self._by_name)

    def __len__(self) -> int:
        return len(self._rank)

    def domain_matches(self, address: str | None) -> list[Match]:
        """Return DOMAIN candidates for an email address or website (none for free-mail)."""
        site = site_of(address)
        if site is None or site[1] in self.freemail:
            return []
        host, registered = site
        labels = host.split(".")
        matches = []
        # Walk from the full host up to the registered domain: the host itself is an exact match.
        for start in range(len(labels) - len(registered.split(".")) + 1):
            level = ".".join(labels[start:])
            confidence = DOMAIN_CONFIDENCE if start == 0 else SUBDOMAIN_CONFIDENCE
            matches += [
                Match(account_id, MatchMethod.DOMAIN, confidence) for account_id in self._by_host.get(level, ())
            ]
        return matches

    def name_matches(self, company: str | None) -> list[Match]:
        """Return NAME candidates (equal normalised names) and FUZZY ones (ratio ≥ the cutoff)."""
        name = normalise_company_name(company)
        if not name:
            return []
        similar = process.extract(name, self._names, scorer=fuzz.ratio, score_cutoff=self.fuzzy_cutoff, limit=None)
        return self._name_candidates(name, [(other, ratio) for other, ratio, _ in similar])

    def similar_names(self, names: Iterable[str]) -> dict[str, list[tuple[str, float]]]:
        """For many normalised names at once: the account names with ``fuzz.ratio`` ≥ the cutoff.

        The same pairs and ratios as :meth:`name_matches` finds name by name, with far fewer
        comparisons: a ratio of at least ``c`` needs lengths within a factor ``(200 − c)/c`` of
        each other (the Indel distance is at least the length difference), so each name is
        compared, in one ``rapidfuzz.process.cdist`` call per length, only with account names of
        a length that can reach the cutoff.
        """
        wanted: defaultdict[int, list[str]] = defaultdict(list)
        for name in dict.fromkeys(names):
            if name:
                wanted[len(name)].append(name)
        by_length = sorted(self._names, key=len)
        lengths = np.array([len(other) for other in by_length])
        share = self.fuzzy_cutoff / 100.0
        found: dict[str, list[tuple[str, float]]] = {}
        for length, queries in wanted.items():
            low, high = 0, len(by_length)
            if share > 0:  # slightly wide bounds: cdist applies the cutoff exactly
                low = np.searchsorted(lengths, length * share / (2.0 - share) - 1.0, side="left")
                high = np.searchsorted(lengths, length * (2.0 - share) / share + 1.0, side="right")
            choices = by_length[low:high]
            rows = max(1, _CDIST_CELLS // max(1, len(choices)))  # bounds the score matrix's memory
            for start in range(0, len(queries), rows):
                chunk = queries[start : start + rows]
                scores = (
                    process.cdist(chunk, choices, scorer=fuzz.ratio, score_cutoff=self.fuzzy_cutoff, dtype=np.float64)
                    if choices
                    else np.zeros((len(chunk), 0))
                )
                for q, name in enumerate(chunk):
                    hits = np.flatnonzero(scores[q] >= self.fuzzy_cutoff)
                    found[name] = sorted(((choices[c], float(scores[q, c])) for c in hits), key=lambda hit: -hit[1])
        return found

    def _name_candidates(self, name: str, similar: Iterable[tuple[str, float]]) -> list[Match]:
        matches = [Match(account_id, MatchMethod.NAME, NAME_CONFIDENCE) for account_id in self._by_name.get(name, ())]
        for other, ratio in similar:
            if other != name:
                confidence = ratio / 100 * FUZZY_FACTOR
                matches += [Match(account_id, MatchMethod.FUZZY, confidence) for account_id in self._by_name[other]]
        return matches

    def tie_order(self, match: Match) -> tuple[float, int, bool, str]:
        """Sort key: higher confidence, more contacts, target account, smallest id."""
        contacts, is_target = self._rank.get(match.account_id, (0, False))
        return (-match.confidence, -contacts, not is_target, match.account_id)


def match_lead(
    index: AccountIndex,
    email: str | None = None,
    company: str | None = None,
    website: str | None = None,
    manual_account_id: str | None = None,
) -> MatchResult:
    """Associate a lead with an account by domain, company name or fuzzy name (SPEC §4).

    Parameters
    ----------
    index
        The accounts, indexed once.
    email, company, website
        What the lead tells about itself.
    manual_account_id
        A MANUAL match; it becomes the best match (confidence 1.0) whatever else is found.

    Returns
    -------
    MatchResult
        ``best`` is ``None`` when no candidate reaches the threshold (0.8).
    """
    found = index.domain_matches(email) + index.domain_matches(website) + index.name_matches(company)
    return _result(index, found, manual_account_id)


def match_leads(index: AccountIndex, leads: Iterable[tuple[str | None, str | None, str | None]]) -> list[MatchResult]:
    """:func:`match_lead` for many leads at once: the same results, much faster for many leads.

    Parameters
    ----------
    index
        The accounts, indexed once.
    leads
        ``(email, company, website)`` of each lead.

    Each distinct company name is searched once, and the fuzzy search of all names runs in a
    few vectorised ``cdist`` calls (:meth:`AccountIndex.similar_names`) instead of one full scan
    of the account names per lead.
    """
    leads = list(leads)
    names = [normalise_company_name(company) for _, company, _ in leads]
    similar = index.similar_names(names)
    by_name = {name: index._name_candidates(name, similar.get(name, ())) for name in set(names) if name}
    return [
        _result(index, index.domain_matches(email) + index.domain_matches(website) + by_name.get(name, []), None)
        for (email, _, website), name in zip(leads, names, strict=True)
    ]


def _result(index: AccountIndex, found: Iterable[Match], manual_account_id: str | None) -> MatchResult:
    """Keep each account's strongest candidate, order them, and pick the match."""
    strongest: dict[str, Match] = {}
    for candidate in found:
        kept = strongest.get(candidate.account_id)
        if kept is None or candidate.confidence > kept.confidence:
            strongest[candidate.account_id] = candidate
    candidates = sorted(strongest.values(), key=index.tie_order)
    if manual_account_id is not None:
        manual = Match(str(manual_account_id), MatchMethod.MANUAL, DOMAIN_CONFIDENCE)
        others = [candidate for candidate in candidates if candidate.account_id != manual.account_id]
        return MatchResult(manual, (manual, *others))
    best = candidates[0] if candidates and candidates[0].confidence >= index.threshold else None
    return MatchResult(best, tuple(candidates))
