"""Regenerate ``profile_pb2.py`` from ``profile.proto``.

Run ``python -m pprof_parse.proto.regen`` with the pinned ``grpcio-tools``
(a dev dependency). The generated module is committed, so users never need
protoc; its header names the protobuf runtime it needs (see pyproject.toml).
"""
from __future__ import annotations

import pathlib
import subprocess
import sys


def main() -> None:
    here = pathlib.Path(__file__).resolve().parent
    subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", f"-I{here}", f"--python_out={here}", "profile.proto"],
        check=True,
        cwd=here,
    )


if __name__ == "__main__":
    main()
