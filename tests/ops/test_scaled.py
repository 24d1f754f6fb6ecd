"""The scaled launch (ops/scaled.py): N Rasa servers on one shared tracker store and lock store, each with
its action server, and a hub that knows them all."""

from __future__ import annotations

from pathlib import Path

import yaml

from ops.scaled import rasa_endpoints, scaled_services

DATABASE = "postgresql://postgres:secret@db.internal:5433/shop"
REDIS = "redis://cache.internal:6380/2"


def test_every_rasa_server_shares_the_tracker_store_and_the_lock_store(tmp_path: Path) -> None:
    first = yaml.safe_load(
        rasa_endpoints(
            data_dir=tmp_path,
            index=0,
            action_url="http://127.0.0.1:6001/webhook",
            database=DATABASE,
            redis=REDIS,
        ).read_text()
    )
    second = yaml.safe_load(
        rasa_endpoints(
            data_dir=tmp_path,
            index=1,
            action_url="http://127.0.0.1:6002/webhook",
            database=DATABASE,
            redis=REDIS,
        ).read_text()
    )
    assert (
        first["tracker_store"]
        == second["tracker_store"]
        == {
            "type": "SQL",
            "dialect": "postgresql",
            "url": "db.internal",
            "port": 5433,
            "db": "shop_rasa",
            "login_db": "shop",
            "username": "postgres",
            "password": "secret",
        }
    )
    assert first["lock_store"] == second["lock_store"]
    assert first["lock_store"]["type"] == "redis" and first["lock_store"]["db"] == 2
    assert first["action_endpoint"]["url"] != second["action_endpoint"]["url"]


def test_the_hub_gets_every_rasa_server_and_runs_split_on_postgresql_and_redis(tmp_path: Path) -> None:
    services = scaled_services(
        model_path=tmp_path / "model.tar.gz",
        data_dir=tmp_path,
        rasa=3,
        workers=2,
        web_processes=2,
        database=DATABASE,
        redis=REDIS,
        hub_port=18000,
    )
    names = [s.name for s in services]
    assert sorted(n for n in names if n.startswith("rasa-")) == ["rasa-0", "rasa-1", "rasa-2"]
    assert len([n for n in names if n.startswith("action-server-")]) == 3
    assert len([n for n in names if n.startswith("worker-")]) == 2
    hub = next(s for s in services if s.name == "hub")
    rasa_ports = {s.argv[s.argv.index("--port") + 1] for s in services if s.name.startswith("rasa-")}
    assert {url.rsplit(":", 1)[1] for url in hub.env["RASA_URL"].split(",")} == rasa_ports
    assert hub.env["HUB_RUN_WORKER"] == "false" and hub.env["HUB_WEB_PROCESSES"] == "2"
    assert hub.env["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert hub.env["JOBS_URL"] == hub.env["BROADCAST_URL"] == REDIS
    assert hub.env["RASA_TRACKER_STORE_URL"].endswith("/shop_rasa")
    tokens = {s.env["RASA_TOKEN"] for s in services}
    assert len(tokens) == 1  # the hub can read every server's trackers
    for rasa in (s for s in services if s.name.startswith("rasa-")):
        assert rasa.argv[rasa.argv.index("--interface") + 1] == "127.0.0.1"
