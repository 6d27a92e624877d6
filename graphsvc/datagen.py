"""Deterministic, realistic demo data for graphsvc (SPEC §11 CSV columns).

`generate` writes ``accounts.csv``, ``users.csv``, ``contacts.csv``, ``leads.csv``,
``engagements.csv``, ``opportunities.csv`` and ``stage_changes.csv`` into a directory. The same arguments always give
byte-identical files: every random draw comes from a `random.Random` or a numpy `Generator`
seeded from ``seed`` and the name of the part being generated, and sets are only used for
membership tests, never iterated.

What the data looks like, because the demo and the benchmarks rely on it:

- accounts: plausible company names with legal suffixes by country, about 15 % subsidiaries in
  hierarchies up to 3 levels deep (parents are written before their children); a subsidiary has
  its own domain and often alias domains (``acme.de``); ``domain`` is the primary domain and
  ``domains`` lists the aliases only; employees and revenue are log-normal; about 25 % are target
  accounts (tiers 1-3, larger accounts more likely); most target accounts and some others have an
  AE owner, a few of them inactive;
- users: managers first (so ``manager_id`` always points backwards), then AEs (one per 20
  accounts), BDRs, SDRs and marketing; pools ``ae``, ``bdr`` (some members at weight 2) and
  ``sdr``;
- contacts: per-account email conventions at the primary or an alias domain, titles across
  departments and seniorities, explicit buying roles on about 30 %;
- leads: corporate addresses, subdomain addresses (``jane@eu.acme.com``), free-mail addresses
  with a company name, company-name-only leads, company names misspelled by exactly one edit, and
  leads from companies that are not accounts;
- engagements: only the `ENGAGEMENT_VOCABULARY`, email opens and web visits common, demo
  requests rare; about 8 % of accounts surge in the last weeks; a lead's first engagement is the
  touch named by its source, at its ``created_at``;
- opportunities: open, won (these accounts are customers) and lost, with amounts and dates;
- stage changes: each account's past in the funnel (`_write_stage_changes`), so stage histories
  and velocity show figures on a fresh demo: target accounts enter at TARGET, accounts climb
  AWARE, ENGAGED and MQA before their first opportunity, OPPORTUNITY and CUSTOMER follow the
  opportunities' dates; the newest change is the stage the history ends at;
- lead status changes: how each lead that is not NEW reached its status (`_write_lead_status_changes`),
  by the moves the lifecycle allows, so the lead funnel and lead velocity show figures too.

The shipped demo set in ``seeds/demo`` is ``generate(Path("seeds/demo"), accounts=DEMO_ACCOUNTS,
seed=DEMO_SEED)`` with every other argument at its default.
"""

from __future__ import annotations

import csv
import math
import random
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from graphsvc.progress import Progress, Task

__all__ = [
    "COLUMNS",
    "DEMO_ACCOUNTS",
    "DEMO_SEED",
    "ENGAGEMENT_VOCABULARY",
    "FREE_MAIL_DOMAINS",
    "LEGAL_SUFFIXES",
    "generate",
]

DEMO_ACCOUNTS = 200
DEMO_SEED = 7

COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts": (
        "id",
        "name",
        "domain",
        "domains",
        "industry",
        "employees",
        "annual_revenue",
        "country",
        "parent_id",
        "owner_id",
        "is_target",
        "tier",
        "technologies",
    ),
    "users": ("id", "name", "email", "role", "active", "capacity", "manager_id", "pools"),
    "contacts": ("id", "account_id", "email", "first_name", "last_name", "title", "seniority", "department", "roles"),
    "leads": (
        "id",
        "email",
        "first_name",
        "last_name",
        "company",
        "website",
        "title",
        "seniority",
        "industry",
        "country",
        "source",
        "created_at",
        "status",
    ),
    "engagements": ("id", "person_id", "type", "detail", "occurred_at", "campaign"),
    "opportunities": ("id", "account_id", "name", "amount", "status", "created_at", "closed_at"),
    "stage_changes": ("id", "account_id", "stage", "previous", "at"),
    "lead_status_changes": ("id", "lead_id", "status", "previous", "at", "reason", "by"),
}

# How a lead reached its generated status: each path starts at NEW and ends at it, with its weight.
_LEAD_PATHS: dict[str, tuple[tuple[tuple[str, ...], float], ...]] = {
    "MQL": ((("MQL",), 80.0), (("NURTURE", "MQL"), 20.0)),
    "SAL": ((("MQL", "SAL"), 85.0), (("NURTURE", "MQL", "SAL"), 15.0)),
    "NURTURE": ((("NURTURE",), 60.0), (("MQL", "NURTURE"), 25.0), (("MQL", "SAL", "RECYCLED", "NURTURE"), 15.0)),
    "DISQUALIFIED": ((("DISQUALIFIED",), 70.0), (("MQL", "DISQUALIFIED"), 30.0)),
}
_MOVE_REASONS = {
    "MQL": ("routing", "lead score passed the MQL threshold"),
    "SAL": ("sales", "accepted by sales"),
    "RECYCLED": ("sales", "rejected by sales: no project this year"),
    "NURTURE": ("routing", "below the MQL threshold: nurture"),
    "DISQUALIFIED": ("routing", "not a fit"),
}

# (type, detail, weight in ordinary activity, weight in a surging account). The scoring model
# keys on exactly these types and details.
_ENGAGEMENT_MIX: tuple[tuple[str, str, float, float], ...] = (
    ("email_open", "", 30.0, 18.0),
    ("email_click", "", 9.0, 9.0),
    ("web_visit", "home", 7.0, 4.0),
    ("web_visit", "blog", 7.0, 3.0),
    ("web_visit", "product", 6.0, 10.0),
    ("web_visit", "docs", 3.5, 7.0),
    ("web_visit", "pricing", 3.0, 10.0),
    ("web_visit", "careers", 2.5, 1.0),
    ("content_download", "whitepaper", 2.5, 3.0),
    ("content_download", "ebook", 2.0, 2.0),
    ("content_download", "case_study", 1.8, 3.0),
    ("content_download", "datasheet", 1.2, 3.0),
    ("ad_click", "", 8.0, 6.0),
    ("webinar", "registered", 3.5, 3.0),
    ("webinar", "attended", 2.5, 3.0),
    ("event", "registered", 1.6, 1.5),
    ("event", "attended", 1.2, 1.5),
    ("trial_signup", "", 0.8, 3.0),
    ("demo_request", "", 0.7, 3.0),
    ("unsubscribe", "", 1.5, 0.5),
)

ENGAGEMENT_VOCABULARY: dict[str, tuple[str, ...]] = {}
for _type, _detail, _, _ in _ENGAGEMENT_MIX:
    ENGAGEMENT_VOCABULARY[_type] = (*ENGAGEMENT_VOCABULARY.get(_type, ()), _detail)

FREE_MAIL_DOMAINS: tuple[str, ...] = ("gmail.com", "yahoo.com", "hotmail.com", "outlook.com")

# Campaigns by engagement type, and the share of that type's engagements with no campaign.
_CAMPAIGNS: dict[str, tuple[float, tuple[str, ...]]] = {
    "email_open": (
        0.0,
        (
            "Monthly Newsletter",
            "Product Update",
            "Nurture - Data Platform",
            "Nurture - Security",
            "Event Invitation",
            "Customer Story Digest",
            "ABM Tier 1 Sequence",
        ),
    ),
    "email_click": (
        0.0,
        (
            "Monthly Newsletter",
            "Product Update",
            "Nurture - Data Platform",
            "Nurture - Security",
            "Event Invitation",
            "ABM Tier 1 Sequence",
        ),
    ),
    "unsubscribe": (0.0, ("Monthly Newsletter", "Product Update", "Nurture - Data Platform")),
    "ad_click": (
        0.0,
        (
            "Paid Search - Brand",
            "Paid Search - Competitor",
            "LinkedIn ABM - Tier 1",
            "LinkedIn ABM - Tier 2",
            "Display Retargeting",
        ),
    ),
    "web_visit": (0.75, ("Paid Search - Brand", "LinkedIn ABM - Tier 1", "Display Retargeting")),
    "webinar": (
        0.0,
        (
            "Webinar - Modern Data Stack",
            "Webinar - Cloud Cost Control",
            "Webinar - Security by Design",
            "Webinar - AI in Operations",
        ),
    ),
    "event": (0.0, ("Data Summit 2026", "Roadshow London", "Roadshow Munich", "Roadshow New York", "Partner Day")),
    "content_download": (
        0.0,
        ("Gated - State of Data Report", "Gated - Buyer's Guide", "Gated - ROI Calculator", "Gated - Customer Stories"),
    ),
}

