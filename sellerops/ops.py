"""`make up` / `make down`: a local Prefect server as the team's board, with a worker, blocks and deployments.

`python -m sellerops.ops up` starts `prefect server start` with authentication on (a secret generated once
into `~/.config/sellerops/prefect-auth`, mode 600, outside the repo), waits for it to be healthy, creates
the `sellerops` process work pool, starts one worker, registers the project's block types, saves the
default blocks that are absent and runs `prefect deploy --all`. Every process it starts runs in its own
process group and is recorded in `.run/pids.json` (logs in `.run/*.log`); `down` stops exactly those
groups and nothing else. `up` is idempotent: a healthy recorded server is reused, a dead worker restarted.

The server's database is SQLite under PREFECT_HOME unless SELLEROPS_PREFECT_DATABASE_URL names another
(`postgresql+asyncpg://…`). Settings (all optional): SELLEROPS_RUN_DIR (default `<project>/.run`),
SELLEROPS_SECRETS_DIR, SELLEROPS_PREFECT_HOST / SELLEROPS_PREFECT_PORT (127.0.0.1:4200); SELLEROPS_TIMEZONE
must name prefect.yaml's zone (`check_seller_timezone`). This module is one of the domain's two edges
that start things (the import contracts in pyproject.toml allow it): it drives Prefect through its CLI in
child processes, and only `provision`, run in such a child, imports Prefect and the blocks.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
POOL = "sellerops"
# Every module under blocks/ that defines a block type: `make up` registers each type, so the UI lists and
# edits them, and saves a policy's defaults as its `DEFAULT_BLOCK` when none is saved yet.
BLOCK_MODULES = ("blocks.reconciliation", "blocks.seller_account", "blocks.escalation", "blocks.inbound_policy",
                 "blocks.returns_policy", "blocks.health_policy")
AUTH_FILE = "prefect-auth"


@dataclass
class OpsConfig:
    """Where `up` puts things; every field has an environment variable and a default."""

    project_dir: Path = PROJECT_DIR
    run_dir: Path = field(default_factory=lambda: Path(os.environ.get("SELLEROPS_RUN_DIR") or PROJECT_DIR / ".run"))
    secrets_dir: Path = field(default_factory=lambda: Path(
        os.environ.get("SELLEROPS_SECRETS_DIR") or Path.home() / ".config" / "sellerops").expanduser())
    host: str = field(default_factory=lambda: os.environ.get("SELLEROPS_PREFECT_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(os.environ.get("SELLEROPS_PREFECT_PORT", "4200")))
    docs_port: int = field(default_factory=lambda: int(os.environ.get("SELLEROPS_DOCS_PORT", "4201")))
    database_url: str | None = field(default_factory=lambda: os.environ.get("SELLEROPS_PREFECT_DATABASE_URL"))
    # Extra environment for every child (tests: PREFECT_HOME, a faster worker poll).
    env: dict[str, str] = field(default_factory=dict)
    deploy: bool = True

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}/api"

    @property
    def docs_url(self) -> str:
        return f"http://{self.host}:{self.docs_port}"

    @property
    def docs_dir(self) -> Path:
        """The Data Docs the worker's flow runs write: SELLEROPS_HOME's, which is relative to the
        project folder the worker runs in."""
        home = Path(self.env.get("SELLEROPS_HOME") or os.environ.get("SELLEROPS_HOME") or ".sellerops").expanduser()
        return (home if home.is_absolute() else self.project_dir / home) / "gx" / "data_docs"

    @property
    def pids_file(self) -> Path:
        return self.run_dir / "pids.json"


def auth_secret(cfg: OpsConfig) -> str:
    """The server's auth string, generated once (mode 600 in a mode 700 folder outside the repo)."""
    path = cfg.secrets_dir / AUTH_FILE
    if not path.exists():
        cfg.secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        token = f"sellerops:{secrets.token_urlsafe(32)}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(token + "\n")
    return path.read_text().strip()


