"""The Cypher registry: every statement graphsvc runs, loaded once from ``cypher/``.

A statement is named by its path under ``cypher/`` without the ``.cypher`` suffix, e.g.
``ingest/accounts``. Modules bind the statements they use at import time with
:func:`statement`, so a missing or renamed file fails start-up instead of a request.

Families of near-identical statements (the sort orders and filters of the top-level lists) are
composed instead (:func:`compose`): a skeleton fragment (``cypher/**/*.part``) with its
``{{slot}}`` markers replaced by other fragments and by vetted literals from code (a property
name, ``DESC``), never by input. Composed statements are registered under a name at import time
like the files, and ``tests/test_cypher_lint.py`` lints every one of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from types import MappingProxyType

__all__ = ["CypherRegistry", "MissingStatement", "compose", "composed", "fragment", "registry", "statement"]


class MissingStatement(KeyError):
    """A statement name with no file behind it."""

    def __str__(self) -> str:
        return f"no Cypher statement named {self.args[0]!r} (expected cypher/{self.args[0]}.cypher)"


class CypherRegistry(Mapping[str, str]):
    """Immutable mapping of statement name to Cypher text."""

    def __init__(self, statements: Mapping[str, str]) -> None:
        self._statements = MappingProxyType(dict(statements))

    @classmethod
    def load(cls, root: Traversable) -> CypherRegistry:
        """Read every ``*.cypher`` file below ``root``."""
        found: dict[str, str] = {}

        def walk(folder: Traversable, prefix: str) -> None:
            for entry in folder.iterdir():
                if entry.is_dir():
                    walk(entry, f"{prefix}{entry.name}/")
                elif entry.name.endswith(".cypher"):
                    found[prefix + entry.name.removesuffix(".cypher")] = entry.read_text("utf-8").strip()

        walk(root, "")
        return cls(found)

    def __getitem__(self, name: str) -> str:
        try:
            return self._statements[name]
        except KeyError:
            raise MissingStatement(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._statements)

    def __len__(self) -> int:
        return len(self._statements)

    def under(self, folder: str) -> list[str]:
        """Names of the statements in ``folder`` (e.g. ``schema``), sorted."""
        return sorted(name for name in self._statements if name.startswith(folder.rstrip("/") + "/"))


@lru_cache(maxsize=1)
def registry() -> CypherRegistry:
    """The registry of the installed ``cypher/`` folder, read once per process."""
    return CypherRegistry.load(files("graphsvc.cypher"))


def statement(name: str) -> str:
    """The text of one statement (a file's, or a composed one's); raises :class:`MissingStatement` when none."""
    text = _composed.get(name)
    return text if text is not None else registry()[name]


@cache
def fragment(name: str) -> str:
    """The text of the fragment ``cypher/<name>.part`` without its ``//`` comment lines."""
    try:
        text = files("graphsvc.cypher").joinpath(f"{name}.part").read_text("utf-8")
    except FileNotFoundError:
        raise MissingStatement(name) from None
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//")).strip()


_composed: dict[str, str] = {}
_SLOT = re.compile(r"\{\{(\w+)\}\}")


def compose(name: str, skeleton: str, **slots: str) -> str:
    """Register the statement ``name``: fragment ``skeleton`` with each ``{{slot}}`` replaced; returns ``name``.

    A slot's value is Cypher text from code (fragments and vetted literals), never input. Every
    slot of the skeleton must be given and no other; a name is registered once (the same text
    again is accepted: modules may be reloaded), and never shadows a file's.
    """
    text = fragment(skeleton)
    wanted = set(_SLOT.findall(text))
    if wanted != set(slots):
        raise ValueError(f"{skeleton} has the slots {sorted(wanted)}, given {sorted(slots)}")
    text = _SLOT.sub(lambda match: slots[match.group(1)], text)
    if name in registry() or _composed.get(name, text) != text:
        raise ValueError(f"statement {name!r} is already defined")
    _composed[name] = text
    return name


def composed() -> dict[str, str]:
    """Every composed statement registered so far, by name."""
    return dict(_composed)
