"""Runs the whole stack under supervisord: `make run` (embedded) and `make run-scaled`.

    .venv/bin/python scripts/stack.py embedded   # one of each process, SQLite, in-memory locks
    .venv/bin/python scripts/stack.py scaled     # under scripts/with_postgres.sh (PostgreSQL + Redis):
                                                 # 2 Rasa, 2 action servers, 2 backends, 2 gateways, HAProxy

Why supervisord: it is maintained, on PyPI (installed into .venv), restarts a crashed process
with back-off (a process that dies before `startsecs` is retried after 1, 2, 3 … s; one that ran
and crashed comes back at once), runs in the foreground (`nodaemon`) so Ctrl-C stops every
process, and kills a program's whole process group (Rasa's Sanic workers with it). honcho, used
before, ends every process when one exits and restarts nothing.

The same code runs in both; only the environment differs. Every port comes from the environment
(GATEWAY_PORT, RASA_PORT, ACTIONS_PORT, BACKEND_PORT; in scaled mode these are HAProxy's and the
replicas listen on SCALED_PORT_BASE + 1…). Files go to STACK_DIR (supervisord.conf, haproxy.cfg,
logs/, the control socket). Nothing here listens on anything but 127.0.0.1.
"""

from __future__ import annotations

import getpass
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_PY = ROOT / ".venv" / "bin" / "python"
UVICORN = ROOT / ".venv" / "bin" / "uvicorn"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
SUPERVISORD = ROOT / ".venv" / "bin" / "supervisord"


@dataclass
class Program:
    """One supervised process: a shell command line (ending in `exec`, so the pid is the server's)."""

    name: str
    command: str
    env: dict[str, str] = field(default_factory=dict)
    startsecs: int = 5
    # Rasa loads its model before it binds: give it longer to stop cleanly.
    stopwaitsecs: int = 20