# Lead sources with their share and the touch that created the lead: (type, detail, weight).
_LEAD_SOURCES: tuple[tuple[str, float, tuple[tuple[str, str, float], ...]], ...] = (
    (
        "organic",
        25.0,
        (
            ("web_visit", "home", 3.0),
            ("web_visit", "product", 3.0),
            ("web_visit", "pricing", 2.0),
            ("web_visit", "blog", 3.0),
            ("demo_request", "", 1.0),
            ("trial_signup", "", 1.0),
        ),
    ),
    ("paid_search", 20.0, (("ad_click", "", 1.0),)),
    (
        "content",
        20.0,
        (
            ("content_download", "whitepaper", 3.0),
            ("content_download", "ebook", 3.0),
            ("content_download", "case_study", 2.0),
            ("content_download", "datasheet", 1.0),
        ),
    ),
    ("webinar", 15.0, (("webinar", "registered", 1.0),)),
    ("event", 10.0, (("event", "registered", 2.0), ("event", "attended", 1.0))),
    ("referral", 10.0, (("web_visit", "home", 2.0), ("demo_request", "", 1.0))),
)

_LEAD_STATUSES = (("NEW", 68.0), ("MQL", 9.0), ("SAL", 5.0), ("NURTURE", 12.0), ("DISQUALIFIED", 6.0))

# Lead varieties and their shares; `_lead_row` builds each.
_CORPORATE, _SUBDOMAIN, _FREE_MAIL, _COMPANY_ONLY, _MISSPELLED, _UNKNOWN = range(6)
_LEAD_VARIETY_SHARES = (0.34, 0.07, 0.15, 0.07, 0.07, 0.30)

# country: (weight, primary top-level domain, legal suffixes, subsidiary qualifier)
_COUNTRIES: dict[str, tuple[float, str, tuple[str, ...], str]] = {
    "US": (38.0, "com", ("Inc", "LLC", "Corp"), "USA"),
    "GB": (10.0, "co.uk", ("Ltd", "plc"), "UK"),
    "DE": (9.0, "de", ("GmbH", "AG"), "Deutschland"),
    "FR": (6.0, "fr", ("SA", "SAS"), "France"),
    "CA": (5.0, "ca", ("Inc", "Ltd"), "Canada"),
    "NL": (4.0, "nl", ("BV", "NV"), "Nederland"),
    "AU": (4.0, "com.au", ("Pty Ltd",), "Australia"),
    "IN": (4.0, "in", ("Pvt Ltd",), "India"),
    "JP": (3.0, "co.jp", ("KK",), "Japan"),
    "SE": (3.0, "se", ("AB",), "Nordic"),
    "ES": (3.0, "es", ("SL", "SA"), "Iberia"),
    "IT": (3.0, "it", ("SpA", "Srl"), "Italia"),
    "BR": (3.0, "com.br", ("Ltda",), "Brasil"),
    "SG": (2.0, "com.sg", ("Pte Ltd",), "Asia Pacific"),
    "CH": (2.0, "ch", ("AG", "SA"), "Schweiz"),
}
_COUNTRY_CODES = tuple(_COUNTRIES)
_COUNTRY_WEIGHTS = tuple(spec[0] for spec in _COUNTRIES.values())

LEGAL_SUFFIXES: tuple[str, ...] = tuple(sorted({suffix for spec in _COUNTRIES.values() for suffix in spec[2]}))

# industry: (weight, revenue per employee in USD, name descriptors)
_INDUSTRIES: dict[str, tuple[float, float, tuple[str, ...]]] = {
    "software": (
        22.0,
        250e3,
        (
            "Software",
            "Systems",
            "Labs",
            "Technologies",
            "Cloud",
            "Data",
            "Analytics",
            "Networks",
            "Digital",
            "Security",
        ),
    ),
    "finance": (
        12.0,
        400e3,
        ("Capital", "Financial", "Bank", "Insurance", "Partners", "Investments", "Payments", "Asset Management"),
    ),
    "healthcare": (11.0, 180e3, ("Health", "Medical", "Therapeutics", "Care", "Biosciences", "Pharma", "Diagnostics")),
    "manufacturing": (
        13.0,
        220e3,
        ("Industries", "Manufacturing", "Machines", "Materials", "Components", "Robotics", "Engineering"),
    ),
    "retail": (10.0, 150e3, ("Retail", "Stores", "Brands", "Outfitters", "Market", "Goods", "Commerce")),
    "education": (6.0, 90e3, ("Learning", "Academy", "Education", "EdTech")),
    "media": (7.0, 200e3, ("Media", "Studios", "Publishing", "Entertainment", "Broadcasting")),
    "telecom": (6.0, 350e3, ("Telecom", "Communications", "Wireless", "Mobile", "Connect")),
    "government": (
        5.0,
        120e3,
        ("County", "City Council", "Transit Authority", "Water Board", "Public Health Department", "Revenue Agency"),
    ),
    "energy": (8.0, 600e3, ("Energy", "Power", "Renewables", "Utilities", "Solar", "Grid")),
}
_INDUSTRY_NAMES = tuple(_INDUSTRIES)
_INDUSTRY_WEIGHTS = tuple(spec[0] for spec in _INDUSTRIES.values())
_UNIVERSITY_WORDS = ("University", "College", "Institute of Technology", "Community College")

# technology: (adoption rate, extra rate per decade of employees, industries that favour it)
_TECHNOLOGIES: tuple[tuple[str, float, float, tuple[str, ...]], ...] = (
    ("salesforce", 0.30, 0.06, ("software", "finance")),
    ("hubspot", 0.30, -0.04, ("software", "media", "education")),
    ("marketo", 0.08, 0.03, ("software",)),
    ("snowflake", 0.08, 0.04, ("software", "finance", "retail")),
    ("aws", 0.35, 0.04, ("software", "media")),
    ("azure", 0.20, 0.05, ("government", "education", "manufacturing")),
    ("gcp", 0.12, 0.02, ("software", "retail")),
    ("slack", 0.35, 0.03, ("software", "media")),
    ("microsoft365", 0.35, 0.05, ("government", "finance", "healthcare")),
    ("zendesk", 0.15, 0.01, ("retail", "software")),
    ("workday", 0.03, 0.05, ("finance", "healthcare")),
    ("sap", 0.03, 0.06, ("manufacturing", "energy", "retail")),
    ("oracle", 0.04, 0.05, ("finance", "government", "energy")),
    ("servicenow", 0.02, 0.05, ("finance", "telecom", "government")),
    ("jira", 0.25, 0.03, ("software", "telecom")),
    ("tableau", 0.08, 0.03, ("finance", "healthcare", "retail")),
    ("okta", 0.08, 0.04, ("software", "finance")),
    ("github", 0.20, 0.03, ("software",)),
    ("datadog", 0.06, 0.03, ("software", "telecom")),
    ("shopify", 0.05, -0.01, ("retail",)),
)

# seniority: (share among contacts, titles as (title, department))
_TITLES: dict[str, tuple[float, tuple[tuple[str, str], ...]]] = {
    "c_level": (
        0.05,
        (
            ("Chief Executive Officer", "executive"),
            ("Chief Financial Officer", "finance"),
            ("CFO", "finance"),
            ("Chief Technology Officer", "engineering"),
            ("CTO", "engineering"),
            ("Chief Information Officer", "it"),
            ("Chief Marketing Officer", "marketing"),
            ("Chief Operating Officer", "operations"),
            ("Chief Information Security Officer", "security"),
            ("Chief Data Officer", "data"),
        ),
    ),
    "vp": (
        0.10,
        (
            ("VP Engineering", "engineering"),
            ("Vice President of Finance", "finance"),
            ("VP of IT", "it"),
            ("VP Marketing", "marketing"),
            ("VP Sales", "sales"),
            ("VP Operations", "operations"),
            ("VP Product", "product"),
            ("VP Procurement", "procurement"),
            ("General Counsel", "legal"),
            ("VP Human Resources", "hr"),
        ),
    ),
    "director": (
        0.18,
        (
            ("Director of IT", "it"),
            ("Director of Engineering", "engineering"),
            ("Finance Director", "finance"),
            ("Marketing Director", "marketing"),
            ("Director of Procurement", "procurement"),
            ("Director of Security", "security"),
            ("Director of Operations", "operations"),
            ("Director of Data Engineering", "data"),
            ("Director of Product Management", "product"),
            ("Head of Sales Operations", "sales"),
        ),
    ),
    "manager": (
        0.27,
        (
            ("IT Manager", "it"),
            ("Engineering Manager", "engineering"),
            ("Procurement Manager", "procurement"),
            ("Marketing Manager", "marketing"),
            ("Finance Manager", "finance"),
            ("Operations Manager", "operations"),
            ("Product Manager", "product"),
            ("Security Manager", "security"),
            ("HR Manager", "hr"),
            ("Data Platform Manager", "data"),
            ("Sales Manager", "sales"),
        ),
    ),
    "individual": (
        0.40,
        (
            ("Software Engineer", "engineering"),
            ("Senior Software Engineer", "engineering"),
            ("Data Analyst", "data"),
            ("Marketing Analyst", "marketing"),
            ("Financial Analyst", "finance"),
            ("Systems Administrator", "it"),
            ("DevOps Engineer", "engineering"),
            ("Procurement Specialist", "procurement"),
            ("Account Executive", "sales"),
            ("Accountant", "finance"),
            ("Legal Counsel", "legal"),
            ("Data Engineer", "data"),
            ("Security Analyst", "security"),
            ("Business Analyst", "operations"),
            ("HR Specialist", "hr"),
        ),
    ),
}
_SENIORITIES = tuple(_TITLES)
_SENIORITY_WEIGHTS = tuple(spec[0] for spec in _TITLES.values())

