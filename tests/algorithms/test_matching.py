"""Lead-to-account matching (SPEC §4) with confidences worked out by hand.

fuzz.ratio = 2 × matching characters / (len(a) + len(b)) × 100 (Indel similarity).
"""

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.algorithms import matching
from graphsvc.algorithms.matching import (
    AccountIndex,
    Match,
    MatchMethod,
    freemail_domains,
    match_lead,
    match_leads,
    normalise_company_name,
    site_of,
)

ACCOUNTS = [
    {"id": "acme", "name": "Acme, Inc.", "domain": "acme.com", "contact_count": 4},
    {"id": "acme-uk", "name": "Acme UK Ltd", "domain": "https://www.acme.co.uk/"},
    {"id": "globex", "name": "Globex GmbH", "domain": "globex.de", "domains": ["globex.com"]},
    {"id": "initech", "name": "Initech Systems Inc", "domain": "initech.io"},
    {"id": "bad-data", "name": "Mailbox Co", "domain": "gmail.com"},  # a free-mail domain on an account
]
INDEX = AccountIndex(ACCOUNTS)


def test_corporate_email_matches_by_domain():
    result = match_lead(INDEX, email="jane@Acme.com")
    assert result.best == Match("acme", MatchMethod.DOMAIN, 1.0)
    assert result.candidates == (result.best,)


def test_subdomain_email_matches_at_095():
    assert match_lead(INDEX, email="jane@eu.acme.com").best == Match("acme", MatchMethod.DOMAIN, 0.95)
    assert match_lead(INDEX, email="ops@mail.eu.acme.com").best == Match("acme", MatchMethod.DOMAIN, 0.95)


def test_registered_domain_uses_the_public_suffix_list():
    # co.uk is a public suffix: acme.co.uk is the registered domain, not co.uk.
    assert match_lead(INDEX, email="bob@sales.acme.co.uk").best == Match("acme-uk", MatchMethod.DOMAIN, 0.95)
    assert match_lead(INDEX, email="bob@acme.co.uk").best == Match("acme-uk", MatchMethod.DOMAIN, 1.0)


def test_alias_domain_and_website():
    assert match_lead(INDEX, email="x@globex.com").best == Match("globex", MatchMethod.DOMAIN, 1.0)
    assert match_lead(INDEX, website="https://www.globex.de/de/kontakt").best == Match(
        "globex", MatchMethod.DOMAIN, 1.0
    )


def test_free_mail_lead_matches_by_company_name_not_by_domain():
    result = match_lead(INDEX, email="jane.doe@gmail.com", company="GLOBEX")
    assert result.best == Match("globex", MatchMethod.NAME, 0.9)
    assert [c.account_id for c in result.candidates] == ["globex"]  # never "bad-data" by gmail.com
    assert "gmail.com" in freemail_domains() and len(freemail_domains()) > 300


def test_fuzzy_match_of_a_misspelled_company():
    # "initech sytems" (14) against "initech systems" (15): 2×14/29 = 96.55 -> 0.9655 × 0.85 = 0.8207
    result = match_lead(INDEX, email="pat@hotmail.com", company="Initech Sytems")
    assert result.best.account_id == "initech"
    assert result.best.method is MatchMethod.FUZZY
    assert result.best.confidence == pytest.approx(28 / 29 * 0.85)


def test_below_threshold_candidates_are_returned_without_a_match():
    # one letter replaced in 15: 2×14/30 = 93.33 >= 92 -> 0.9333 × 0.85 = 0.7933 < 0.8
    result = match_lead(INDEX, company="Initech Systens")
    assert result.best is None
    assert result.candidates == (Match("initech", MatchMethod.FUZZY, pytest.approx(28 / 30 * 0.85)),)
    # two letters replaced: 2×13/30 = 86.7 < 92, not even a candidate
    assert match_lead(INDEX, company="Initech Sistens").candidates == ()


@pytest.mark.parametrize(
    ("first", "second", "winner"),
    [
        ({"contact_count": 2}, {"contact_count": 5}, "u2"),  # more contacts
        ({"contact_count": 3}, {"contact_count": 3, "is_target": True}, "u2"),  # then the target
        ({"contact_count": 3, "is_target": True}, {"contact_count": 3, "is_target": True}, "u1"),  # then id
    ],
)
def test_ties_by_contacts_then_target_then_id(first, second, winner):
    index = AccountIndex(
        [
            {"id": "u2", "name": "Umbrella Inc", **second},
            {"id": "u1", "name": "Umbrella Ltd.", **first},
        ]
    )
    result = match_lead(index, company="umbrella")
    assert result.best == Match(winner, MatchMethod.NAME, 0.9)
    assert len(result.candidates) == 2


def test_higher_confidence_beats_more_contacts():
    index = AccountIndex(
        [
            {"id": "a", "name": "Hooli", "domain": "hooli.com", "contact_count": 0},
            {"id": "b", "name": "Hooli XYZ", "domain": "hooli.xyz", "contact_count": 99},
        ]
    )
    result = match_lead(index, email="r@hooli.com", company="Hooli XYZ")
    assert [(c.account_id, c.method, c.confidence) for c in result.candidates] == [
        ("a", MatchMethod.DOMAIN, 1.0),
        ("b", MatchMethod.NAME, 0.9),
    ]


