"""``graphsvc serve`` as an operator runs it: keys from the environment, refusal to run open on a network."""

import json
import os
import subprocess
import sys

import httpx
import pytest
from conftest import ServeProcess

pytestmark = pytest.mark.db

KEY = "serve-test-admin-key-000"


def test_serve_reads_keys_from_the_environment(tmp_path):
    keys = json.dumps({KEY: {"role": "STRATEGIST", "name": "dashboard"}})
    server = ServeProcess(tmp_path / "data", env={"GRAPHSVC_API_KEYS": keys})
    try:
        server.wait_ready()
        query = {"query": "{ accounts { totalCount } }"}
        assert httpx.post(f"{server.url}/graphql", json=query, timeout=30).status_code == 401
        answer = httpx.post(f"{server.url}/graphql", json=query, headers={"Authorization": f"Bearer {KEY}"}, timeout=30)
        assert answer.json() == {"data": {"accounts": {"totalCount": 0}}}
        assert "graphsvc_graphql_operations_total" in httpx.get(f"{server.url}/metrics", timeout=30).text
    finally:
        assert server.stop()
    assert KEY not in server.log.read_text()


def test_serve_refuses_to_run_open_on_a_network_host(tmp_path):
    environment = {"GRAPHSVC_HOST": "0.0.0.0", "GRAPHSVC_API_KEYS": "", "GRAPHSVC_DATA_DIR": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", "graphsvc", "serve"],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert "refusing to serve the API on 0.0.0.0 without API keys" in run.stderr