def client_env(cfg: OpsConfig, secret: str) -> dict[str, str]:
    """What a CLI, a worker or a flow run needs to talk to this server."""
    env = dict(os.environ)
    for k in ("PREFECT_SERVER_API_AUTH_STRING", "PREFECT_SERVER_DATABASE_CONNECTION_URL", "PREFECT_PROFILE"):
        env.pop(k, None)
    env.update(cfg.env)
    env.update(PREFECT_API_URL=cfg.api_url, PREFECT_API_AUTH_STRING=secret,
               PREFECT_SERVER_ANALYTICS_ENABLED="false", SELLEROPS_PROJECT_DIR=str(cfg.project_dir),
               SELLEROPS_DOCS_URL=cfg.docs_url)
    return env


def server_env(cfg: OpsConfig, secret: str) -> dict[str, str]:
    env = client_env(cfg, secret)
    env["PREFECT_SERVER_API_AUTH_STRING"] = secret
    env["PREFECT_UI_API_URL"] = cfg.api_url
    if cfg.database_url:
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = cfg.database_url
    return env


def _prefect() -> str:
    return str(Path(sys.executable).with_name("prefect"))


def read_state(cfg: OpsConfig) -> dict:
    try:
        return json.loads(cfg.pids_file.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _write_state(cfg: OpsConfig, state: dict) -> None:
    cfg.run_dir.mkdir(parents=True, exist_ok=True)
    tmp = cfg.pids_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2) + "\n")
    os.replace(tmp, cfg.pids_file)


def alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of ours is not alive
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


