"""HallQ's one entry point and composition root.

    python run.py                      serve the demo hall on 127.0.0.1:8000 (SQLite under ./data)
    python run.py serve --config hall.toml --db postgresql://… --workers 4

Every command accepts --config FILE and --db URL. This module wires the rooms
(displays, counters, hardware, reports) into queue_server's app factory.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from starlette.applications import Starlette

from queue_server.app import create_app
from queue_server.config import Config, ConfigError, demo_config, load_config
from queue_server.plugins import Plugin
from queue_server.service import QueueService
from queue_server.storage import open_store

DEFAULT_DB = "sqlite:///data/hallq.db"
ENV_CONFIG = "HALLQ_CONFIG"
ENV_DB = "HALLQ_DB"

log = logging.getLogger("hallq")


def read_config(path: str | None) -> Config:
    return load_config(path) if path else demo_config()


def plugins() -> list[Plugin]:
    """The rooms that plug into the server; each later issue adds its own."""
    return []


def build_app() -> Starlette:
    """Uvicorn's factory (also used by worker processes): settings come from the environment."""
    config = read_config(os.environ.get(ENV_CONFIG) or None)
    store = open_store(os.environ.get(ENV_DB) or DEFAULT_DB, migrate=False)
    service = QueueService(store, config)
    return create_app(service, plugins())


def prepare(config: Config, db: str) -> None:
    """Migrate the schema and sync the halls once, before any worker starts."""
    store = open_store(db)
    try:
        store.sync_halls(config)
    finally:
        store.close()


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    config = read_config(args.config)
    prepare(config, args.db)
    os.environ[ENV_DB] = args.db
    if args.config:
        os.environ[ENV_CONFIG] = os.path.abspath(args.config)
    else:
        os.environ.pop(ENV_CONFIG, None)
    halls = ", ".join(f"{h.slug} ({h.name_zh})" for h in config.halls)
    print(f"HallQ serving {halls} at http://{args.host}:{args.port}/  database: {args.db}", flush=True)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    uvicorn.run(
        "run:build_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
    )
    return 0


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", help="hall configuration (TOML); default: the built-in demo hall")
    common.add_argument("--db", metavar="URL", default=os.environ.get(ENV_DB, DEFAULT_DB), help="database URL")

    p = argparse.ArgumentParser(prog="run.py", description="HallQ — 政务服务大厅排队叫号系统", parents=[common])
    sub = p.add_subparsers(dest="command")
    serve = sub.add_parser("serve", parents=[common], help="serve the halls (default)")
    for target in (p, serve):
        target.add_argument("--host", default="127.0.0.1")
        target.add_argument("--port", type=int, default=8000)
        target.add_argument("--workers", type=int, default=1, help="server processes (PostgreSQL for more than 1)")
        target.add_argument("--log-level", default="info")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return cmd_serve(args)
    except ConfigError as exc:
        print(f"配置错误 / configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
