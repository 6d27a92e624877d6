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
from suite.common import DATA_ROOT, Scale, now_iso

__all__ = ["Dataset", "ensure_dataset", "settings_for", "working_copy"]

log = logging.getLogger(__name__)

# Bump when the build changes in a way that makes older databases incomparable.
BUILD_VERSION = 1
IMPORT_BATCH_SIZE = 5000  # graphsvc's default (GRAPHSVC_IMPORT_BATCH_SIZE)


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


def settings_for(data_dir: Path, heap: str) -> Settings:
    """Settings for the embedded database in ``data_dir``, whatever the environment says."""
    return Settings(data_dir=data_dir, embedded_heap=heap, neo4j_uri=None, sla_sweep_seconds=0)


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
    """The built data set of ``scale`` and ``seed``, building it when missing, stale or asked to."""
    root = DATA_ROOT / f"{scale.name}-seed{seed}"
    manifest_path = root / "manifest.json"
    wanted = _wanted(scale, seed, heap)
    if not rebuild and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("complete") and all(manifest.get(key) == value for key, value in wanted.items()):
            log.info("reusing %s (built %s)", root, manifest["built_at"])
            return Dataset(root, manifest)
        log.info("%s does not match this scale, seed and heap: rebuilding", root)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    manifest = {**wanted, "complete": False, "built_at": now_iso()}
    dataset = Dataset(root, manifest)

    started = time.perf_counter()
    manifest["generated_rows"] = generate(dataset.csv_dir, seed=seed, **scale.generate_arguments())
    manifest["generate_s"] = round(time.perf_counter() - started, 2)
    log.info("generated %s in %.0f s", manifest["generated_rows"], manifest["generate_s"])
    manifest.update(asyncio.run(_import_and_recompute(dataset, heap)))
    manifest["complete"] = True
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return dataset


async def _import_and_recompute(dataset: Dataset, heap: str) -> dict[str, Any]:
    """Import every CSV file (timed per kind), then recompute once (timed per phase)."""
    figures: dict[str, Any] = {"import": {}}
    async with open_store(settings_for(dataset.db_dir, heap)) as db:
        importer = Importer(db, IMPORT_BATCH_SIZE)
        for kind in KINDS:  # dependency order
            path = dataset.csv_dir / f"{kind}.csv"
            started = time.perf_counter()
            report = await importer.import_file(path, kind)
            seconds = time.perf_counter() - started
            figures["import"][kind] = {
                "rows": report.imported,
                "failed": report.failed,
                "seconds": round(seconds, 2),
                "rows_per_s": round(report.imported / seconds, 1) if seconds else None,
            }
            log.info("imported %s: %s", kind, figures["import"][kind])
        started = time.perf_counter()
        report = await recompute_graph(db)
        figures["initial_recompute"] = {
            "seconds": round(time.perf_counter() - started, 2),
            "phases_s": report.seconds,
            "accounts": report.accounts,
            "persons": report.persons,
            "engagements": report.engagements,
        }
    return figures


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