def api_request(api_url: str, path: str, secret: str | None, method: str = "GET", body: dict | None = None) -> int:
    """The HTTP status of one API request, with or without the auth string."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{api_url}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    if secret is not None:
        req.add_header("Authorization", "Basic " + base64.b64encode(secret.encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def _spawn(cfg: OpsConfig, name: str, argv: list[str], env: dict[str, str]) -> dict:
    cfg.run_dir.mkdir(parents=True, exist_ok=True)
    log = cfg.run_dir / f"{name}.log"
    with open(log, "ab") as out:
        # A session of its own: `down` signals this process group, and a Ctrl-C in the
        # terminal that ran `make up` does not reach it.
        p = subprocess.Popen(argv, cwd=cfg.project_dir, env=env, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT, start_new_session=True)
    return {"pid": p.pid, "pgid": p.pid, "argv": argv, "log": str(log), "started": time.time()}


def _run(cfg: OpsConfig, argv: list[str], env: dict[str, str], what: str) -> None:
    """A short CLI step; its output goes to .run/ops.log, and into the error when it fails."""
    cfg.run_dir.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(argv, cwd=cfg.project_dir, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=600)
    with open(cfg.run_dir / "ops.log", "a") as log:
        log.write(f"$ {' '.join(argv)}\n{r.stdout}{r.stderr}\n")
    if r.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {r.returncode}): {' '.join(argv)}\n{r.stdout[-2000:]}{r.stderr[-2000:]}")


def _wait_healthy(cfg: OpsConfig, proc: dict, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if healthy(cfg.api_url):
            return
        if not alive(proc["pid"]):
            tail = Path(proc["log"]).read_text(errors="replace")[-3000:]
            raise RuntimeError(f"the Prefect server exited while starting; the end of {proc['log']}:\n{tail}")
        time.sleep(0.5)
    raise RuntimeError(f"the Prefect server at {cfg.api_url} was not healthy after {timeout:.0f}s (see {proc['log']})")


def up(cfg: OpsConfig | None = None, quiet: bool = False) -> dict:
    """Start (or reuse) server and worker, provision pool, blocks and deployments; the recorded state."""
    cfg = cfg or OpsConfig()
    secret = auth_secret(cfg)
    state = read_state(cfg)
    server = state.get("server")
    if not (server and alive(server["pid"]) and state.get("api_url") == cfg.api_url and healthy(cfg.api_url)):
        if server and alive(server["pid"]):
            raise RuntimeError(f"a server recorded in {cfg.pids_file} (pid {server['pid']}) is running but not "
                               f"serving {cfg.api_url}; run `make down` first")
        if healthy(cfg.api_url):
            raise RuntimeError(f"something not started by `make up` already serves {cfg.api_url}; "
                               "stop it or set SELLEROPS_PREFECT_PORT")
        server = _spawn(cfg, "server", [_prefect(), "server", "start", "--host", cfg.host, "--port", str(cfg.port)],
                        server_env(cfg, secret))
        state = {"api_url": cfg.api_url, "server": server}
        _write_state(cfg, state)  # recorded before waiting, so `down` can stop a server that never got healthy
        _wait_healthy(cfg, server)
    env = client_env(cfg, secret)
    docs = state.get("docs")
    if not (docs and alive(docs["pid"])):
        # The board links tonight's Data Docs; a browser opens no file:// link from a web page.
        cfg.docs_dir.mkdir(parents=True, exist_ok=True)
        state["docs"] = _spawn(cfg, "docs", [sys.executable, "-m", "http.server", str(cfg.docs_port), "--bind",
                                             cfg.host, "--directory", str(cfg.docs_dir)], env)
        _write_state(cfg, state)
    _run(cfg, [sys.executable, "-m", "sellerops.ops", "provision"], env, "creating the work pool and blocks")
    worker = state.get("worker")
    if not (worker and alive(worker["pid"])):
        state["worker"] = _spawn(cfg, "worker", [_prefect(), "worker", "start", "--pool", POOL, "--type",
                                                 "process", "--name", f"sellerops-{os.uname().nodename}"], env)
        _write_state(cfg, state)
    if cfg.deploy:
        check_seller_timezone(cfg.project_dir)
        _run(cfg, [_prefect(), "--no-prompt", "deploy", "--all"], env, "prefect deploy --all")
    state["ui_url"] = cfg.api_url.removesuffix("/api")
    _write_state(cfg, state)
    if not quiet:
        print(banner(cfg))
    return state


def schedule_timezones(project_dir: Path) -> set[str]:
    """The time zones the schedules in `project_dir/prefect.yaml` run in."""
    import yaml

    spec = yaml.safe_load((project_dir / "prefect.yaml").read_text(encoding="utf-8"))
    return {s["timezone"] for d in spec.get("deployments") or [] for s in d.get("schedules") or [] if "timezone" in s}


def check_seller_timezone(project_dir: Path) -> None:
    """Refuse to deploy schedules in another zone than the seller's (SELLEROPS_TIMEZONE): the nightly
    run would fire at the wrong hour of the seller's night."""
    from sellerops.core.config import seller_timezone

    wanted = seller_timezone()
    others = schedule_timezones(project_dir) - {wanted}
    if others:
        raise RuntimeError(f"{project_dir / 'prefect.yaml'}: schedules run in {', '.join(sorted(others))} but the "
                           f"seller's time zone is {wanted} (SELLEROPS_TIMEZONE); set `seller_timezone` there to it")


def banner(cfg: OpsConfig) -> str:
    auth = cfg.secrets_dir / AUTH_FILE
    return (f"sellerops board: {cfg.api_url.removesuffix('/api')}  (the login asks for the contents of {auth})\n"
            f"Data Docs: {cfg.docs_url}/index.html\n"
            f"The sellerops CLI finds this server by itself; for the prefect CLI in this shell:\n"
            f"  export PREFECT_API_URL={cfg.api_url}\n"
            f"  export PREFECT_API_AUTH_STRING=\"$(cat {auth})\"\n"
            f"Logs: {cfg.run_dir}/*.log   Stop: make down")


