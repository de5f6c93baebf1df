"""The Python dependency tree is locked: uv.lock agrees with pyproject.toml, the venv holds exactly the
lock, and the uv that the Makefile bootstraps (requirements/uv.txt) is the uv in the lock."""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path
from typing import Any

from packaging.markers import Marker
from packaging.utils import canonicalize_name

from tests.support.paths import ROOT

UV = str(Path(sys.executable).parent / "uv")


def uv(*args: str, cwd: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The venv's uv, offline, on an empty cache of its own, never downloading a Python."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UV_")}
    env.update(UV_CACHE_DIR=str(tmp_path / "uv-cache"), UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1")
    return subprocess.run([UV, *args, "--offline"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def lock_check(project: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return uv("lock", "--check", "--python", sys.executable, cwd=project, tmp_path=tmp_path)


def locked_uv() -> dict[str, Any]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    [package] = [p for p in lock["package"] if p["name"] == "uv"]
    return package


def test_uv_lock_agrees_with_pyproject(tmp_path: Path) -> None:
    """`uv lock --check --offline` passes here and fails once pyproject.toml gains a dependency.

    Offline, uv can only confirm a lock that already satisfies pyproject.toml: any disagreement
    would need a new resolution, which fails without the network (online it says the lock "needs
    to be updated"). Either way the check fails: run `make lock`, or `.venv/bin/uv lock`."""
    result = lock_check(ROOT, tmp_path)
    assert result.returncode == 0, f"uv.lock is out of date with pyproject.toml: run `make lock`\n{result.stderr}"

    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(ROOT / name, copy / name)
    assert lock_check(copy, tmp_path).returncode == 0, "the unchanged copy must pass, as the project does"

    pyproject = copy / "pyproject.toml"
    before = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    pyproject.write_text(pyproject.read_text().replace("dependencies = [\n", 'dependencies = [\n    "idna>=3",\n', 1))
    assert tomllib.loads(pyproject.read_text())["project"]["dependencies"] == ["idna>=3", *before]
    result = lock_check(copy, tmp_path)
    assert result.returncode != 0, f"a dependency missing from uv.lock went unnoticed:\n{result.stdout}{result.stderr}"
    assert (copy / "uv.lock").read_text() == (ROOT / "uv.lock").read_text(), "--check must not rewrite the lock"


def test_the_bootstrap_uv_is_the_locked_uv() -> None:
    """requirements/uv.txt (pip's bootstrap), the dev extra and uv.lock name one uv, with the same hashes."""
    package = locked_uv()
    text = (ROOT / "requirements" / "uv.txt").read_text()
    [pinned] = re.findall(r"^uv==(\S+)", text, flags=re.MULTILINE)
    files = [package["sdist"], *package["wheels"]]
    assert pinned == package["version"], "requirements/uv.txt and uv.lock disagree: run `make lock`"
    assert set(re.findall(r"--hash=(sha256:[0-9a-f]{64})", text)) == {f["hash"] for f in files}
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["dev"]
    assert f"uv=={pinned}" in dev, "pin uv exactly in the dev extra, at the version of requirements/uv.txt"
    version = subprocess.run([UV, "--version"], capture_output=True, text=True, check=True).stdout
    assert version.split()[:2] == ["uv", pinned], f"the venv's uv is not the locked one: {version}"


def test_the_build_backend_is_pinned() -> None:
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    assert requires and all(re.fullmatch(r"[\w.-]+==[\w.]+", r) for r in requires), requires


def test_the_venv_holds_exactly_the_lock(tmp_path: Path) -> None:
    """What `make setup` installed is uv.lock for this Python, no more and no less (the project aside)."""
    flags = ("--frozen", "--extra", "dev", "--no-hashes", "--no-header", "--no-annotate", "--no-emit-project")
    exported = uv("export", *flags, cwd=ROOT, tmp_path=tmp_path)
    assert exported.returncode == 0, exported.stderr
    locked = {}
    for line in exported.stdout.splitlines():
        requirement, _, marker = line.partition(";")
        name, _, version = requirement.strip().partition("==")
        if not marker.strip() or Marker(marker).evaluate():
            locked[canonicalize_name(name)] = version
    site = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    installed = {
        canonicalize_name(d.metadata["Name"]): d.version for d in importlib.metadata.distributions(path=sorted(site))
    }
    assert installed.pop("recap") == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    differ = {
        n: (installed.get(n), locked.get(n))
        for n in installed.keys() | locked.keys()
        if installed.get(n) != locked.get(n)
    }
    assert not differ, (
        f"the venv is not uv.lock (installed, locked): {differ}; `rm .venv/.installed; make setup` syncs it"
    )
