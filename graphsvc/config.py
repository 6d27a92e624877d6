"""graphsvc's configuration: one ``Settings`` object read from ``GRAPHSVC_*`` environment variables.

When ``GRAPHSVC_NEO4J_URI`` is unset graphsvc runs its embedded default: an ArcadeDB server it
starts itself on a loopback port, with its files under ``GRAPHSVC_DATA_DIR``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "default_workers", "get_settings"]


def default_workers() -> int:
    """The cores this process may run on, at most 4: a worker is one Python process, which executes GraphQL on
    one core at a time, and each one more holds its own memory and database connections."""
    return max(1, min(len(os.sched_getaffinity(0)), 4))


class Settings(BaseSettings):
    """Every setting graphsvc reads; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="GRAPHSVC_", env_file=".env", extra="ignore")

    neo4j_uri: str | None = Field(
        default=None,
        description="Bolt URI of a Neo4j 5 server or cluster (neo4j:// or bolt://); unset = embedded.",
    )
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str = "neo4j"

    data_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("graphsvc", appauthor=False)),
        description="Where the embedded database keeps its files.",
    )
    embedded_heap: str = Field(default="2g", description="Java heap (-Xmx) of the embedded server.")
    embedded_start_timeout: float = Field(default=60.0, gt=0)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(
        default_factory=default_workers,
        ge=1,
        le=64,
        description="Worker processes of serve behind its one port; default the cores available, at most 4.",
    )

    sla_sweep_seconds: float = Field(
        default=60.0, ge=0, description="How often serve escalates overdue routing decisions; 0 turns it off."
    )
    relay_seconds: float = Field(
        default=1.0,
        ge=0,
        description="How often serve looks for routing decisions other instances stored, for subscribers; 0 "
        "turns it off (one instance only).",
    )
    webhook_poll_seconds: float = Field(
        default=1.0, ge=0, description="How often serve looks for webhook deliveries due; 0 turns delivery off."
    )
    webhook_timeout_seconds: float = Field(
        default=5.0, gt=0, le=60, description="Seconds one webhook delivery may take before it counts as failed."
    )
    webhook_retry_base_seconds: float = Field(
        default=10.0, gt=0, description="Wait after a delivery's first failure; it doubles after each further one."
    )
    webhook_retry_max_delay_seconds: float = Field(
        default=3600.0, gt=0, description="Longest wait between two attempts of a delivery."
    )
    webhook_retry_seconds: float = Field(
        default=86_400.0, ge=0, description="How long a failing delivery is retried before it is FAILED."
    )
    webhook_allow_private: bool = Field(
        default=False,
        description="Allow webhook targets at private, loopback and link-local addresses (tests, closed networks).",
    )
    import_batch_size: int = Field(default=5000, ge=1, le=50_000)
    db_timeout: float = Field(default=30.0, gt=0, description="Seconds a database call may take.")
    max_query_cost: int = Field(
        default=20_000, ge=1, description="Largest static cost of a GraphQL operation (ApiLimits.max_query_cost)."
    )
    request_seconds: float = Field(
        default=30.0, ge=0, description="Deadline of one GraphQL request in seconds; 0: none (ApiLimits)."
    )
    answers_kept: int = Field(
        default=1024,
        ge=0,
        description="Answers of timeless queries each serve process keeps per data version (graphsvc.schema.answers);"
        " 0 keeps none.",
    )

    api_keys: SecretStr = Field(
        default=SecretStr(""),
        description=(
            'API keys of the GraphQL API as a JSON object, e.g. {"<key>": {"role": "REP", "user_id": "usr-0001"}}; '
            "empty = open as ADMIN on loopback only. Parsed and checked by graphsvc.auth."
        ),
    )

    cors_origins: list[str] = Field(
        default_factory=list,
        description='Origins (e.g. ["https://crm.example.com"]) whose pages may call the API from a browser; '
        "empty = none (same-origin only).",
    )
    rate_limit_per_second: float = Field(
        default=300.0,
        ge=0,
        description="Requests per second each API key (in open mode, each client address) may send to /graphql, "
        "on average; 0 turns rate limiting off.",
    )
    rate_limit_burst: int = Field(
        default=600, ge=1, description="Requests a key may send at once before the per-second rate applies."
    )
    max_header_bytes: int = Field(
        default=32 * 1024, ge=1024, description="Largest request line and headers serve accepts (431 beyond)."
    )
    request_read_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Seconds serve waits for a whole request (headers and body) to arrive before closing the "
        "connection.",
    )

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def embedded(self) -> bool:
        """True when graphsvc runs (or attaches to) its own ArcadeDB server."""
        return not self.neo4j_uri


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