_BUYING_ROLES = (
    "ECONOMIC_BUYER",
    "DECISION_MAKER",
    "CHAMPION",
    "TECHNICAL_EVALUATOR",
    "INFLUENCER",
    "END_USER",
    "BLOCKER",
)
_TECHNICAL_DEPARTMENTS = frozenset({"it", "engineering", "security", "data"})
_GATEKEEPER_DEPARTMENTS = frozenset({"procurement", "legal"})

_FIRST_NAMES = (
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Christopher",
    "Nancy",
    "Daniel",
    "Lisa",
    "Matthew",
    "Betty",
    "Anthony",
    "Margaret",
    "Mark",
    "Sandra",
    "Steven",
    "Ashley",
    "Paul",
    "Emily",
    "Andrew",
    "Donna",
    "Joshua",
    "Michelle",
    "Kevin",
    "Carol",
    "Brian",
    "Amanda",
    "George",
    "Melissa",
    "Timothy",
    "Deborah",
    "Ryan",
    "Stephanie",
    "Jacob",
    "Rebecca",
    "Gary",
    "Laura",
    "Nicholas",
    "Sharon",
    "Eric",
    "Cynthia",
    "Jonathan",
    "Kathleen",
    "Samuel",
    "Amy",
    "Benjamin",
    "Angela",
    "Oliver",
    "Sophie",
    "Lukas",
    "Hannah",
    "Felix",
    "Lea",
    "Maximilian",
    "Anna",
    "Louis",
    "Camille",
    "Hugo",
    "Chloé",
    "Lucas",
    "Emma",
    "Noah",
    "Mia",
    "Liam",
    "Olivia",
    "Arjun",
    "Priya",
    "Rahul",
    "Ananya",
    "Vikram",
    "Deepa",
    "Hiroshi",
    "Yuki",
    "Kenji",
    "Aiko",
    "Wei",
    "Li",
    "Chen",
    "Mei",
    "Carlos",
    "Sofia",
    "Mateo",
    "Valentina",
    "Diego",
    "Lucía",
    "João",
    "Ana",
    "Pedro",
    "Beatriz",
    "Lars",
    "Ingrid",
    "Erik",
    "Astrid",
    "Marco",
    "Giulia",
    "Luca",
    "Chiara",
    "Ahmed",
    "Fatima",
    "Omar",
    "Layla",
    "Kwame",
    "Amara",
    "Renée",
    "José",
)
_LAST_NAMES = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Schulz",
    "Dubois",
    "Lefèvre",
    "Moreau",
    "Laurent",
    "Bernard",
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Silva",
    "Santos",
    "Oliveira",
    "Pereira",
    "Costa",
    "Sharma",
    "Gupta",
    "Singh",
    "Kumar",
    "Reddy",
    "Iyer",
    "Tanaka",
    "Suzuki",
    "Takahashi",
    "Watanabe",
    "Sato",
    "Wang",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Andersson",
    "Johansson",
    "Nilsson",
    "Larsen",
    "Jansen",
    "de Vries",
    "van Dijk",
    "O'Brien",
    "O'Connor",
    "MacLeod",
)

_BRAND_HEADS = (
    "Ac",
    "Al",
    "Ar",
    "Bel",
    "Bri",
    "Cal",
    "Cor",
    "Del",
    "Dyn",
    "El",
    "Ev",
    "Fal",
    "Gen",
    "Hal",
    "In",
    "Jun",
    "Kin",
    "Lum",
    "Mar",
    "Nov",
    "Om",
    "Pal",
    "Quan",
    "Ral",
    "Sol",
    "Syn",
    "Tal",
    "Ter",
    "Ul",
    "Val",
    "Ver",
    "Vex",
    "Wex",
    "Xan",
    "Zen",
    "Zor",
    "Or",
    "Nex",
    "Cy",
    "Hel",
)
_BRAND_MIDDLES = ("", "", "", "a", "e", "i", "o", "ar", "en", "on", "is", "u", "ri", "la", "ro")
_BRAND_TAILS = (
    "tex",
    "tron",
    "via",
    "lix",
    "nova",
    "gen",
    "ix",
    "ora",
    "sys",
    "ware",
    "ly",
    "io",
    "ant",
    "ent",
    "ar",
    "eon",
    "ium",
    "is",
    "ex",
    "on",
)
_PLACE_HEADS = (
    "North",
    "South",
    "East",
    "West",
    "Blue",
    "Red",
    "Green",
    "Silver",
    "Golden",
    "Iron",
    "Cedar",
    "Oak",
    "Pine",
    "Maple",
    "River",
    "Lake",
    "Harbor",
    "Summit",
    "Stone",
    "Bright",
    "Clear",
    "High",
    "Grand",
    "Pacific",
    "Atlantic",
    "Granite",
    "Eagle",
    "Falcon",
    "Crystal",
    "Sun",
)
_PLACE_TAILS = (
    "field",
    "wood",
    "brook",
    "ridge",
    "stone",
    "bridge",
    "point",
    "gate",
    "haven",
    "crest",
    "view",
    "water",
    "land",
    "port",
    "vale",
    "shore",
    "rock",
    "side",
    "bay",
    "well",
)
_VOWELS = frozenset("aeiou")
_ALIAS_TLDS = ("io", "net", "co")
_SUBDOMAINS = ("eu", "us", "uk", "de", "mail", "corp", "emea", "apac", "na")
_EMAIL_FORMATS = (
    ("first.last", 50.0),
    ("flast", 20.0),
    ("first_last", 10.0),
    ("last.first", 8.0),
    ("firstl", 7.0),
    ("first", 5.0),
)
_OPPORTUNITY_PRODUCTS = (
    "Platform",
    "Enterprise License",
    "Analytics Add-on",
    "Pilot",
    "Expansion",
    "Renewal",
    "Data Connectors",
)
_VENDOR_DOMAIN = "vendor.example"

_SUBSIDIARY_SHARE = 0.15
_TARGET_SHARE = 0.25
_SURGE_SHARE = 0.08
_OPPORTUNITY_ACCOUNT_SHARE = 0.12
_ENGAGEMENT_CHUNK = 200_000
_DAY = 86_400


def _slug(text: str, separator: str = "") -> str:
    """Lower-case ASCII letters and digits of ``text``, words joined by ``separator``."""
    words = (_ascii(word).lower() for word in text.split())
    return separator.join("".join(ch for ch in word if ch.isalnum()) for word in words)