def env(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def port(name: str, default: int) -> int:
    return int(env(name, str(default)))


def q(value: object) -> str:
    return shlex.quote(str(value))


def rasa_cmd(rasa_port: int, endpoints: str) -> str:
    model = env("RASA_MODEL", str(ROOT / "models" / "current.tar.gz"))
    return (
        f"exec {q(RASA)} run --model {q(model)} --endpoints {q(endpoints)} --credentials credentials.yml "
        f'--interface 127.0.0.1 --port {rasa_port} --enable-api --auth-token "$RASA_TOKEN"'
    )


def actions_cmd(actions_port: int) -> str:
    # actions/server.py: rasa-sdk's app on loopback, refusing every call without the shared secret
    return f"exec {q(RASA_PY)} -m actions.server --actions actions --host 127.0.0.1 --port {actions_port}"


def backend_cmd(backend_port: int, prestart: bool) -> str:
    pre = f"{q(APP_PY)} -m backend.prestart && " if prestart else ""
    return f"{pre}exec {q(UVICORN)} backend.main:app --host 127.0.0.1 --port {backend_port}"


def gateway_cmd(gateway_port: int) -> str:
    # --no-proxy-headers: the gateway itself decides whom to believe (GATEWAY_TRUSTED_PROXIES)
    return (
        f"{q(APP_PY)} -m bot.prestart && exec {q(UVICORN)} bot.main:app --host 127.0.0.1 --port {gateway_port} "
        "--no-proxy-headers"
    )


def telegram_cmd() -> str:
    return f"{q(APP_PY)} -m bot.prestart && exec {q(APP_PY)} -m bot.channels.telegram"


def scheduler_cmd() -> str:
    # notices (backend/NOTICES.md); it waits for the backend's migrations by itself
    return f"exec {q(APP_PY)} -m backend.scheduler"


def retention_cmd() -> str:
    # bot/retention.py: a sweep at start, then every GATEWAY_RETENTION_INTERVAL_MINUTES
    return f"{q(APP_PY)} -m bot.prestart && exec {q(APP_PY)} -m bot.retention"


def embedded() -> list[Program]:
    """The embedded default: one of each, SQLite files in var/, the repo's endpoints.yml."""
    actions_port = port("ACTIONS_PORT", 5055)
    os.environ.setdefault("ACTION_SERVER_URL", f"http://127.0.0.1:{actions_port}/webhook")
    os.environ.setdefault("RASA_TRACKER_DB", str(ROOT / "var" / "rasa_tracker.db"))
    backend_url = f"http://127.0.0.1:{port('BACKEND_PORT', 8000)}"
    rasa_url = f"http://127.0.0.1:{port('RASA_PORT', 5005)}"
    common = {"BACKEND_URL": backend_url, "RASA_URL": rasa_url}
    return [
        Program("backend", backend_cmd(port("BACKEND_PORT", 8000), prestart=True)),
        Program("actions", actions_cmd(actions_port), common),
        Program("rasa", rasa_cmd(port("RASA_PORT", 5005), env("RASA_ENDPOINTS", "endpoints.yml")), common,
                stopwaitsecs=30),
        Program("gateway", gateway_cmd(port("GATEWAY_PORT", 8080)), common),
        Program("telegram", telegram_cmd(), common),
        Program("scheduler", scheduler_cmd()),
        Program("retention", retention_cmd(), common),
    ]


@dataclass
class Replicas:
    """Ports of the scaled stack: what HAProxy serves, and the replicas behind it."""

    lb: dict[str, int]
    backends: dict[str, list[int]]


def scaled_ports() -> Replicas:
    """Replica r (1-based) of kind k listens on SCALED_PORT_BASE + 10*k + r (rasa, actions, backend, gateway)."""
    base = port("SCALED_PORT_BASE", 9100)
    default = max(1, min(9, int(env("SCALED_REPLICAS", "2"))))
    lb = {"gateway": port("GATEWAY_PORT", 8080), "rasa": port("RASA_PORT", 5005),
          "actions": port("ACTIONS_PORT", 5055), "backend": port("BACKEND_PORT", 8000)}
    backends = {}
    for i, kind in enumerate(("rasa", "actions", "backend", "gateway")):
        n = max(1, min(9, int(env(f"SCALED_{kind.upper()}_REPLICAS", str(default)))))
        backends[kind] = [base + 10 * i + r for r in range(1, n + 1)]
    return Replicas(lb, backends)


def scaled(stack_dir: Path) -> list[Program]:
    """Two of every process behind HAProxy; PostgreSQL and Redis come from with_postgres.sh."""
    for var in ("PG_HOST", "PG_PORT", "REDIS_URL", "REDIS_HOST", "REDIS_PORT"):
        if not os.environ.get(var):
            sys.exit(f"stack.py scaled: {var} is not set; run it under scripts/with_postgres.sh (make run-scaled)")
    ports = scaled_ports()
    pg = f"postgresql+psycopg://{env('PG_USER', 'postgres')}@{os.environ['PG_HOST']}:{os.environ['PG_PORT']}"
    lb = {k: f"http://127.0.0.1:{v}" for k, v in ports.lb.items()}
    shared = {
        "DATABASE_URL": f"{pg}/backend",
        "GATEWAY_DATABASE_URL": f"{pg}/gateway",
        "BACKEND_URL": lb["backend"],
        "RASA_URL": lb["rasa"],
        "ACTION_SERVER_URL": lb["actions"] + "/webhook",
        "TRACKER_DB_HOST": os.environ["PG_HOST"],
        "TRACKER_DB_PORT": os.environ["PG_PORT"],
        "TRACKER_DB_NAME": "rasa",
        "TRACKER_DB_USER": env("PG_USER", "postgres"),
        "TRACKER_DB_PASSWORD": os.environ.get("TRACKER_DB_PASSWORD", ""),
        "GATEWAY_TRUSTED_PROXIES": env("GATEWAY_TRUSTED_PROXIES", "127.0.0.1"),
        "SANIC_WORKERS": env("SANIC_WORKERS", "2"),
    }
    os.environ.update(shared)
    migrate(shared)
    progs: list[Program] = []
    endpoints = env("RASA_ENDPOINTS", "endpoints.postgres.yml")
    for i, p in enumerate(ports.backends["rasa"], 1):
        progs.append(Program(f"rasa{i}", rasa_cmd(p, endpoints), stopwaitsecs=30))
    for i, p in enumerate(ports.backends["actions"], 1):
        progs.append(Program(f"actions{i}", actions_cmd(p)))
    for i, p in enumerate(ports.backends["backend"], 1):
        progs.append(Program(f"backend{i}", backend_cmd(p, prestart=False)))
    for i, p in enumerate(ports.backends["gateway"], 1):
        progs.append(Program(f"gateway{i}", gateway_cmd(p), {"GATEWAY_REPLICA": f"gateway{i}"}))
    # Telegram long polling cannot be replicated (one getUpdates consumer per bot): one process.
    progs.append(Program("telegram", telegram_cmd()))
    # Notice schedulers may run side by side: each notice is claimed once in the database.
    default = max(1, min(9, int(env("SCALED_REPLICAS", "2"))))
    for i in range(1, max(1, min(9, int(env("SCALED_SCHEDULER_REPLICAS", str(default))))) + 1):
        progs.append(Program(f"scheduler{i}", scheduler_cmd()))
    progs.append(Program("retention", retention_cmd()))  # one sweeper for every replica's data
    cfg = stack_dir / "haproxy.cfg"
    cfg.write_text(haproxy_cfg(ports))
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"  # /usr/sbin may be off a user's PATH
    progs.append(Program("haproxy", f"exec {q(haproxy)} -db -f {q(cfg)}", startsecs=2))
    return progs


def migrate(shared: dict[str, str]) -> None:
    """Once, before any replica starts: two backends migrating and seeding at once would race."""
    run_env = {**os.environ, **shared, "PYTHONPATH": str(ROOT)}
    subprocess.run([str(APP_PY), "-m", "backend.prestart"], cwd=ROOT, env=run_env, check=True)
    subprocess.run([str(APP_PY), "-m", "bot.prestart"], cwd=ROOT, env=run_env, check=True)


def haproxy_cfg(ports: Replicas) -> str:
    """HTTP load balancing with health checks; a request that could not connect is retried on the
    other replica (never one already sent: readings and codes must not be submitted twice). A dead
    replica refuses connections, so it is skipped at once and marked down within ~6 s."""
    health = {"gateway": "/health", "rasa": "/", "actions": "/health", "backend": "/health"}
    out = [
        "global",
        "    log stdout format short local0 notice",
        "    maxconn 2000",
        "defaults",
        "    mode http",
        "    log global",
        "    option dontlognull",
        "    timeout connect 2s",
        "    timeout client 120s",
        "    timeout server 120s",
        "    timeout tunnel 1h",
        # a busy replica (Rasa on two cores) may answer its check slowly: down only after 3 × 5 s
        "    timeout check 5s",
        "    retries 3",
        "    retry-on conn-failure",
        "    option redispatch",
        "    default-server inter 2s fall 3 rise 2",
    ]
    for kind, lb_port in ports.lb.items():
        out += [
            f"frontend {kind}_in",
            f"    bind 127.0.0.1:{lb_port}",
            f"    default_backend {kind}",
            f"backend {kind}",
            "    balance roundrobin",
            f"    option httpchk GET {health[kind]}",
            "    http-check expect status 200",
        ]
        if kind == "gateway":
            out += ["    option forwardfor", "    http-response set-header X-Served-By %[srv_name]"]
        for i, p in enumerate(ports.backends[kind], 1):
            out.append(f"    server {kind}{i} 127.0.0.1:{p} check")
    return "\n".join(out) + "\n"


def supervisord_conf(stack_dir: Path, programs: list[Program]) -> str:
    logs = stack_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    lines = [
        "[supervisord]",
        "nodaemon=true",
        f"logfile={stack_dir / 'supervisord.log'}",
        "logfile_maxbytes=10MB",
        f"pidfile={stack_dir / 'supervisord.pid'}",
        f"childlogdir={logs}",
        "loglevel=info",
        *([f"user={getpass.getuser()}"] if os.geteuid() == 0 else []),  # as root: say so, drop nothing
        "",
        "[unix_http_server]",
        f"file={stack_dir / 'supervisor.sock'}",
        "chmod=0700",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{stack_dir / 'supervisor.sock'}",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
    ]
    for p in programs:
        env_items = {"PYTHONPATH": str(ROOT), **p.env}
        env_line = ",".join(f'{k}="{v}"' for k, v in env_items.items())
        lines += [
            "",
            f"[program:{p.name}]",
            f"command=/bin/bash -c {q(p.command).replace('%', '%%')}",
            f"directory={ROOT}",
            f"environment={env_line.replace('%', '%%')}",
            "autostart=true",
            "autorestart=true",
            f"startsecs={p.startsecs}",
            "startretries=30",
            "stopsignal=TERM",
            f"stopwaitsecs={p.stopwaitsecs}",
            "stopasgroup=true",
            "killasgroup=true",
            "redirect_stderr=true",
            f"stdout_logfile={logs / (p.name + '.log')}",
            "stdout_logfile_maxbytes=20MB",
            "stdout_logfile_backups=1",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    mode = argv[1] if len(argv) > 1 else "embedded"
    for key, value in (("RASA_TELEMETRY_ENABLED", "false"), ("TF_CPP_MIN_LOG_LEVEL", "2"),
                       ("SQLALCHEMY_SILENCE_UBER_WARNING", "1"), ("PYTHONPATH", str(ROOT))):
        os.environ.setdefault(key, value)
    if mode not in ("embedded", "scaled"):
        print("usage: stack.py embedded|scaled", file=sys.stderr)
        return 2
    stack_dir = Path(env("STACK_DIR", str(ROOT / "var" / ("supervisor" if mode == "embedded" else "scaled"))))
    stack_dir.mkdir(parents=True, exist_ok=True)
    programs = embedded() if mode == "embedded" else scaled(stack_dir)
    conf = stack_dir / "supervisord.conf"
    conf.write_text(supervisord_conf(stack_dir, programs))
    conf.chmod(0o600)
    print(f">> supervisord ({mode}): {', '.join(p.name for p in programs)}; logs in {stack_dir / 'logs'}")
    print(f">> status: .venv/bin/supervisorctl -c {conf} status   (Ctrl-C stops everything)", flush=True)
    os.chdir(ROOT)
    os.execv(str(SUPERVISORD), [str(SUPERVISORD), "-n", "-c", str(conf)])
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
