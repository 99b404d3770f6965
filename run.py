"""HallQ's one entry point and composition root.

    hallq                              serve the demo hall on 127.0.0.1:8000 (SQLite under ./data)
    hallq serve --config hall.toml --db postgresql://… --workers 4
    hallq user add NAME --role clerk|manager|city|admin [--hall SLUG]   (password on stdin)
    hallq user unlock NAME     clear the account's sign-in throttle
    hallq token add --kind display|kiosk|agent --hall SLUG [--label TEXT]
    hallq token list [--hall SLUG]  |  hallq token revoke ID
    hallq --simulate-devices   the demo hall wired to virtual serial devices on ptys
    hallq --demo-roster        each hall gets a published roster of this month at start (make run)
    hallq --demo-city          the built-in demo city (a city centre, two counties, three townships)
    hallq agent --server URL --token T   drive a hall's serial devices from the hall PC

(``hallq`` is the console script that ``make run`` installs as .venv/bin/hallq; ``python run.py``
runs the same.) Every command accepts --config FILE and --db URL. This module wires the rooms
(displays, counters, hardware, reports) into queue_server's app factory.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shlex
import sys
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette

from hardware.config import Mode, check_all
from queue_server.api.context import ApiContext
from queue_server.app import create_app
from queue_server.auth.redact import RedactSecrets
from queue_server.auth.service import AuthService
from queue_server.commands.gate import Actor, Gate
from queue_server.commands.staff_accounts import StaffAccounts
from queue_server.config import Config, ConfigError, demo_city_path, demo_config, load_config
from queue_server.errors import HallQError
from queue_server.plugins import Plugin
from queue_server.principal import DeviceKind, Principal, Role
from queue_server.realtime import UVICORN_WS, Hub, bus_for, realtime_plugin
from queue_server.service import QueueService
from queue_server.staffing import Skill
from queue_server.storage import open_store

if TYPE_CHECKING:
    from hardware.sim.demo import SimulatedHall

DEFAULT_DB = "sqlite:///data/hallq.db"
ENV_CONFIG = "HALLQ_CONFIG"
ENV_DB = "HALLQ_DB"
ENV_DEMO_TRAFFIC = "HALLQ_DEMO_TRAFFIC"  # speed factor of simulated demo traffic (unset: none)
ENV_DEMO_ROSTER = "HALLQ_DEMO_ROSTER"  # set: publish each hall's month roster at start when it has none
ENV_SIMULATE = "HALLQ_SIMULATE_DEVICES"  # a directory: wire the halls to virtual serial devices there
ENV_PUBLIC_URL = "HALLQ_PUBLIC_URL"  # how visitors reach the server (printed on ticket slips)
SIMULATION_DIR = "data/devices"

log = logging.getLogger("hallq")


def cli() -> str:
    """This CLI as a command that works when pasted into a shell in the current directory:
    the ``hallq`` script of the environment running us, or this interpreter with run.py."""
    script = Path(sys.prefix) / "bin" / "hallq"
    if script.exists():
        return shlex.quote(_near(script))
    return f"{shlex.quote(_near(Path(sys.executable)))} {shlex.quote(_near(Path(__file__)))}"


def _near(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it (``.venv/bin/hallq``), else absolute."""
    absolute = path.absolute()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def cli_for_server() -> str:
    """The command line for this server's own halls and database (the landing page prints it)."""
    command = cli()
    if os.environ.get(ENV_CONFIG):
        command += f" --config {shlex.quote(os.environ[ENV_CONFIG])}"
    db = os.environ.get(ENV_DB) or DEFAULT_DB
    if db != DEFAULT_DB:
        command += f" --db {shlex.quote(db)}"
    return command


def read_config(path: str | None) -> Config:
    return load_config(path) if path else demo_config()


def plugins(
    service: QueueService, api: ApiContext, hub: Hub, simulated: dict[str, SimulatedHall] | None = None
) -> list[Plugin]:
    """The rooms that plug into the server; each later issue adds its own."""
    import counters
    import displays
    import hardware
    import reports

    demo = float(os.environ.get(ENV_DEMO_TRAFFIC) or 0) or None
    devices = check_all(service.config.halls, service.config.source)
    base_url = os.environ.get(ENV_PUBLIC_URL) or "http://127.0.0.1:8000"
    return [
        displays.plugin(service, api),
        counters.plugin(service, api),
        reports.plugin(service, api, demo, demo_roster=bool(os.environ.get(ENV_DEMO_ROSTER))),
        hardware.plugin(api, hub, devices, base_url, simulated=simulated),
    ]