def _ascii(text: str) -> str:
    """Drop accents (``Müller`` -> ``Muller``) so names can form email addresses."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _weighted(rng: random.Random, items: Sequence[Any], weights: Sequence[float]) -> Any:
    return rng.choices(items, weights)[0]


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _width(count: int, minimum: int) -> int:
    return max(minimum, len(str(count)))


@dataclass(slots=True)
class _Company:
    """A company name with its parts and web domains (an account or an unknown company)."""

    name: str
    stem: str  # the name without its legal suffix
    brand: str  # what subsidiaries inherit: "Zentrix" for "Zentrix Analytics Inc"
    suffix: str
    domain: str
    aliases: list[str]


@dataclass(slots=True)
class _Account:
    """An account as generated; ``known_*`` false leaves that firmographic cell empty."""

    company: _Company
    industry: str
    employees: int
    revenue: int
    country: str
    parent: int  # index of the parent account, -1 for none
    depth: int
    email_format: str
    technologies: list[str]
    known_industry: bool = True
    known_employees: bool = True
    known_revenue: bool = True
    owner: int = -1  # index into the users list
    is_target: bool = False
    tier: int = 0
    surge: bool = False
    children: int = 0


@dataclass(slots=True)
class _User:
    """A row of users.csv."""

    id: str
    name: str
    email: str
    role: str
    active: bool
    capacity: int
    manager_id: str
    pools: str


@dataclass(slots=True)
class _CompanyNames:
    """Hands out company names and domains that are unique across accounts and non-accounts.

    Uniqueness is on the lower-cased stem, so name matching on a normalised name never ties.
    """

    names: set[str] = field(default_factory=set)
    domains: set[str] = field(default_factory=set)

    def is_taken(self, stem: str) -> bool:
        return stem.lower() in self.names

    def new_company(self, rng: random.Random, industry: str, country: str) -> _Company:
        """A fresh company (brand, descriptor, legal suffix) with a primary domain."""
        for attempt in range(200):
            brand, stem, suffix = self._compose(rng, industry, country)
            if attempt >= 100:
                stem = f"{stem} {attempt}"  # guarantees termination when the space is crowded
            if not self.is_taken(stem):
                break
        self.names.add(stem.lower())
        domain = self._claim(self._root_domains(stem, brand, industry, country, suffix))
        return _Company(_join(stem, suffix), stem, brand, suffix, domain, [])

    def subsidiary(
        self, rng: random.Random, parent: _Company, industry: str, country: str, parent_country: str
    ) -> _Company:
        """A subsidiary of ``parent`` named after the parent brand, or an acquired brand."""
        qualifiers: list[str] = []
        if country != parent_country:
            qualifiers.append(_COUNTRIES[country][3])
        qualifiers += rng.sample(_INDUSTRIES[industry][2], 2)
        # one in five subsidiaries is an acquired brand; public bodies never carry a brand
        if industry != "government" and rng.random() >= 0.2:
            for qualifier in qualifiers:
                stem = f"{parent.brand} {qualifier}"
                if not self.is_taken(stem):
                    self.names.add(stem.lower())
                    suffix = rng.choice(_COUNTRIES[country][2])
                    tld = _COUNTRIES[country][1]
                    domain = self._claim(
                        [
                            f"{_slug(stem)}.{tld}",
                            f"{_slug(stem, '-')}.{tld}",
                            f"{_slug(stem)}.com",
                            f"{_slug(stem)}-{country.lower()}.com",
                        ]
                    )
                    company = _Company(_join(stem, suffix), stem, parent.brand, suffix, domain, [])
                    if rng.random() < 0.7:
                        self.add_aliases(rng, company, country, 1 + (rng.random() < 0.3))
                    return company
        company = self.new_company(rng, industry, country)  # an acquired brand
        if rng.random() < 0.3:
            self.add_aliases(rng, company, country, 1)
        return company

    def add_aliases(self, rng: random.Random, company: _Company, country: str, count: int) -> None:
        """Give ``company`` up to ``count`` alias domains (country TLD first, then .io/.net/.co)."""
        tld = _COUNTRIES[country][1]
        candidates = [f"{_slug(company.brand)}.{tld}", f"{_slug(company.stem)}.{tld}"]
        candidates += [f"{_slug(company.stem)}.{alt}" for alt in rng.sample(_ALIAS_TLDS, 2)]
        for candidate in candidates:
            if len(company.aliases) == count:
                break
            if candidate != company.domain and candidate not in self.domains:
                self.domains.add(candidate)
                company.aliases.append(candidate)

    def _compose(self, rng: random.Random, industry: str, country: str) -> tuple[str, str, str]:
        descriptors = _INDUSTRIES[industry][2]
        tail = rng.choice(_PLACE_TAILS)
        place = rng.choice(_PLACE_HEADS) + (tail if rng.random() < 0.7 else " " + tail.title())
        if industry == "government":
            return place, f"{place} {rng.choice(descriptors)}", ""
        if industry == "education" and rng.random() < 0.5:
            return place, f"{place} {rng.choice(_UNIVERSITY_WORDS)}", ""
        suffix = rng.choice(_COUNTRIES[country][2])
        form = rng.random()
        if form < 0.25:
            return place, f"{place} {rng.choice(descriptors)}", suffix
        head, middle = rng.choice(_BRAND_HEADS), rng.choice(_BRAND_MIDDLES)
        tail = rng.choice(_BRAND_TAILS)
        if middle[-1:] in _VOWELS and tail[0] in _VOWELS:
            middle = ""  # "Briaant" is unpronounceable; "Briant" is a brand
        brand = head + middle + tail
        if form < 0.55:
            return brand, brand, suffix
        return brand, f"{brand} {rng.choice(descriptors)}", suffix

    def _root_domains(self, stem: str, brand: str, industry: str, country: str, suffix: str) -> list[str]:
        tld = _COUNTRIES[country][1]
        if not suffix and industry == "government":
            tld = {"US": "gov", "GB": "gov.uk", "AU": "gov.au"}.get(country, tld)
        elif not suffix and industry == "education":
            tld = {"US": "edu", "GB": "ac.uk", "AU": "edu.au"}.get(country, tld)
        elif country == "US" or stem.endswith(("Software", "Cloud", "Data", "Analytics")):
            tld = "com"
        candidates = [
            f"{_slug(stem)}.{tld}",
            f"{_slug(stem, '-')}.{tld}",
            f"{_slug(stem)}.com",
            f"{_slug(stem)}hq.com",
            f"get{_slug(stem)}.com",
        ]
        if brand != stem and suffix:
            candidates.insert(0, f"{_slug(brand)}.{tld}")
        return candidates

    def _claim(self, candidates: list[str]) -> str:
        for candidate in candidates:
            if candidate not in self.domains:
                self.domains.add(candidate)
                return candidate
        base, _, tld = candidates[0].partition(".")
        number = 2
        while f"{base}{number}.{tld}" in self.domains:
            number += 1
        self.domains.add(f"{base}{number}.{tld}")
        return f"{base}{number}.{tld}"


def _join(stem: str, suffix: str) -> str:
    return f"{stem} {suffix}" if suffix else stem


def _generate_accounts(seed: int, count: int, names: _CompanyNames) -> list[_Account]:
    """Accounts in file order: every parent before its children."""
    rng = random.Random(f"{seed}/accounts")
    accounts: list[_Account] = []
    roots: list[int] = []
    groups: list[int] = []  # roots that already have subsidiaries
    second_level: list[int] = []
    for index in range(count):
        parent = -1
        if index >= 3 and rng.random() < _SUBSIDIARY_SHARE:
            draw = rng.random()
            if second_level and draw < 0.2:
                parent = rng.choice(second_level)
            elif groups and draw < 0.6:
                parent = rng.choice(groups)
            else:
                parent = rng.choice(roots)
        employees = int(min(400_000, max(2, rng.lognormvariate(math.log(250), 1.6))))
        if parent < 0:
            industry = _weighted(rng, _INDUSTRY_NAMES, _INDUSTRY_WEIGHTS)
            country = _weighted(rng, _COUNTRY_CODES, _COUNTRY_WEIGHTS)
            company = names.new_company(rng, industry, country)
            if rng.random() < 0.2:
                names.add_aliases(rng, company, country, 1 + (rng.random() < 0.3))
            depth = 1
            roots.append(index)
        else:
            up = accounts[parent]
            industry = (
                up.industry
                if rng.random() < 0.8 or up.industry == "government"
                else (_weighted(rng, _INDUSTRY_NAMES, _INDUSTRY_WEIGHTS))
            )
            country = up.country if rng.random() < 0.35 else _weighted(rng, _COUNTRY_CODES, _COUNTRY_WEIGHTS)
            company = names.subsidiary(rng, up.company, industry, country, up.country)
            employees = max(2, min(employees, up.employees * 2 // 3))
            depth = up.depth + 1
            if up.children == 0 and up.depth == 1:
                groups.append(parent)
            up.children += 1
            if depth == 2:
                second_level.append(index)
        revenue = employees * _INDUSTRIES[industry][1] * rng.lognormvariate(0, 0.4)
        accounts.append(
            _Account(
                company=company,
                industry=industry,
                employees=employees,
                revenue=int(round(revenue, -3)),
                country=country,
                parent=parent,
                depth=depth,
                email_format=_weighted(rng, *zip(*_EMAIL_FORMATS, strict=True)),
                technologies=_technologies(rng, industry, employees),
                known_industry=rng.random() >= 0.03,
                known_employees=rng.random() >= 0.04,
                known_revenue=rng.random() >= 0.1,
            )
        )
    _mark_targets(rng, accounts)
    return accounts


def _technologies(rng: random.Random, industry: str, employees: int) -> list[str]:
    if rng.random() < 0.06:
        return []  # no technographic data for this account
    decades = math.log10(employees)
    chosen = []
    for name, rate, per_decade, favoured in _TECHNOLOGIES:
        chance = (rate + per_decade * (decades - 2)) * (1.8 if industry in favoured else 1.0)
        if rng.random() < chance:
            chosen.append(name)
    return chosen


def _mark_targets(rng: random.Random, accounts: list[_Account]) -> None:
    """Pick about 25 % target accounts (bigger, better-fitting ones likelier), tiers 1-3, surges."""
    fit_bonus = {"software": 1.5, "finance": 1.0, "healthcare": 0.6, "telecom": 0.6}
    priority = [math.log(a.employees) + fit_bonus.get(a.industry, 0.0) + rng.gauss(0, 1.5) for a in accounts]
    ranked = sorted(range(len(accounts)), key=lambda i: (-priority[i], i))
    targets = ranked[: round(_TARGET_SHARE * len(accounts))]
    for rank, index in enumerate(targets):
        share = rank / len(targets)
        accounts[index].is_target = True
        accounts[index].tier = 1 if share < 0.2 else 2 if share < 0.5 else 3
    for account in accounts:
        account.surge = rng.random() < _SURGE_SHARE * (2.0 if account.is_target else 0.67)


def _generate_users(seed: int, accounts: list[_Account]) -> list[_User]:
    """Sales and marketing users scaled to the number of accounts, managers first."""
    rng = random.Random(f"{seed}/users")
    ae = max(5, math.ceil(len(accounts) / 20))
    bdr = max(4, math.ceil(ae / 2))
    sdr = max(2, math.ceil(ae / 4))
    managers = max(3, math.ceil((ae + bdr + sdr) / 8))
    marketing = max(2, math.ceil(ae / 10))
    width = _width(ae + bdr + sdr + managers + marketing, 4)
    users: list[_User] = []
    emails: set[str] = set()

    def add(role: str, manager_id: str, capacity: int, pools: str, active: bool = True) -> None:
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        local = _slug(f"{first} {last}", ".")
        number = 1
        while f"{local}@{_VENDOR_DOMAIN}" in emails:
            number += 1
            local = f"{_slug(f'{first} {last}', '.')}{number}"
        emails.add(f"{local}@{_VENDOR_DOMAIN}")
        users.append(
            _User(
                f"usr-{len(users) + 1:0{width}d}",
                f"{first} {last}",
                f"{local}@{_VENDOR_DOMAIN}",
                role,
                active,
                capacity,
                manager_id,
                pools,
            )
        )

    add("MANAGER", "", 20, "")
    head = users[0].id
    for _ in range(managers - 1):
        add("MANAGER", head, 20, "")
    team_leads = [user.id for user in users[1:]]
    # the first AE and the first BDR stay active and pooled, so both default pools can route
    inactive_ae = set(rng.sample(range(1, ae), max(1, round(0.04 * ae))))
    for n in range(ae):
        # a few AEs work only their named accounts and take no pooled leads
        pools = "" if n > 0 and rng.random() < 0.1 else f"ae:{2 if rng.random() < 0.1 else 1}"
        add("AE", team_leads[n % len(team_leads)], rng.choice((25, 30, 40, 50)), pools, active=n not in inactive_ae)
    inactive_bdr = rng.randrange(1, bdr)
    for n in range(bdr):
        weight = 2 if n == 0 or rng.random() < 0.25 else 1
        add(
            "BDR", team_leads[n % len(team_leads)], rng.choice((60, 80, 100)), f"bdr:{weight}", active=n != inactive_bdr
        )
    for n in range(sdr):
        pools = "sdr:1;bdr:1" if rng.random() < 0.3 else "sdr:1"
        add("SDR", team_leads[n % len(team_leads)], rng.choice((40, 60, 80)), pools)
    for _ in range(marketing):
        add("MARKETING", head, 0, "")
    return users


def _assign_owners(seed: int, accounts: list[_Account], users: list[_User]) -> None:
    """Owners on about 90 % of target accounts and 30 % of the others; subsidiaries often share
    their parent's owner; inactive AEs keep their accounts (the routing fallback must cope)."""
    rng = random.Random(f"{seed}/owners")
    account_executives = [i for i, user in enumerate(users) if user.role == "AE"]
    for account in accounts:
        if rng.random() >= (0.9 if account.is_target else 0.3):
            continue
        parent_owner = accounts[account.parent].owner if account.parent >= 0 else -1
        if parent_owner >= 0 and rng.random() < 0.6:
            account.owner = parent_owner
        else:
            account.owner = rng.choice(account_executives)


