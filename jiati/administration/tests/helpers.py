"""Writing small test tables (CSV here; the .xlsx path is the shared reader's, tested in core)."""

from __future__ import annotations

import csv
from pathlib import Path


def write_csv(tmp_path: Path, rows: list[list[str]], name: str = "table.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path