def provision() -> None:
    """Run inside `up` with the client environment: the work pool, block types and default blocks."""
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists

    async def pool() -> None:
        async with get_client() as client:
            try:
                await client.create_work_pool(WorkPoolCreate(name=POOL, type="process"))
            except ObjectAlreadyExists:
                pass

    asyncio.run(pool())
    from blocks.seller_account import DEFAULT_ACCOUNT, MissingAccount, SellerAccount

    register_blocks()
    # A seller account needs credentials: saved only when the environment holds them.
    if not _block_exists(SellerAccount, DEFAULT_ACCOUNT):
        try:
            SellerAccount.from_env().save(DEFAULT_ACCOUNT)
        except MissingAccount:
            pass


def block_types() -> list[tuple[type, str | None]]:
    """(block class, the name its defaults are saved under, or None) for every block type BLOCK_MODULES
    define; a module's `DEFAULT_BLOCK` names a policy whose defaults live in code."""
    import importlib
    import inspect

    from prefect.blocks.core import Block

    out = []
    for module_name in BLOCK_MODULES:
        module = importlib.import_module(module_name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Block) and cls.__module__ == module_name:
                out.append((cls, getattr(module, "DEFAULT_BLOCK", None)))
    return out


def register_blocks() -> list[str]:
    """Register every block type with the server and save each policy's defaults where none is saved;
    the slugs registered. An operator's saved block is never overwritten."""
    slugs = []
    for cls, default_name in block_types():
        cls.register_type_and_schema()
        slugs.append(cls.get_block_type_slug())
        if default_name is not None and not _block_exists(cls, default_name):
            cls().save(default_name)
    return slugs


def _block_exists(block_type, name: str) -> bool:
    try:
        block_type.load(name)
        return True
    except (ValueError, KeyError):
        return False


def down(cfg: OpsConfig | None = None, timeout: float = 20, quiet: bool = False) -> list[str]:
    """Stop the process groups recorded in pids.json (worker first), and nothing else."""
    cfg = cfg or OpsConfig()
    state = read_state(cfg)
    stopped = []
    for name in ("worker", "docs", "server"):
        proc = state.get(name)
        if not proc or not alive(proc["pid"]):
            continue
        _signal_group(proc["pgid"], signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while alive(proc["pid"]) and time.monotonic() < deadline:
            time.sleep(0.2)
        if alive(proc["pid"]):
            _signal_group(proc["pgid"], signal.SIGKILL)
        _reap(proc["pid"])
        stopped.append(f"{name} (pid {proc['pid']})")
    cfg.pids_file.unlink(missing_ok=True)
    if not quiet:
        print("stopped: " + (", ".join(stopped) or "nothing was running"))
    return stopped


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _reap(pid: int) -> None:
    try:  # when `up` ran in this very process (tests), collect the child
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def status(cfg: OpsConfig | None = None) -> int:
    cfg = cfg or OpsConfig()
    state = read_state(cfg)
    if not state:
        print("not running (no .run/pids.json)")
        return 1
    for name in ("server", "worker"):
        proc = state.get(name) or {}
        print(f"{name}: pid {proc.get('pid')} {'running' if alive(proc.get('pid')) else 'NOT running'}")
    ok = healthy(state.get("api_url", cfg.api_url))
    print(f"api {state.get('api_url')}: {'healthy' if ok else 'not answering'}")
    if ok:
        print(banner(cfg))
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv else "status"
    try:
        if command == "up":
            up()
        elif command == "down":
            down()
        elif command == "status":
            return status()
        elif command == "provision":
            provision()
        else:
            print("usage: python -m sellerops.ops up|down|status", file=sys.stderr)
            return 2
    except RuntimeError as exc:
        print(f"sellerops ops {command}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())


def running_server(cfg: OpsConfig | None = None) -> dict | None:
    """The server `make up` started, when it is still alive and healthy: its API URL and auth string."""
    cfg = cfg or OpsConfig()
    state = read_state(cfg)
    server, url = state.get("server"), state.get("api_url")
    if not (server and url and alive(server.get("pid")) and healthy(url, timeout=1.0)):
        return None
    path = cfg.secrets_dir / AUTH_FILE
    try:
        auth = path.read_text().strip()
    except OSError:
        auth = None
    return {"api_url": url, "auth": auth}