def _write_accounts(writer: Any, accounts: list[_Account], users: list[_User]) -> None:
    width = _width(len(accounts), 5)
    for index, a in enumerate(accounts):
        writer.writerow(
            (
                f"acc-{index + 1:0{width}d}",
                a.company.name,
                a.company.domain,
                ";".join(a.company.aliases),
                a.industry if a.known_industry else "",
                a.employees if a.known_employees else "",
                a.revenue if a.known_revenue else "",
                a.country,
                f"acc-{a.parent + 1:0{width}d}" if a.parent >= 0 else "",
                users[a.owner].id if a.owner >= 0 else "",
                _bool(a.is_target),
                a.tier or "",
                ";".join(a.technologies),
            )
        )


def _write_users(writer: Any, users: list[_User]) -> None:
    for u in users:
        writer.writerow((u.id, u.name, u.email, u.role, _bool(u.active), u.capacity, u.manager_id, u.pools))


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _email_local(first: str, last: str, convention: str) -> str:
    first_part, last_part = _slug(first), _slug(last)
    return {
        "first.last": f"{first_part}.{last_part}",
        "flast": f"{first_part[0]}{last_part}",
        "first_last": f"{first_part}_{last_part}",
        "last.first": f"{last_part}.{first_part}",
        "firstl": f"{first_part}{last_part[0]}",
        "first": first_part,
    }[convention]


def _unique_address(local: str, domain: str, taken: set[str]) -> str:
    address, number = f"{local}@{domain}", 1
    while address in taken:
        number += 1
        address = f"{local}{number}@{domain}"
    taken.add(address)
    return address


def _person_title(rng: random.Random) -> tuple[str, str, str]:
    """(title, seniority, department) drawn from the title table."""
    seniority = _weighted(rng, _SENIORITIES, _SENIORITY_WEIGHTS)
    title, department = rng.choice(_TITLES[seniority][1])
    return title, seniority, department


def _explicit_roles(rng: random.Random, seniority: str, department: str) -> list[str]:
    """CRM-assigned buying roles that mostly, not always, follow the title."""
    weights = dict.fromkeys(_BUYING_ROLES, 0.1)
    technical = department in _TECHNICAL_DEPARTMENTS
    if seniority == "c_level":
        weights["ECONOMIC_BUYER"] += 3 if department == "finance" else 1
        weights["DECISION_MAKER"] += 2
    elif seniority == "vp":
        weights["DECISION_MAKER"] += 3
        weights["ECONOMIC_BUYER"] += 1
        weights["CHAMPION"] += 1
    elif seniority == "director":
        weights["CHAMPION"] += 2
        weights["DECISION_MAKER"] += 1
        weights["TECHNICAL_EVALUATOR"] += 2 if technical else 0
        weights["INFLUENCER"] += 1
    elif seniority == "manager":
        weights["CHAMPION"] += 1
        weights["INFLUENCER"] += 2
        weights["TECHNICAL_EVALUATOR"] += 2 if technical else 0
    else:
        weights["END_USER"] += 3
        weights["INFLUENCER"] += 1
        weights["TECHNICAL_EVALUATOR"] += 1 if technical else 0
    if department in _GATEKEEPER_DEPARTMENTS:
        weights["BLOCKER"] += 2
    roles = {_weighted(rng, _BUYING_ROLES, list(weights.values()))}
    if rng.random() < 0.2:
        roles.add(_weighted(rng, _BUYING_ROLES, list(weights.values())))
    return [role for role in _BUYING_ROLES if role in roles]


@dataclass(slots=True)
class _LeadPlan:
    """What each lead is, decided up front so corporate addresses can be made unique per account
    while that account's contacts are written, without keeping every address in memory."""

    variety: np.ndarray
    account: np.ndarray  # account index, -1 for a company that is not an account
    created: np.ndarray  # epoch seconds
    source: np.ndarray  # index into _LEAD_SOURCES


def _plan_leads(seed: int, count: int, accounts: list[_Account], start: int, end: int) -> _LeadPlan:
    gen = np.random.default_rng([seed, 1])
    variety = gen.choice(len(_LEAD_VARIETY_SHARES), size=count, p=_LEAD_VARIETY_SHARES)
    weight = np.array([a.employees**0.3 * (3.0 if a.surge else 1.0) * (1.5 if a.is_target else 1.0) for a in accounts])
    account = gen.choice(len(accounts), size=count, p=weight / weight.sum())
    # one edit in a short name is below the fuzzy-match threshold (ratio 92 needs about 12
    # characters); most misspelled leads name longer companies, a few stay unrecoverable
    misspelled = np.flatnonzero(variety == _MISSPELLED)
    long_name = np.array([len(a.company.stem) >= 12 for a in accounts])
    if long_name.any():
        readable = weight * np.where(long_name, 1.0, 0.1)
        account[misspelled] = gen.choice(len(accounts), size=len(misspelled), p=readable / readable.sum())
    account[variety == _UNKNOWN] = -1
    created = gen.integers(start, end, size=count)
    source_weights = np.array([spec[1] for spec in _LEAD_SOURCES])
    source = gen.choice(len(_LEAD_SOURCES), size=count, p=source_weights / source_weights.sum())
    return _LeadPlan(variety, account, created, source)


