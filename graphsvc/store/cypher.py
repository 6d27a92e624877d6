"""The Cypher registry: every statement graphsvc runs, loaded once from ``cypher/``.

A statement is named by its path under ``cypher/`` without the ``.cypher`` suffix, e.g.
``ingest/accounts``. Modules bind the statements they use at import time with
:func:`statement`, so a missing or renamed file fails start-up instead of a request.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from types import MappingProxyType

__all__ = ["CypherRegistry", "MissingStatement", "registry", "statement"]


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
    """The text of one statement; raises :class:`MissingStatement` when there is no such file."""
    return registry()[name]
