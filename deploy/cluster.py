"""Start nginx and N ``streamlit run`` replicas on loopback, with a generated config, and stop them.

Everything lives in a temporary prefix (``nginx -p DIR -c DIR/nginx.conf``: no root paths, no root user).
Replica ``i`` listens on ``port + 1 + i`` and runs with ``CONVVIZ_REPLICA=r<i>`` and ``MALLOC_ARENA_MAX=2``
(see docs/benchmarks.md, "A class on one server")::

    python -m deploy.cluster --replicas 2 --port 18600     # then open http://127.0.0.1:18600; Ctrl-C stops
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
#: Diagnostics for tests only: which replica answered (never in a public configuration).
DEBUG_HEADER = "        add_header X-Convviz-Upstream $upstream_addr always;\n"


def render_config(prefix: str | Path, listen: str, upstreams: list[str], *, debug: bool = False) -> str:
    """The nginx configuration for `upstreams` (``host:port`` each), listening on `listen`."""
    servers = "".join(f"        server {u} max_fails=1 fail_timeout=10s;\n" for u in upstreams)
    return Template(TEMPLATE.read_text()).safe_substitute(  # nginx's own $variables stay
        prefix=str(prefix), listen=listen, servers=servers.rstrip("\n"), extra=DEBUG_HEADER if debug else "")


def healthy(url: str) -> bool:
    """True when the Streamlit server at `url` answers its health check (``/_stcore/health``)."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


@dataclass
class Cluster:
    """A running nginx and its replicas."""

    url: str  # nginx's address
    prefix: Path
    replicas: dict[str, subprocess.Popen]  # "127.0.0.1:port" -> replica process
    nginx: subprocess.Popen

    def kill(self, upstream: str) -> None:
        """Kill the replica at `upstream` (``host:port``) at once, as a crash would."""
        proc = self.replicas[upstream]
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def wait_healthy(url: str, proc: subprocess.Popen, deadline: float, failure: str) -> None:
    """Poll `url`'s health check until it answers; ``RuntimeError(failure)`` once `proc` has exited or
    ``time.monotonic()`` passes `deadline`."""
    while not healthy(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(failure)
        time.sleep(0.2)


def stop(proc: subprocess.Popen) -> None:
    """Terminate `proc` if it still runs, and kill it when it has not exited 10 s later."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def cluster(n: int = 2, port: int = 18600, *, debug: bool = False, timeout: float = 90) -> Iterator[Cluster]:
    """Start nginx on ``127.0.0.1:port`` in front of `n` replicas on the next ports; stop them all on exit."""
    prefix = Path(tempfile.mkdtemp(prefix="convviz-nginx-"))
    # Started as root, nginx runs its workers as `nobody`: they must be able to buffer request bodies here.
    prefix.chmod(0o755)
    (prefix / "tmp").mkdir(mode=0o1777)
    (prefix / "tmp").chmod(0o1777)
    replicas: dict[str, subprocess.Popen] = {}
    nginx = None
    log = open(prefix / "replicas.log", "w")  # noqa: SIM115 - closed below
    try:
        for i in range(n):
            p = port + 1 + i
            cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(p),
                   "--server.address", "127.0.0.1", "--server.headless", "true"]
            env = {**os.environ, "CONVVIZ_REPLICA": f"r{i}", "MALLOC_ARENA_MAX": "2"}
            replicas[f"127.0.0.1:{p}"] = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log,
                                                          stderr=subprocess.STDOUT)
        conf = prefix / "nginx.conf"
        conf.write_text(render_config(prefix, f"127.0.0.1:{port}", list(replicas), debug=debug))
        nginx = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
                                 stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        for upstream, proc in replicas.items():
            wait_healthy(f"http://{upstream}", proc, deadline,
                         f"replica {upstream} did not start; see {prefix / 'replicas.log'}")
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, nginx, deadline, f"nginx did not start; see {prefix / 'error.log'}")
        yield Cluster(url, prefix, replicas, nginx)
    finally:
        for proc in [*replicas.values(), *([nginx] if nginx else [])]:
            stop(proc)
        log.close()
        shutil.rmtree(prefix, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=18600, help="nginx's port; replicas use the next ones")
    args = parser.parse_args(argv)
    with cluster(args.replicas, args.port) as c:
        print(f"convviz at {c.url} ({args.replicas} replicas: {', '.join(c.replicas)}); Ctrl-C stops")
        with contextlib.suppress(KeyboardInterrupt):
            while all(p.poll() is None for p in c.replicas.values()):
                time.sleep(1)


if __name__ == "__main__":
    main()