def _write_contacts(
    writer: Any, seed: int, accounts: list[_Account], per_account: np.ndarray, plan: _LeadPlan
) -> dict[int, tuple[str, str, str]]:
    """Write contacts account by account; return (first, last, email) of corporate and subdomain
    leads, made unique against the contacts of the same account."""
    rng = random.Random(f"{seed}/contacts")
    acc_width = _width(len(accounts), 5)
    con_width = _width(int(per_account.sum()), 6)
    at_account = np.flatnonzero((plan.variety == _CORPORATE) | (plan.variety == _SUBDOMAIN))
    at_account = at_account[np.argsort(plan.account[at_account], kind="stable")]
    boundaries = np.searchsorted(plan.account[at_account], np.arange(len(accounts) + 1))
    identities: dict[int, tuple[str, str, str]] = {}
    number = 0
    for index, account in enumerate(accounts):
        company = account.company
        taken: set[str] = set()
        for _ in range(int(per_account[index])):
            number += 1
            first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
            title, seniority, department = _person_title(rng)
            domain = _some_domain(rng, company, 0.15)
            email = _unique_address(_email_local(first, last, account.email_format), domain, taken)
            roles = _explicit_roles(rng, seniority, department) if rng.random() < 0.3 else []
            writer.writerow(
                (
                    f"con-{number:0{con_width}d}",
                    f"acc-{index + 1:0{acc_width}d}",
                    email,
                    first,
                    last,
                    title,
                    seniority,
                    department,
                    ";".join(roles),
                )
            )
        for lead in at_account[boundaries[index] : boundaries[index + 1]]:
            first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
            domain = _some_domain(rng, company, 0.2)
            if plan.variety[lead] == _SUBDOMAIN:
                domain = f"{rng.choice(_SUBDOMAINS)}.{domain}"
            email = _unique_address(_email_local(first, last, account.email_format), domain, taken)
            identities[int(lead)] = (first, last, email)
    return identities


def _some_domain(rng: random.Random, company: _Company, alias_share: float) -> str:
    """The primary domain, or with probability ``alias_share`` one of the alias domains."""
    if company.aliases and rng.random() < alias_share:
        return rng.choice(company.aliases)
    return company.domain


def _company_spelling(rng: random.Random, company: _Company) -> str:
    """How a person types their employer: as registered, without or with a variant suffix, or
    in another case."""
    draw = rng.random()
    if draw < 0.4 or not company.suffix:
        return company.name if draw < 0.9 else company.name.upper()
    if draw < 0.75:
        return company.stem
    if draw < 0.9:
        return f"{company.stem} {company.suffix}."
    return company.name.lower()


def _misspell(rng: random.Random, stem: str, names: _CompanyNames) -> str:
    """``stem`` with exactly one character inserted, deleted or replaced inside a word (people
    get initials right), not colliding with another company."""
    letters = [i for i in range(1, len(stem)) if stem[i].isalpha() and stem[i - 1].isalpha()]
    for _ in range(50):
        position = rng.choice(letters)
        operation = rng.randrange(3)
        if operation == 0:  # doubled letter, the commonest typo
            candidate = stem[:position] + stem[position] + stem[position:]
        elif operation == 1:
            candidate = stem[:position] + stem[position + 1 :]
        else:
            replacement = rng.choice("aeiourstnl".replace(stem[position].lower(), ""))
            candidate = stem[:position] + replacement + stem[position + 1 :]
        if candidate.lower() != stem.lower() and not names.is_taken(candidate):
            return candidate
    raise ValueError(f"cannot misspell {stem!r}")


def _website(rng: random.Random, domain: str) -> str:
    return rng.choice((f"www.{domain}", f"https://{domain}", f"https://www.{domain}/", domain))


def _free_mail_address(rng: random.Random, first: str, last: str, taken: set[str]) -> str:
    first_part, last_part = _slug(first), _slug(last)
    local = rng.choice(
        (
            f"{first_part}.{last_part}",
            f"{first_part}{last_part}{rng.randrange(10, 100)}",
            f"{first_part[0]}{last_part}{rng.randrange(1, 1000)}",
            f"{first_part}_{last_part}{rng.randrange(1960, 2006)}",
        )
    )
    return _unique_address(local, rng.choice(FREE_MAIL_DOMAINS), taken)


def _write_leads(
    writer: Any,
    seed: int,
    accounts: list[_Account],
    plan: _LeadPlan,
    identities: dict[int, tuple[str, str, str]],
    names: _CompanyNames,
) -> list[tuple[str, int, str]]:
    """Write the leads; return each one's id, creation (epoch seconds) and status."""
    rng = random.Random(f"{seed}/leads")
    written: list[tuple[str, int, str]] = []
    width = _width(len(plan.variety), 6)
    unknown_count = int((plan.variety == _UNKNOWN).sum())
    # companies that are not accounts; several leads may come from the same one
    unknown: list[tuple[_Company, str, str, str]] = []
    for _ in range(max(1, math.ceil(unknown_count * 0.6))):
        industry = _weighted(rng, _INDUSTRY_NAMES, _INDUSTRY_WEIGHTS)
        country = _weighted(rng, _COUNTRY_CODES, _COUNTRY_WEIGHTS)
        unknown.append(
            (
                names.new_company(rng, industry, country),
                industry,
                country,
                _weighted(rng, *zip(*_EMAIL_FORMATS, strict=True)),
            )
        )
    taken: set[str] = set()  # free-mail and unknown-company addresses
    statuses, status_weights = zip(*_LEAD_STATUSES, strict=True)
    for lead in range(len(plan.variety)):
        variety = int(plan.variety[lead])
        if variety == _UNKNOWN:
            company, industry, country, convention = rng.choice(unknown)
        else:
            account = accounts[int(plan.account[lead])]
            company, industry, country, convention = (
                account.company,
                account.industry,
                account.country,
                account.email_format,
            )
        first, last, email = identities.get(lead) or (rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES), "")
        company_name, website = _company_spelling(rng, company), ""
        if variety in (_CORPORATE, _SUBDOMAIN):
            website = _website(rng, company.domain) if rng.random() < 0.3 else ""
            company_name = company_name if rng.random() < 0.85 else ""
        elif variety == _FREE_MAIL:
            email = _free_mail_address(rng, first, last, taken)
            website = _website(rng, company.domain) if rng.random() < 0.3 else ""
        elif variety == _MISSPELLED:
            company_name = _misspell(rng, company.stem, names)
            if company.suffix and rng.random() < 0.5:
                company_name = f"{company_name} {company.suffix}"
            email = _free_mail_address(rng, first, last, taken) if rng.random() < 0.5 else ""
        elif variety == _UNKNOWN:
            draw = rng.random()
            if draw < 0.6:
                local = _email_local(first, last, convention)
                email = _unique_address(local, company.domain, taken)
            elif draw < 0.85:
                email = _free_mail_address(rng, first, last, taken)
            website = _website(rng, company.domain) if rng.random() < 0.2 else ""
            if not email.endswith(company.domain) and rng.random() >= 0.85:
                company_name = ""  # an anonymous sign-up
        title, seniority, _ = _person_title(rng)
        status = _weighted(rng, statuses, status_weights)
        if rng.random() < 0.015:  # the occasional student signing up for content
            title, seniority, industry = "Student", "student", "education"
            email = (
                email
                if email and email.split("@")[1] in FREE_MAIL_DOMAINS
                else (_free_mail_address(rng, first, last, taken))
            )
            company_name, website = "", ""
            status = "DISQUALIFIED" if rng.random() < 0.5 else status
        elif rng.random() < 0.12:
            title, seniority = "", ""
        written.append((f"lead-{lead + 1:0{width}d}", int(plan.created[lead]), status))
        writer.writerow(
            (
                f"lead-{lead + 1:0{width}d}",
                email,
                first,
                last,
                company_name,
                website,
                title,
                seniority,
                industry if rng.random() < 0.8 else "",
                country if rng.random() < 0.85 else "",
                _LEAD_SOURCES[int(plan.source[lead])][0],
                _iso(int(plan.created[lead])),
                status,
            )
        )
    return written


def _write_lead_status_changes(writer: Any, seed: int, leads: list[tuple[str, int, str]], end: int) -> int:
    """Write how each lead reached its status (:data:`_LEAD_PATHS`), the moves at distinct whole seconds
    drawn between its creation and ``end``; NEW leads never moved. Returns the rows written."""
    rng = random.Random(f"{seed}/lead-status")
    rows: list[tuple[str, str, str, int, str, str]] = []
    for lead_id, created, status in leads:
        if status not in _LEAD_PATHS:
            continue
        paths, weights = zip(*_LEAD_PATHS[status], strict=True)
        path = _weighted(rng, paths, weights)
        if end - created <= len(path):
            path = path[-1:]  # created moments before the end: it arrived with its status
        times = sorted(rng.sample(range(created + 1, end), len(path)))
        previous = "NEW"
        for moved, at in zip(path, times, strict=True):
            by, reason = _MOVE_REASONS[moved]
            rows.append((lead_id, moved, previous, at, reason, by))
            previous = moved
    width = _width(len(rows), 5)
    for number, (lead_id, moved, previous, at, reason, by) in enumerate(rows, 1):
        writer.writerow((f"ls-{number:0{width}d}", lead_id, moved, previous, _iso(at), reason, by))
    return len(rows)