def simulated_config(config: Config, directory: str) -> tuple[Config, dict[str, SimulatedHall]]:
    """``config`` with every hall's devices replaced by virtual ones on ptys under ``directory``."""
    from hardware.sim.demo import simulate

    sims = {h.slug: simulate(h, directory) for h in config.halls}
    halls = tuple(replace(h, hardware=sims[h.slug].hardware) for h in config.halls)
    return replace(config, halls=halls), sims


def build_app() -> Starlette:
    """Uvicorn's factory (also used by worker processes): settings come from the environment."""
    config = read_config(os.environ.get(ENV_CONFIG) or None)
    sims: dict[str, SimulatedHall] | None = None
    if os.environ.get(ENV_SIMULATE):
        config, sims = simulated_config(config, os.environ[ENV_SIMULATE])
    store = open_store(os.environ.get(ENV_DB) or DEFAULT_DB, migrate=False)
    service = QueueService(store, config)
    auth = AuthService(store.accounts, clock=service.clock)
    # Each server process has its own hub; on PostgreSQL its bus hears the other processes' commits.
    hub = Hub(service, bus_for(store.url))
    api = ApiContext(service, auth)
    realtime = realtime_plugin(hub, api.authenticate)
    return create_app(service, [realtime, *plugins(service, api, hub, sims)], api=api, cli=cli_for_server())


def prepare(config: Config, db: str) -> None:
    """Migrate the schema and sync the halls once, before any worker starts."""
    store = open_store(db)
    try:
        store.sync_halls(config)
        if store.accounts.count_users() == 0:
            # Never a default password: say how to make the first account.
            print(
                "还没有工作人员账号。创建管理员 / No staff accounts yet. Create an administrator with:\n"
                f"    {cli()} user add admin --role admin --db {shlex.quote(db)}\n"
                "(the password is read from standard input)",
                flush=True,
            )
    finally:
        store.close()


# Who the audit log names for what an operator does at the console.
CLI_ACTOR = Actor(Principal(name="cli", role=Role.ADMIN))


def open_for_command(args: argparse.Namespace) -> tuple[Config, AuthService, Gate]:
    """The hall file, the accounts and the command gate (which audits) of the ``--db``."""
    config = read_config(args.config)
    store = open_store(args.db)
    store.sync_halls(config)
    auth = AuthService(store.accounts)
    return config, auth, Gate(QueueService(store, config), auth)


def check_hall(config: Config, slug: str | None) -> None:
    if slug is not None and config.hall(slug) is None:
        known = ", ".join(h.slug for h in config.halls)
        raise SystemExit(f"没有这个大厅 / unknown hall {slug!r} (halls: {known})")


def cmd_user_add(args: argparse.Namespace) -> int:
    config, auth, gate = open_for_command(args)
    check_hall(config, args.hall)
    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass("密码 / password: ")
        if getpass.getpass("再输一次 / again: ") != password:
            print("两次输入不一致 / the passwords differ", file=sys.stderr)
            return 2
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    # A clerk account joins its hall's staff registry (or is linked to the member there).
    link = StaffAccounts(gate.service, auth)
    try:
        made = gate.perform(
            CLI_ACTOR, args.hall, "account.create", args.name,
            link.create_account, args.name, password, Role(args.role), args.hall, args.display_name or "", "cli",
        )  # fmt: skip
    except (HallQError, ValueError) as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 2
    user = made.user
    if made.staff is not None:
        gate.record(CLI_ACTOR, "staff.create", "ok", user.hall, f"staff {user.username}", {"with": "account.create"})
    print(f"created {user.role.value} {user.username}" + (f" for hall {user.hall}" if user.hall else " (all halls)"))
    if made.staff is not None:
        print(f"已加入大厅 {user.hall} 的工作人员名单 / on the staff of hall {user.hall} now (no skills on record yet)")
    elif made.linked:
        print(f"已关联大厅 {user.hall} 的工作人员 / linked to {user.username} on the staff of hall {user.hall}")
    return 0


def cmd_user_unlock(args: argparse.Namespace) -> int:
    _, auth, gate = open_for_command(args)
    user = auth.accounts.user_by_name(args.name)
    try:
        cleared = gate.perform(
            CLI_ACTOR, user.hall if user else None, "account.unlock", args.name, auth.unlock, args.name, None
        )
    except HallQError as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 2
    print(f"unlocked {args.name}: the sign-in throttle of {cleared} address(es) cleared")
    return 0


def cmd_user(args: argparse.Namespace) -> int:
    return cmd_user_unlock(args) if args.action == "unlock" else cmd_user_add(args)


