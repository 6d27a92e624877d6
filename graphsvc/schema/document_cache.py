"""Parsed and validated GraphQL documents, cached per schema so a repeated request skips both steps.

Clients send the same few documents over and over with different variables; parsing and
validating one costs more CPU than many resolvers (a quarter of a ``routeLead`` request before
this cache). :class:`DocumentCache` keeps, per query text, the parsed document that PASSED
validation, in a bounded LRU.

What keeps it safe:

- only passes are kept: a document refused by parsing (token limit), by the field limit
  (:class:`~graphsvc.schema.limits.MaxFieldsLimiter`) or by validation (depth, aliases, unknown
  fields, fragment cycles) is never stored, so it is refused again, in full, on every request;
- the key is the query text with the parse options (``max_tokens``) and the exact validation rules
  of the request, so a document validated under other limits is never taken for one that passed
  these; the schema's rule classes are built once (see :func:`graphsvc.schema.create_schema`),
  otherwise every request would miss;
- validation of a document depends only on the document, the schema and the rules (variables and
  the operation name are checked at execution), so a pass stays a pass;
- bounded: at most ``maxsize`` documents, none longer than ``max_query_chars`` (a long document is
  parsed and validated every time, as without the cache).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Iterator

from graphql import DocumentNode
from strawberry.extensions import SchemaExtension

__all__ = ["CachedDocuments", "DocumentCache"]


MAX_QUERY_CHARS = 8192  # longer query texts are never kept, here or with their answers


class DocumentCache:
    """A bounded LRU of validated documents by key (query text, parse options, validation rules).

    Parameters
    ----------
    maxsize
        Most documents kept; the least recently used one goes first.
    max_query_chars
        Longer query texts are never kept (they bound the memory one entry can take).
    """

    def __init__(self, maxsize: int = 128, max_query_chars: int = MAX_QUERY_CHARS) -> None:
        self.maxsize = maxsize
        self.max_query_chars = max_query_chars
        self._documents: OrderedDict[Hashable, DocumentNode] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._documents)

    def get(self, key: Hashable) -> DocumentNode | None:
        """The validated document stored under ``key``, or None."""
        document = self._documents.get(key)
        if document is None:
            self.misses += 1
            return None
        self._documents.move_to_end(key)
        self.hits += 1
        return document

    def put(self, key: Hashable, query: str, document: DocumentNode) -> None:
        """Keep ``document``, which passed validation, unless its ``query`` text is too long."""
        if len(query) > self.max_query_chars:
            return
        self._documents[key] = document
        self._documents.move_to_end(key)
        while len(self._documents) > self.maxsize:
            self._documents.popitem(last=False)


class CachedDocuments(SchemaExtension):
    """Serves a repeated document from a :class:`DocumentCache`, skipping parsing and validation.

    Install it after the extensions that set parse options or add validation rules (their
    ``on_operation`` runs first) and before :class:`~graphsvc.schema.limits.MaxFieldsLimiter`:
    on a hit it marks the document validated, which makes the field limit and strawberry's own
    validation skip a document that already passed both.
    """

    def __init__(self, cache: DocumentCache) -> None:
        self.cache = cache
        self._key: Hashable = None
        self._hit = False

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query and context.graphql_document is None:
            self._key = (context.query, tuple(sorted(context.parse_options.items())), context.validation_rules)
            document = self.cache.get(self._key)
            if document is not None:
                context.graphql_document = document
                self._hit = True
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if self._hit:
            context.pre_execution_errors = []  # passed validation, under these very rules, before
        yield
        # An empty list (not None) means strawberry's validation ran and found nothing; refusals
        # (field limit, validation errors) leave a non-empty list and are never stored.
        if (
            not self._hit
            and self._key is not None
            and context.pre_execution_errors == []
            and context.graphql_document is not None
        ):
            self.cache.put(self._key, context.query, context.graphql_document)
