"""The API's limits: page sizes, query shape and request size, in one place."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "ApiLimits"]


@dataclass(frozen=True)
class ApiLimits:
    """Bounds that keep one request from monopolising the service.

    Parameters
    ----------
    default_page_size
        Items per page when a connection's ``first`` is omitted.
    max_page_size
        Largest ``first`` served; larger values are capped to it (not refused).
    max_depth
        Deepest selection set a query may nest (``QueryDepthLimiter``).
    max_tokens
        Most tokens a GraphQL document may hold (``MaxTokensLimiter``); parsing stops beyond it.
    max_aliases
        Most aliases in one document (``MaxAliasesLimiter``), so one request cannot ask for the same
        expensive field hundreds of times.
    max_body_bytes
        Largest request body; larger ones get HTTP 413 before they are parsed.
    """

    default_page_size: int = 20
    max_page_size: int = 100
    max_depth: int = 12
    max_tokens: int = 5000
    max_aliases: int = 30
    max_body_bytes: int = 1024 * 1024


DEFAULT_LIMITS = ApiLimits()