def skills_arg(text: str) -> tuple[Skill, ...]:
    """``A,B:1.5,H:0.8``: service codes, each with an optional proficiency weight."""
    out = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        code, _, weight = part.partition(":")
        try:
            out.append(Skill(code.strip(), float(weight) if weight else 1.0))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"技能 {part!r} 的权重不是数字 / skill {part!r}: weight is not a number"
            ) from None
    return tuple(out)


def cmd_staff(args: argparse.Namespace) -> int:
    """The staff registry from the console: list, add (with a clerk account), change, deactivate."""
    config, auth, gate = open_for_command(args)
    check_hall(config, args.hall)
    service = gate.service
    try:
        if args.action == "list":
            for m in service.staff(args.hall):
                skills = ",".join(s.service + (f":{s.weight:g}" if s.weight != 1.0 else "") for s in m.skills)
                print(f"{m.login}\t{m.name}\t{m.department or '-'}\t{skills or '-'}\t"
                      f"{m.partner or '-'}\t{'active' if m.active else 'inactive'}")  # fmt: skip
            return 0
        if args.action == "add":
            add = partial(
                StaffAccounts(service, auth).add_staff, args.hall, args.login, args.name or args.login,
                department=args.department or "", skills=args.skills or (), partner=args.partner, by="cli",
            )  # fmt: skip
            made = gate.perform(CLI_ACTOR, args.hall, "staff.create", args.login, add)
            print(f"added {made.member.login} to the staff of {args.hall}")
            if made.password:
                print(f"一次性密码 / one-time password (shown once): {made.password}")
            return 0
        if args.action == "set":
            changes: dict[str, Any] = {"name": args.name, "department": args.department, "skills": args.skills}
            if args.partner is not None:
                changes["partner"] = None if args.partner == "-" else args.partner
            given = {k: v for k, v in changes.items() if v is not None or k == "partner"}
            update = partial(service.update_staff, args.hall, args.login, by="cli", **given)
            gate.perform(CLI_ACTOR, args.hall, "staff.update", args.login, update)
            print(f"changed {args.login}")
            return 0
        gate.perform(CLI_ACTOR, args.hall, "staff.deactivate", args.login, service.deactivate_staff, args.hall,
                     args.login, "cli")  # fmt: skip
        print(f"deactivated {args.login}: their A/B partner and posts are free")
        return 0
    except HallQError as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 2


def cmd_token(args: argparse.Namespace) -> int:
    config, auth, gate = open_for_command(args)
    if args.action == "add":
        check_hall(config, args.hall)
        if not args.hall or not args.kind:
            print("token add needs --kind and --hall", file=sys.stderr)
            return 2
        token, secret = gate.perform(
            CLI_ACTOR, args.hall, "token.create", args.kind,
            auth.create_device_token, DeviceKind(args.kind), args.hall, args.label or "",
        )  # fmt: skip
        print(secret)
        print(f"# token {token.id}: {token.kind.value} for hall {token.hall}; shown only once", file=sys.stderr)
        return 0
    if args.action == "list":
        for t in auth.accounts.device_tokens(args.hall):
            state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
            used = f"last used {t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never used"
            print(f"{t.id}\t{t.kind.value}\t{t.hall}\t{state}\t{used}\t{t.label}")
        return 0
    try:
        token = gate.perform(
            CLI_ACTOR, None, "token.revoke", f"token {args.id}", auth.revoke_device_token, int(args.id), None
        )
    except (HallQError, ValueError) as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 2
    print(f"revoked token {token.id} ({token.kind.value}, {token.hall})")
    return 0