# An opportunity as written: (account index, name, amount, status, created, closed or None).
_Deal = tuple[int, str, int, str, int, int | None]


def _write_opportunities(writer: Any, seed: int, accounts: list[_Account], end: int) -> list[_Deal]:
    """Open, won and lost opportunities, concentrated on target and surging accounts."""
    gen = np.random.default_rng([seed, 2])
    rng = random.Random(f"{seed}/opportunities")
    weight = np.array([(3.0 if a.is_target else 1.0) * (2.0 if a.surge else 1.0) for a in accounts])
    size = max(1, round(_OPPORTUNITY_ACCOUNT_SHARE * len(accounts)))
    chosen = np.sort(gen.choice(len(accounts), size=size, replace=False, p=weight / weight.sum()))
    rows: list[_Deal] = []
    for index in chosen:
        account = accounts[int(index)]
        for _ in range(1 + (rng.random() < 0.3) + (rng.random() < 0.1)):
            status = _weighted(rng, ("OPEN", "WON", "LOST"), (60, 15, 25) if account.surge else (40, 27, 33))
            if status == "OPEN":
                created, closed = end - rng.randrange(1, 120) * _DAY - rng.randrange(_DAY), None
            else:
                created = end - rng.randrange(60, 540) * _DAY - rng.randrange(_DAY)
                cycle = rng.randrange(20 * _DAY, min(200 * _DAY, end - created))
                closed = created + cycle
            median = 30_000 * (account.employees / 500) ** 0.3
            amount = int(round(rng.lognormvariate(math.log(median), 0.6), -2)) or 100
            name = f"{account.company.stem} - {rng.choice(_OPPORTUNITY_PRODUCTS)}"
            rows.append((int(index), name, amount, status, created, closed))
    acc_width, opp_width = _width(len(accounts), 5), _width(len(rows), 5)
    for number, (index, name, amount, status, created, closed) in enumerate(rows, 1):
        writer.writerow((f"opp-{number:0{opp_width}d}", f"acc-{index + 1:0{acc_width}d}", name,
                         amount, status, _iso(created), _iso(closed) if closed is not None else ""))
    return rows


# The stages an account climbs through on engagement alone (SPEC §8), and the chance a climb
# toward an opportunity passes through each (the others may be skipped).
_ENGAGEMENT_LADDER = (("AWARE", 1.0), ("ENGAGED", 0.85), ("MQA", 0.7))