def test_an_account_keeps_its_strongest_match():
    result = match_lead(INDEX, email="jane@acme.com", company="Acme")
    assert result.candidates == (Match("acme", MatchMethod.DOMAIN, 1.0),)


def test_manual_match_overrides():
    result = match_lead(INDEX, email="jane@acme.com", manual_account_id="globex")
    assert result.best == Match("globex", MatchMethod.MANUAL, 1.0)
    assert result.candidates == (result.best, Match("acme", MatchMethod.DOMAIN, 1.0))


def test_nothing_to_match_on():
    assert match_lead(INDEX).candidates == ()
    assert match_lead(INDEX, email="not-an-address", company="  ").best is None


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("Acme, Inc.", "acme"),
        ("ACME Corporation", "acme"),
        ("The Acme Company LLC", "acme"),
        ("Siemens AG", "siemens"),
        ("Nestlé S.A.", "nestle"),
        ("Wipro Pvt Ltd", "wipro"),
        ("Procter & Gamble Co.", "procter and gamble"),
        ("Müller GmbH & Co. KG", "muller"),
        ("Limited", "limited"),  # nothing but a suffix: kept
        ("", ""),
    ],
)
def test_company_name_normalisation(name, normalised):
    assert normalise_company_name(name) == normalised


def test_sites():
    assert site_of("https://www.example.co.uk/about") == ("example.co.uk", "example.co.uk")
    assert site_of("a@b.c.example.com") == ("b.c.example.com", "example.com")
    assert site_of("10.0.0.1") is None
    assert site_of("localhost") is None


def test_public_suffix_reduction_needs_no_network():
    # A fresh interpreter whose sockets refuse to connect still reduces domains.
    code = (
        "import socket\n"
        "def refuse(*args, **kwargs): raise OSError('network attempted')\n"
        "socket.socket.connect = refuse\nsocket.create_connection = refuse\nsocket.getaddrinfo = refuse\n"
        "from graphsvc.algorithms.matching import site_of\n"
        "print(site_of('x@shop.example.com.au'))\n"
    )
    repo = Path(matching.__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo)
    assert done.stdout.strip() == "('shop.example.com.au', 'example.com.au')"
    assert "network attempted" not in done.stderr


# -- many leads at once ---------------------------------------------------------------------------

COMPANY_STEMS = ["acme", "acne", "acmes", "globex", "globexx", "initech", "initek", "umbrella", "umbrela", "hooli"]
SUFFIXES = ["", " Inc", " GmbH", " Systems", "s"]


@st.composite
def accounts_and_leads(draw):
    """Accounts and leads drawn from a few similar names and domains, so fuzzy, equal-name,
    domain and tie cases all occur."""
    stems = st.sampled_from(COMPANY_STEMS)
    names = st.builds(lambda stem, suffix: stem.title() + suffix, stems, st.sampled_from(SUFFIXES))
    domains = st.none() | st.builds(lambda stem: f"{stem}.com", stems)
    accounts = [
        {
            "id": f"a{i}",
            "name": draw(names),
            "domain": draw(domains),
            "is_target": draw(st.booleans()),
            "contact_count": draw(st.integers(0, 3)),
        }
        for i in range(draw(st.integers(1, 8)))
    ]
    emails = st.none() | st.builds(lambda stem, host: f"x@{host}{stem}.com", stems, st.sampled_from(["", "eu."]))
    leads = [
        (draw(emails | st.just("x@gmail.com")), draw(st.none() | names | st.just("")), draw(st.none() | domains))
        for _ in range(draw(st.integers(0, 12)))
    ]
    return accounts, leads


@settings(max_examples=300, deadline=None)
@given(accounts_and_leads(), st.sampled_from([92.0, 80.0, 0.0]))
def test_many_leads_at_once_match_as_one_by_one(drawn, cutoff):
    accounts, leads = drawn
    index = AccountIndex(accounts, fuzzy_cutoff=cutoff)
    expected = [match_lead(index, email=email, company=company, website=website) for email, company, website in leads]
    assert match_leads(index, leads) == expected


def test_similar_names_finds_what_a_full_scan_finds():
    index = AccountIndex(
        {"id": str(i), "name": name} for i, name in enumerate(["acme", "acmes", "acne", "acme corp x"])
    )
    # ratio("acme", "acmes") = 2×4/9 = 88.9; ("acmes", "acme corp x") far below; cutoff 85
    index.fuzzy_cutoff = 85.0
    found = index.similar_names(["acme", "acmes", "zzz"])
    assert {name: [other for other, _ in hits] for name, hits in found.items()} == {
        "acme": ["acme", "acmes"],
        "acmes": ["acmes", "acme"],
        "zzz": [],
    }
    assert found["acme"][1][1] == pytest.approx(800 / 9)