def log_config() -> dict[str, Any]:
    """uvicorn's logging set-up plus our own loggers (root), every handler masking secrets:
    the access log prints each request's path with its query string, where screens carry
    their tokens (``?access_token=hqd_…``) and phones their ticket's (``?token=…``)."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact": {"()": f"{RedactSecrets.__module__}.{RedactSecrets.__qualname__}"}}
    config["formatters"]["plain"] = {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}
    config["handlers"]["app"] = {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}
    for handler in config["handlers"].values():
        handler["filters"] = ["redact"]
    config["root"] = {"handlers": ["app"], "level": "INFO"}
    config["loggers"]["alembic"] = {"level": "WARNING"}
    return config


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    config = read_config(args.config)
    devices = check_all(config.halls, config.source)
    local = [slug for slug, d in devices.items() if d.mode is Mode.LOCAL and d.devices]
    if args.workers > 1 and (local or args.simulate_devices):
        print(
            "串口只能由一个进程驱动 / serial ports can be driven by one process only: with --workers > 1 set "
            f'[hall.hardware] mode = "agent" for {", ".join(local) or "the halls"} '
            f"and run `{cli()} agent` next to them",
            file=sys.stderr,
        )
        return 2
    prepare(config, args.db)
    os.environ[ENV_DB] = args.db
    os.environ[ENV_PUBLIC_URL] = os.environ.get(ENV_PUBLIC_URL) or f"http://{args.host}:{args.port}"
    if args.simulate_devices:
        os.environ[ENV_SIMULATE] = os.path.abspath(SIMULATION_DIR)
    else:
        os.environ.pop(ENV_SIMULATE, None)
    if args.demo_traffic:
        os.environ[ENV_DEMO_TRAFFIC] = str(args.demo_traffic)
    else:
        os.environ.pop(ENV_DEMO_TRAFFIC, None)
    if args.demo_roster:
        os.environ[ENV_DEMO_ROSTER] = "1"
    else:
        os.environ.pop(ENV_DEMO_ROSTER, None)
    if args.config:
        os.environ[ENV_CONFIG] = os.path.abspath(args.config)
    else:
        os.environ.pop(ENV_CONFIG, None)
    halls = ", ".join(f"{h.slug} ({h.name_zh})" for h in config.halls)
    print(f"HallQ serving {halls} at http://{args.host}:{args.port}/  database: {args.db}", flush=True)
    if args.simulate_devices:
        pages = "  ".join(f"http://{args.host}:{args.port}/simulator/{h.slug}" for h in config.halls)
        print(f"虚拟串口设备 / virtual serial devices under {SIMULATION_DIR}/: {pages}", flush=True)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    uvicorn.run(
        "run:build_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        log_config=log_config(),
        # Per-connection deflate state costs ~45 KiB per idle display and CPU per message,
        # for ~1 KB messages on a hall's LAN: not worth it.
        ws_per_message_deflate=False,
        **UVICORN_WS,  # a close never waits on a client that does not read; small client messages only
    )
    return 0


def cmd_agent(args: argparse.Namespace) -> int:
    import asyncio

    from hardware.agent import AgentClient, whoami
    from hardware.config import hardware_config
    from hardware.controller import ActionRefused, HallDevices

    if not args.token:
        print("需要代理令牌 / --token (or HALLQ_AGENT_TOKEN) is required", file=sys.stderr)
        return 2
    try:
        me = whoami(args.server, args.token)
    except (ActionRefused, ConnectionError) as exc:
        print(f"无法连接服务器或令牌无效 / cannot use {args.server} with that token: {exc}", file=sys.stderr)
        return 2
    if me.get("device") != DeviceKind.AGENT.value or not me.get("hall"):
        print("这不是代理令牌 / that token is not a hall's agent token", file=sys.stderr)
        return 2
    config = read_config(args.config)
    hall = config.hall(str(me["hall"]))
    if hall is None:
        print(f"配置文件中没有大厅 {me['hall']} / the hall file has no hall {me['hall']!r}", file=sys.stderr)
        return 2
    devices = hardware_config(hall, config.source)
    if devices.mode is not Mode.AGENT:
        print(
            f'{hall.slug}: [hall.hardware] mode 须为 "agent" / set mode = "agent" for this hall, '
            "so the server does not open the same ports",
            file=sys.stderr,
        )
        return 2
    print(f"HallQ agent for {hall.slug}: {len(devices.devices)} devices, server {args.server}", flush=True)
    client = AgentClient(args.server, args.token, hall.slug)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(HallDevices(devices, client).run())
    return 0


def _options(defaults: bool) -> argparse.ArgumentParser:
    """The options every command takes. Only the top parser holds their defaults: a subcommand's
    parser sets one only when it is given there, so ``--db URL`` means the same before or after
    the command's name."""

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", default=default(None),
                        help="hall configuration (TOML); default: the built-in demo hall")  # fmt: skip
    common.add_argument("--demo-city", action="store_true", default=default(False),
                        help="the built-in demo city instead of the demo hall: a city centre, two county halls "
                        "and three township halls (/city/qingshan)")  # fmt: skip
    common.add_argument("--db", metavar="URL", default=default(os.environ.get(ENV_DB, DEFAULT_DB)),
                        help=f"database URL (default ${ENV_DB} or {DEFAULT_DB})")  # fmt: skip
    return common


