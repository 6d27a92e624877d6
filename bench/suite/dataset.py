"""Benchmark data sets: generated CSV imported once into an embedded database under ``bench/.data/``.

Building M takes minutes (the import), so a built database is kept in
``bench/.data/<scale>-seed<seed>/`` with a ``manifest.json`` naming the scale, seed and generator
arguments it was built from and the import's own figures; a later run reuses it when they match
(``--rebuild`` forces a new build). The build is the import measurement: rows per second per kind,
then one whole-graph recompute so stored scores and account stages exist, as after
``graphsvc serve --demo``.

Measures that write (routing, incremental engagements, recompute) run on a copy of the built
database (:func:`working_copy`), so every run starts from the same graph.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphsvc.config import Settings
from graphsvc.datagen import generate
from graphsvc.ingest.importer import Importer
from graphsvc.ingest.records import KINDS
from graphsvc.scores.recompute import recompute_graph
from graphsvc.store import open_store
from suite.common import DATA_ROOT, Scale, StatementTimer, now_iso

__all__ = ["Dataset", "ensure_dataset", "settings_for", "working_copy"]

log = logging.getLogger(__name__)

# Bump when the build changes in a way that makes older databases incomparable.
BUILD_VERSION = 1
IMPORT_BATCH_SIZE = 5000  # graphsvc's default (GRAPHSVC_IMPORT_BATCH_SIZE)
# Whole-graph reads at M take longer than graphsvc's default 30 s per statement on this machine.
LONG_DB_TIMEOUT = 1800.0


@dataclass(frozen=True)
class Dataset:
    """A built data set: its CSV files, its database directory and what the build measured."""

    root: Path
    manifest: dict[str, Any]

    @property
    def csv_dir(self) -> Path:
        return self.root / "csv"

    @property
    def db_dir(self) -> Path:
        return self.root / "db"


def settings_for(data_dir: Path, heap: str, db_timeout: float = 30.0) -> Settings:
    """Settings for the embedded database in ``data_dir``, whatever the environment says.

    ``db_timeout`` is graphsvc's default (30 s) unless a measure needs to see how long a
    statement takes beyond it.
    """
    return Settings(data_dir=data_dir, embedded_heap=heap, neo4j_uri=None, sla_sweep_seconds=0, db_timeout=db_timeout)


def _wanted(scale: Scale, seed: int, heap: str) -> dict[str, Any]:
    return {
        "build_version": BUILD_VERSION,
        "scale": scale.name,
        "seed": seed,
        "generate": scale.generate_arguments(),
        "heap": heap,
        "import_batch_size": IMPORT_BATCH_SIZE,
    }


def ensure_dataset(scale: Scale, seed: int, heap: str, rebuild: bool = False) -> Dataset:
    """The built data set of ``scale`` and ``seed``, building it when missing, stale or asked to.

    The manifest is written after the import and again after the recompute, so a build stopped
    during the recompute resumes there instead of importing again.
    """
    root = DATA_ROOT / f"{scale.name}-seed{seed}"
    manifest_path = root / "manifest.json"
    wanted = _wanted(scale, seed, heap)
    manifest: dict[str, Any] | None = None
    if not rebuild and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if not all(manifest.get(key) == value for key, value in wanted.items()):
            log.info("%s does not match this scale, seed and heap: rebuilding", root)
            manifest = None
        elif manifest.get("complete"):
            log.info("reusing %s (built %s)", root, manifest["built_at"])
            return Dataset(root, manifest)
    if manifest is None or not manifest.get("imported"):
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        manifest = {**wanted, "complete": False, "imported": False, "built_at": now_iso()}
        dataset = Dataset(root, manifest)
        started = time.perf_counter()
        manifest["generated_rows"] = generate(dataset.csv_dir, seed=seed, **scale.generate_arguments())
        manifest["generate_s"] = round(time.perf_counter() - started, 2)
        log.info("generated %s in %.0f s", manifest["generated_rows"], manifest["generate_s"])
        manifest["import"] = asyncio.run(_import(dataset, heap))
        manifest["imported"] = True
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    dataset = Dataset(root, manifest)
    manifest["initial_recompute"] = asyncio.run(_recompute(dataset, heap))
    manifest["complete"] = True
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return dataset


async def _import(dataset: Dataset, heap: str) -> dict[str, Any]:
    """Import every CSV file in dependency order, timed per kind."""
    figures: dict[str, Any] = {}
    async with open_store(settings_for(dataset.db_dir, heap)) as db:
        importer = Importer(db, IMPORT_BATCH_SIZE)
        for kind in KINDS:
            started = time.perf_counter()
            report = await importer.import_file(dataset.csv_dir / f"{kind}.csv", kind)
            seconds = time.perf_counter() - started
            figures[kind] = {
                "rows": report.imported,
                "failed": report.failed,
                "seconds": round(seconds, 2),
                "rows_per_s": round(report.imported / seconds, 1) if seconds else None,
            }
            log.info("imported %s: %s", kind, figures[kind])
    return figures


async def _recompute(dataset: Dataset, heap: str) -> dict[str, Any]:
    """One whole-graph recompute, so stored scores and stages exist; a long timeout, as it reads everything."""
    async with open_store(settings_for(dataset.db_dir, heap, db_timeout=LONG_DB_TIMEOUT)) as db:
        with StatementTimer() as timer:
            started = time.perf_counter()
            report = await recompute_graph(db)
            seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "phases_s": report.seconds,
        "slowest_statements_s": timer.slowest(),
        "accounts": report.accounts,
        "persons": report.persons,
        "engagements": report.engagements,
    }


def working_copy(dataset: Dataset, name: str) -> Path:
    """A fresh copy of the built database for measures that write; replaced on every call."""
    target = DATA_ROOT / "work" / f"{dataset.root.name}-{name}"
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The lock, pid file and log belong to the server that ran on the original.
    shutil.copytree(
        dataset.db_dir, target, ignore=shutil.ignore_patterns("graphsvc.lock", "server.json", "arcadedb.log")
    )
    return target
