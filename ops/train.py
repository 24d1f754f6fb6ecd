"""Train the Rasa model only when config, domain or training data changed.

The model file is named after a hash of its inputs, so a cached model is found by name:
`var/models/<hash>.tar.gz`. `python -m ops.train` prints the model path.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from ops.stack import ROOT

__all__ = ["ensure_model", "inputs_hash", "model_inputs"]

RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"


def model_inputs(root: Path = ROOT) -> list[Path]:
    """Every file a training run reads: config, domain and all training data under bot/data."""
    data = sorted(p for p in (root / "bot" / "data").rglob("*") if p.suffix in {".yml", ".yaml"})
    return [root / "config.yml", root / "domain.yml", *data]


def inputs_hash(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for path in model_inputs(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def ensure_model(models_dir: Path, *, force: bool = False, quiet: bool = False) -> Path:
    """Return the cached model for the current inputs, training it first if it is missing."""
    name = f"bot-{inputs_hash()}"
    model = models_dir / f"{name}.tar.gz"
    if model.exists() and not force:
        if not quiet:
            print(f"  model up to date: {model}", file=sys.stderr)
        return model
    models_dir.mkdir(parents=True, exist_ok=True)
    print(f"  training Rasa model {name} (about 1-2 minutes)...", file=sys.stderr)
    argv = [
        str(RASA_BIN), "train", "--config", "config.yml", "--domain", "domain.yml",
        "--data", "bot/data", "--out", str(models_dir), "--fixed-model-name", name,
    ]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    log = models_dir / f"{name}.train.log"
    with log.open("wb") as out:
        result = subprocess.run(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0 or not model.exists():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise SystemExit(f"rasa train failed (exit {result.returncode}); log {log}:\n{tail}")
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    default_dir = ROOT / os.environ.get("DATA_DIR", "var") / "models"
    parser.add_argument("--models-dir", type=Path, default=default_dir)
    parser.add_argument("--force", action="store_true", help="retrain even if a cached model exists")
    args = parser.parse_args()
    print(ensure_model(args.models_dir, force=args.force))


if __name__ == "__main__":
    main()
