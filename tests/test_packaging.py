"""The wheel carries the whole service: every package, every Cypher statement, the seeds."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_holds_every_package_statement_and_seed(tmp_path):
    # Built from a copy without earlier build output: setuptools reuses an in-tree build/ folder,
    # whose stale files would hide a file missing from package-data.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "node_modules", ".data")
    )
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        text=True,
    )
    # setuptools announces deprecations (e.g. the license table, unlisted data packages) as
    # warnings that turn into build failures later; the build must raise none.
    warnings = [line for line in build.stderr.splitlines() + build.stdout.splitlines() if "Warning:" in line]
    assert [line for line in warnings if "Editable" not in line] == []
    (wheel,) = tmp_path.glob("graphsvc-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    packages = {path.parent.relative_to(ROOT).as_posix() for path in (ROOT / "graphsvc").rglob("__init__.py")}
    missing = sorted(package for package in packages if f"{package}/__init__.py" not in names)
    assert missing == [], f"packages left out of the wheel (add them to pyproject.toml): {missing}"

    statements = {
        f"graphsvc/cypher/{path.relative_to(ROOT / 'cypher').as_posix()}"
        for path in (ROOT / "cypher").rglob("*.cypher")
    }
    assert statements and statements <= names, sorted(statements - names)[:5]
    seeds = {
        f"graphsvc/seeds/{path.relative_to(ROOT / 'seeds').as_posix()}"
        for path in (ROOT / "seeds").rglob("*")
        if path.suffix in (".yaml", ".csv")
    }
    assert seeds and seeds <= names, sorted(seeds - names)[:5]
    assert "graphsvc/schema/contract.graphql" in names
    assert "graphsvc/data/freemail_domains.txt" in names
    # The dashboard and the GraphiQL page, with the browser builds they load (no internet at run time).
    web = {path.relative_to(ROOT).as_posix() for path in (ROOT / "graphsvc/web/static").rglob("*") if path.is_file()}
    web |= {"graphsvc/web/graphiql.html", "graphsvc/web/static/vendor/graphiql/graphiql.min.js"}
    assert web <= names, sorted(web - names)[:5]