def _serve_options(target: argparse.ArgumentParser, defaults: bool) -> None:
    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    target.add_argument("--host", default=default("127.0.0.1"))
    target.add_argument("--port", type=int, default=default(8000))
    target.add_argument("--workers", type=int, default=default(1), help="server processes (PostgreSQL for more than 1)")
    target.add_argument("--log-level", default=default("info"))
    target.add_argument(
        "--demo-traffic", nargs="?", type=float, const=1.0, default=default(None), metavar="SPEED",
        help="simulate visitors and clerks in every hall (SPEED: time factor, default 1)",
    )  # fmt: skip
    target.add_argument(
        "--demo-roster", action="store_true", default=default(False),
        help="give every hall a published roster of the current month at start, when it has none (自动排班, ~5 s)",
    )  # fmt: skip
    target.add_argument(
        "--simulate-devices", action="store_true", default=default(False),
        help=f"wire every hall to virtual LED screens, pads and a printer on ptys under {SIMULATION_DIR}/",
    )  # fmt: skip


def parser() -> argparse.ArgumentParser:
    common = _options(defaults=False)
    p = argparse.ArgumentParser(
        prog=cli(), description="HallQ — 政务服务大厅排队叫号系统", parents=[_options(defaults=True)]
    )
    _serve_options(p, defaults=True)
    sub = p.add_subparsers(dest="command")
    serve = sub.add_parser("serve", parents=[common], help="serve the halls (default)")
    _serve_options(serve, defaults=False)

    agent = sub.add_parser("agent", parents=[common], help="drive a hall's serial devices next to the ports")
    agent.add_argument("--server", required=True, metavar="URL", help="the HallQ server, e.g. http://10.0.0.5:8000")
    agent.add_argument("--token", default=os.environ.get("HALLQ_AGENT_TOKEN"), metavar="T",
                       help="an agent device token (hallq token add --kind agent); or HALLQ_AGENT_TOKEN")  # fmt: skip

    user = sub.add_parser("user", parents=[common], help="staff accounts")
    user_sub = user.add_subparsers(dest="action", required=True)
    add = user_sub.add_parser("add", parents=[common], help="create a staff account (password from standard input)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--hall", help="the hall of a clerk or manager")
    add.add_argument("--display-name", help="the name shown on screens (default: NAME)")
    unlock = user_sub.add_parser("unlock", parents=[common], help="clear an account's sign-in throttle")
    unlock.add_argument("name")

    staff = sub.add_parser("staff", parents=[common], help="the staff registry (工作人员) of a hall")
    staff_sub = staff.add_subparsers(dest="action", required=True)
    slist = staff_sub.add_parser("list", parents=[common], help="login, name, department, skills, partner, active")
    sadd = staff_sub.add_parser("add", parents=[common], help="add a clerk (an account is made if none: "
                                "its one-time password is printed once)")  # fmt: skip
    sset = staff_sub.add_parser("set", parents=[common], help="change what is given")
    soff = staff_sub.add_parser("deactivate", parents=[common], help="take a clerk off the staff for good")
    for sp in (slist, sadd, sset, soff):
        sp.add_argument("--hall", required=True, help="the hall's slug, e.g. demo")
    for sp in (sadd, sset, soff):
        sp.add_argument("login")
    for sp in (sadd, sset):
        sp.add_argument("--name", help="the name shown on screens")
        sp.add_argument("--department", help="派驻部门")
        sp.add_argument("--skills", type=skills_arg, metavar="A,B:1.5", help="service codes, optional weight each")
        sp.add_argument("--partner", help="the A/B partner's login ('-' clears it with set)")

    token = sub.add_parser("token", parents=[common], help="device tokens for displays, kiosks and hardware agents")
    token_sub = token.add_subparsers(dest="action", required=True)
    tadd = token_sub.add_parser("add", parents=[common], help="create a token and print it (once)")
    tadd.add_argument("--kind", required=True, choices=[k.value for k in DeviceKind])
    tadd.add_argument("--hall", required=True)
    tadd.add_argument("--label", help="where the device is, e.g. 一楼大厅综合屏")
    tlist = token_sub.add_parser("list", parents=[common], help="list tokens")
    tlist.add_argument("--hall")
    trevoke = token_sub.add_parser("revoke", parents=[common], help="revoke a token by its id")
    trevoke.add_argument("id")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "demo_city", False):
        if args.config:
            print("--demo-city 与 --config 只能选一个 / give --demo-city or --config, not both", file=sys.stderr)
            return 2
        args.config = str(demo_city_path())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactSecrets())
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per job run drowns the log
    commands = {"user": cmd_user, "staff": cmd_staff, "token": cmd_token, "agent": cmd_agent}
    try:
        return commands.get(args.command or "serve", cmd_serve)(args)
    except ConfigError as exc:
        print(f"配置错误 / configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
