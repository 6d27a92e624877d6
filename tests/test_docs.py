"""The documentation stands alone and its examples are what the code does.

- Every relative link in README.md and docs/*.md names a file in the repository (none leaves
  it), and a link's ``#anchor`` names a heading there; no line cites the product documents kept
  outside the repository.
- The ``>>>`` examples in the ```python blocks of docs/formulas.md run as a doctest against
  graphsvc's own functions, so the worked numbers cannot drift from the code.
- Every ```graphql example in README.md and docs/api.md validates against the served schema, and
  each ``matchAccount`` example matches an account of the demo set (``seeds/demo/accounts.csv``)
  with the matcher the API uses.
"""

from __future__ import annotations

import csv
import doctest
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from graphql import FieldNode, StringValueNode, parse, validate
from graphql.language import Visitor, visit

from graphsvc.algorithms.matching import AccountIndex, match_lead
from graphsvc.schema import schema

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Documents whose links are checked too, though the brief for them is elsewhere.
LINKED = [*DOCUMENTS, ROOT / "seeds" / "demo" / "README.md"]
WITH_GRAPHQL = [ROOT / "README.md", ROOT / "docs" / "api.md"]
# Inline links and images, [text](target) or ![alt](target "title"); fenced code is skipped.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
GRAPHQL_BLOCK = re.compile(r"^```graphql\n(.*?)^```", re.S | re.M)


def relative_links(document: Path) -> list[str]:
    """The link targets of a Markdown file that are paths, not URLs or anchors in the same page."""
    return [path for path, _ in relative_targets(document)]


def relative_targets(document: Path) -> list[tuple[str, str]]:
    """``(path, fragment)`` of each link to a file of the repository."""
    text = FENCE.sub("", document.read_text(encoding="utf-8"))
    targets = []
    for target in LINK.findall(text):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or not parts.path:
            continue
        targets.append((unquote(parts.path), parts.fragment))
    return targets


def anchors(document: Path) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces as hyphens."""
    text = FENCE.sub("", document.read_text(encoding="utf-8"))
    headings = re.findall(r"^#{1,6}\s+(.+?)\s*$", text, re.M)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def test_the_documents_exist() -> None:
    names = {path.name for path in DOCUMENTS}
    assert {"README.md", "model.md", "formulas.md", "api.md", "operations.md"} <= names


@pytest.mark.parametrize("document", LINKED, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_names_a_file_in_the_repository(document: Path) -> None:
    problems = []
    for target, fragment in relative_targets(document):
        resolved = (document.parent / target).resolve()
        if not resolved.is_relative_to(ROOT):
            problems.append(f"{target} leaves the repository")
        elif not resolved.exists():
            problems.append(f"{target} does not exist")
        elif fragment and resolved.suffix == ".md" and fragment not in anchors(resolved):
            problems.append(f"{target} has no heading for #{fragment}")
    assert not problems, f"{document.relative_to(ROOT)}: {problems}"


def test_no_document_points_outside_the_repository() -> None:
    """Not even in prose or code: the product documents outside the repository are not cited."""
    outside = re.compile(r"\.\./shared|/work/shared|\bSPEC\b|api-contract\.graphql|STYLE\.md")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in DOCUMENTS
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if outside.search(line)
    ]
    assert not found, found


def test_link_check_sees_links() -> None:
    """The link pattern finds what the checks above rely on (a guard against a silent regex)."""
    assert "docs/screenshots/program.png" in relative_links(ROOT / "README.md")
    assert "docs/formulas.md" in relative_links(ROOT / "README.md")


def test_worked_examples_in_formulas_match_the_code() -> None:
    path = ROOT / "docs" / "formulas.md"
    blocks = PYTHON_BLOCK.findall(path.read_text(encoding="utf-8"))
    examples = "\n".join(blocks)
    test = doctest.DocTestParser().get_doctest(examples, {}, "docs/formulas.md", str(path), 0)
    assert len(test.examples) >= 20, "the worked examples went missing"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0, "a worked example in docs/formulas.md disagrees with the code"


def graphql_examples(document: Path) -> list[str]:
    return GRAPHQL_BLOCK.findall(document.read_text(encoding="utf-8"))


@pytest.mark.parametrize("document", WITH_GRAPHQL, ids=lambda path: str(path.relative_to(ROOT)))
def test_graphql_examples_are_valid_against_the_served_schema(document: Path) -> None:
    examples = graphql_examples(document)
    assert examples
    problems = [
        f"{error.message} in:\n{example}" for example in examples for error in validate(schema._schema, parse(example))
    ]
    assert not problems, problems


def match_account_arguments(example: str) -> list[dict[str, str]]:
    """The string arguments of every ``matchAccount`` field in a GraphQL document."""
    found = []

    class MatchAccount(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            if node.name.value == "matchAccount":
                found.append(
                    {a.name.value: a.value.value for a in node.arguments if isinstance(a.value, StringValueNode)}
                )

    visit(parse(example), MatchAccount())
    return found


def demo_accounts() -> AccountIndex:
    with (ROOT / "seeds" / "demo" / "accounts.csv").open(encoding="utf-8", newline="") as rows:
        accounts = [{**row, "domains": [d for d in row["domains"].split(";") if d]} for row in csv.DictReader(rows)]
    return AccountIndex(accounts)


@pytest.mark.parametrize("document", WITH_GRAPHQL, ids=lambda path: str(path.relative_to(ROOT)))
def test_match_account_examples_match_an_account_of_the_demo(document: Path) -> None:
    lookups = [arguments for example in graphql_examples(document) for arguments in match_account_arguments(example)]
    assert lookups, f"{document.name} shows no matchAccount example"
    index = demo_accounts()
    unmatched = [arguments for arguments in lookups if match_lead(index, **arguments).best is None]
    assert not unmatched, f"these matchAccount examples match no demo account: {unmatched}"