def _write_stage_changes(writer: Any, seed: int, accounts: list[_Account], deals: list[_Deal],
                         start: int, end: int) -> int:
    """Each account's past in the funnel (SPEC §8), oldest change first; returns the rows written.

    Opportunities fix the upper stages: OPPORTUNITY while one is open, CUSTOMER from the first
    won one, and back to the engagement stage reached before (ENGAGED at most) when the last open
    one is lost.
    Before its first opportunity an account climbed TARGET (target accounts only), AWARE, often
    ENGAGED and MQA. An account without opportunities became a target, and aware, in the window,
    and some went on to ENGAGED. The newest change is the account's stage when the data set
    ends; what a recompute derives from the engagement may differ, and is then recorded as the
    next change.
    """
    rng = random.Random(f"{seed}/stage_changes")
    by_account: dict[int, list[_Deal]] = {}
    for deal in deals:
        by_account.setdefault(deal[0], []).append(deal)
    rows = []
    for index, account in enumerate(accounts):
        own = by_account.get(index, [])
        first_deal = min((deal[4] for deal in own), default=None)
        if first_deal is None:
            climb = ["TARGET"] * account.is_target + ["AWARE"] * (rng.random() < 0.9)
            # target accounts are worked harder: more of them reached ENGAGED
            engaged = rng.random() < (0.6 if account.is_target else 0.45)
            climb += ["ENGAGED"] * (len(climb) > 0 and climb[-1] == "AWARE" and engaged)
            entry = start + rng.randrange(0, (end - start) // 2)
            until = max(entry + 1, end - _DAY)  # a window of a day or less still has room
        else:
            climb = ["TARGET"] * account.is_target + [
                stage for stage, chance in _ENGAGEMENT_LADDER if rng.random() < chance]
            entry, until = first_deal - rng.randrange(30 * _DAY, 150 * _DAY), first_deal - _DAY
        times = sorted([entry, *(rng.randrange(entry, until) for _ in climb[1:])]) if climb else []
        moves = list(zip(climb, times, strict=True))
        reached = climb[-1] if climb else ""
        moments = sorted({moment for deal in own for moment in (deal[4], deal[5]) if moment is not None})
        for moment in moments:
            won = any(status == "WON" and closed <= moment for *_, status, _, closed in own if closed)
            open_now = any(created <= moment and (closed is None or closed > moment)
                           for *_, created, closed in own)
            # a lost deal leaves the account engaged at most
            fallback = "ENGAGED" if reached == "MQA" else reached
            moves.append(("CUSTOMER" if won else "OPPORTUNITY" if open_now else fallback, moment))
        previous = ""
        for stage, moment in moves:
            if stage != previous:
                rows.append((index, stage, previous, moment))
                previous = stage
    acc_width, width = _width(len(accounts), 5), _width(len(rows), 5)
    for number, (index, stage, previous, moment) in enumerate(rows, 1):
        writer.writerow((f"sc-{number:0{width}d}", f"acc-{index + 1:0{acc_width}d}", stage, previous,
                         _iso(moment)))
    return len(rows)


def _write_engagements(
    writer: Any,
    seed: int,
    total: int,
    contact_accounts: np.ndarray,
    accounts: list[_Account],
    plan: _LeadPlan,
    start: int,
    end: int,
    bar: Task | _Uncounted,
) -> None:
    """Stream engagements person by person in chunks of about `_ENGAGEMENT_CHUNK` rows.

    Persons are the contacts followed by the leads. Every lead gets its first touch (by source)
    at its creation time when there are enough engagements to go round; the rest are shared by
    log-normal activity, with about a third of contacts never engaging. Surging accounts are
    busier, lean to high-intent engagements and cluster them in the last weeks.
    """
    gen = np.random.default_rng([seed, 3])
    contacts, leads = len(contact_accounts), len(plan.variety)
    persons = contacts + leads
    account_surge = np.array([a.surge for a in accounts], dtype=bool)
    person_account = np.concatenate([contact_accounts, plan.account])
    surge = np.zeros(persons, dtype=bool)
    known = person_account >= 0
    surge[known] = account_surge[person_account[known]]
    is_lead = np.arange(persons) >= contacts
    earliest = np.concatenate([np.full(contacts, start, dtype=np.int64), plan.created])

    activity = gen.lognormal(0.0, 1.0, persons) * np.where(surge, 3.0, 1.0)
    activity *= np.where(is_lead, 0.5, 1.0) * (gen.random(persons) >= np.where(is_lead, 0.4, 0.3))
    first_touch = total >= leads
    counts = is_lead.astype(np.int64) if first_touch else np.zeros(persons, dtype=np.int64)
    if activity.sum() == 0:
        activity[:] = 1.0
    counts += gen.multinomial(total - int(counts.sum()), activity / activity.sum())
    anchor = earliest + (gen.random(persons) * (end - earliest)).astype(np.int64)

    pair_types = np.array([t for t, _, _, _ in _ENGAGEMENT_MIX])
    pair_details = np.array([d for _, d, _, _ in _ENGAGEMENT_MIX])
    base_cdf = _cdf([w for _, _, w, _ in _ENGAGEMENT_MIX])
    surge_cdf = _cdf([w for _, _, _, w in _ENGAGEMENT_MIX])
    pair_index = {(t, d): i for i, (t, d, _, _) in enumerate(_ENGAGEMENT_MIX)}
    touch_pairs = [np.array([pair_index[(t, d)] for t, d, _ in touches]) for _, _, touches in _LEAD_SOURCES]
    touch_cdfs = [_cdf([w for _, _, w in touches]) for _, _, touches in _LEAD_SOURCES]
    campaign_names = np.array(["", *(name for _, names in _CAMPAIGNS.values() for name in names)])
    campaign_offset, campaign_count, campaign_blank = _campaign_tables(pair_types)
    lead_source = np.concatenate([np.full(contacts, -1), plan.source])

    con_width, lead_width = _width(contacts, 6), _width(leads, 6)
    eng_width = _width(total, 7)
    cumulative = np.cumsum(counts)
    written, first = 0, 0
    while first < persons:
        last = int(np.searchsorted(cumulative, written + _ENGAGEMENT_CHUNK, side="right"))
        last = max(last, first + 1)
        person = np.repeat(np.arange(first, last), counts[first:last])
        rows = len(person)
        row_surge = surge[person]
        draw = gen.random(rows)
        pair = np.where(
            row_surge, np.searchsorted(surge_cdf, draw, side="right"), np.searchsorted(base_cdf, draw, side="right")
        )
        lo, hi = earliest[person], end - 1
        uniform = lo + (gen.random(rows) * (hi - lo)).astype(np.int64)
        recent = hi - gen.exponential(6 * _DAY, rows).astype(np.int64)
        burst = anchor[person] + gen.normal(0, 4 * _DAY, rows).astype(np.int64)
        mode = gen.random(rows)
        # draws outside the person's window fall back to uniform: clipping would pile them up
        # on the window's edges
        recent = np.where(recent >= lo, recent, uniform)
        burst = np.where((burst >= lo) & (burst <= hi), burst, uniform)
        when = np.where(row_surge, np.where(mode < 0.65, recent, uniform), np.where(mode < 0.5, burst, uniform))
        order = np.lexsort((when, person))
        person, pair, when = person[order], pair[order], when[order]
        if first_touch:
            opens = np.flatnonzero(is_lead[person] & np.r_[True, person[1:] != person[:-1]])
            when[opens] = earliest[person[opens]]
            touch_draw = gen.random(len(opens))
            for source, (pairs, cdf) in enumerate(zip(touch_pairs, touch_cdfs, strict=True)):
                of_source = lead_source[person[opens]] == source
                chosen = np.searchsorted(cdf, touch_draw[of_source], side="right")
                pair[opens[of_source]] = pairs[chosen]
        campaign_draw = gen.random(rows)
        campaign = campaign_offset[pair] + (campaign_draw * campaign_count[pair]).astype(np.int64)
        campaign[gen.random(rows) < campaign_blank[pair]] = 0
        stamps = np.datetime_as_string(when.astype("datetime64[s]"), unit="s")
        person_ids = [f"con-{p + 1:0{con_width}d}" for p in range(first, min(last, contacts))]
        person_ids += [f"lead-{p - contacts + 1:0{lead_width}d}" for p in range(max(first, contacts), last)]
        writer.writerows(
            zip(
                [f"eng-{n:0{eng_width}d}" for n in range(written + 1, written + rows + 1)],
                [person_ids[p] for p in (person - first).tolist()],
                pair_types[pair].tolist(),
                pair_details[pair].tolist(),
                [f"{stamp}Z" for stamp in stamps.tolist()],
                campaign_names[campaign].tolist(),
                strict=True,
            )
        )
        written += rows
        bar.update(rows)
        first = last


class _Uncounted:
    """Stands in for a progress task when nobody counts."""

    def update(self, count: int) -> None:
        pass

    def extend(self, count: int) -> None:
        pass


def _cdf(weights: Sequence[float]) -> np.ndarray:
    """Inner category bounds for `np.searchsorted(bounds, u, side="right")` with u in [0, 1)."""
    cdf = np.cumsum(np.asarray(weights, dtype=float))
    # the last bound is implicit, so rounding can never push u past the last category
    return cdf[:-1] / cdf[-1]


def _campaign_tables(pair_types: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (type, detail) pair: first index of its campaigns in the flattened list, how many,
    and the share with no campaign (types without campaigns point at the empty name)."""
    offsets, counts, blanks = [], [], []
    starts, position = {}, 1
    for kind, (_, names) in _CAMPAIGNS.items():
        starts[kind], position = position, position + len(names)
    for kind in pair_types.tolist():
        blank, names = _CAMPAIGNS.get(kind, (1.0, ("",)))
        offsets.append(starts.get(kind, 0))
        counts.append(len(names) if kind in starts else 1)
        blanks.append(blank)
    return np.array(offsets), np.array(counts), np.array(blanks)


@contextmanager
def _csv_writer(out_dir: Path, kind: str) -> Iterator[Any]:
    """A csv.writer on ``<kind>.csv`` with the kind's header row written."""
    with (out_dir / f"{kind}.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(COLUMNS[kind])
        yield writer


def generate(
    out_dir: Path,
    accounts: int,
    seed: int = 7,
    contacts_per_account: float = 10,
    leads_per_account: float = 5,
    engagements_per_account: float = 100,
    end: datetime = datetime(2026, 11, 1, tzinfo=UTC),
    days: int = 180,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write a deterministic demo data set as CSV files (SPEC §11 columns).

    Parameters
    ----------
    out_dir : Path
        Directory to write ``accounts.csv``, ``users.csv``, ``contacts.csv``, ``leads.csv``,
        ``engagements.csv``, ``opportunities.csv``, ``stage_changes.csv`` and
        ``lead_status_changes.csv`` into;
        created when missing.
    accounts : int
        Number of accounts (at least 1); users and opportunities scale with it.
    seed : int, default 7
        Non-negative random seed; the same arguments always give byte-identical files.
    contacts_per_account, leads_per_account, engagements_per_account : float
        Average rows per account; totals are ``round(average * accounts)`` exactly.
    end : datetime, default 2026-11-01T00:00:00Z
        End of the activity window (exclusive); naive values are taken as UTC.
    days : int, default 180
        Length of the window: lead creations and engagements fall in ``[end - days, end)``, as
        do the stage changes of accounts without opportunities (those of accounts with
        opportunities follow the opportunities' dates, which may lie before the window).
    progress : Progress, optional
        Where to count the rows written (a live bar or log lines, see :mod:`graphsvc.progress`).

    Returns
    -------
    dict[str, int]
        Rows written per kind.

    Examples
    --------
    >>> import tempfile
    >>> generate(Path(tempfile.mkdtemp()), accounts=20, engagements_per_account=10)["contacts"]
    200
    """
    if accounts < 1 or days < 1 or seed < 0:
        raise ValueError("accounts and days must be positive and seed non-negative")
    if min(contacts_per_account, leads_per_account, engagements_per_account) < 0:
        raise ValueError("per-account averages must not be negative")
    end_s = int((end if end.tzinfo else end.replace(tzinfo=UTC)).timestamp())
    start_s = end_s - int(timedelta(days=days).total_seconds())
    totals = {
        "contacts": round(contacts_per_account * accounts),
        "leads": round(leads_per_account * accounts),
        "engagements": round(engagements_per_account * accounts),
    }
    out_dir.mkdir(parents=True, exist_ok=True)

    names = _CompanyNames()
    account_list = _generate_accounts(seed, accounts, names)
    users = _generate_users(seed, account_list)
    _assign_owners(seed, account_list, users)
    employees = np.array([a.employees for a in account_list], dtype=float)
    contact_weight = employees**0.45
    per_account = np.random.default_rng([seed, 0]).multinomial(
        totals["contacts"], contact_weight / contact_weight.sum()
    )
    plan = _plan_leads(seed, totals["leads"], account_list, start_s, end_s)

    written = {"accounts": accounts, "users": len(users), **totals}
    total = sum(written.values())
    # The opportunities' count is known only once they are drawn: the total grows by it then.
    with progress.task("generate", total) if progress is not None else nullcontext(_Uncounted()) as bar:
        with _csv_writer(out_dir, "accounts") as writer:
            _write_accounts(writer, account_list, users)
        with _csv_writer(out_dir, "users") as writer:
            _write_users(writer, users)
        bar.update(accounts + len(users))
        with _csv_writer(out_dir, "contacts") as writer:
            identities = _write_contacts(writer, seed, account_list, per_account, plan)
        bar.update(totals["contacts"])
        with _csv_writer(out_dir, "leads") as writer:
            leads = _write_leads(writer, seed, account_list, plan, identities, names)
        bar.update(totals["leads"])
        with _csv_writer(out_dir, "lead_status_changes") as writer:
            written["lead_status_changes"] = _write_lead_status_changes(writer, seed, leads, end_s)
        with _csv_writer(out_dir, "opportunities") as writer:
            deals = _write_opportunities(writer, seed, account_list, end_s)
        written["opportunities"] = len(deals)
        with _csv_writer(out_dir, "stage_changes") as writer:
            written["stage_changes"] = _write_stage_changes(writer, seed, account_list, deals, start_s, end_s)
        bar.extend(written["opportunities"] + written["stage_changes"])
        bar.update(written["opportunities"] + written["stage_changes"])
        with _csv_writer(out_dir, "engagements") as writer:
            _write_engagements(
                writer,
                seed,
                totals["engagements"],
                np.repeat(np.arange(accounts), per_account),
                account_list,
                plan,
                start_s,
                end_s,
                bar,
            )
    return written
