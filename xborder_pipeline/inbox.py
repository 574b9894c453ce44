"""The nightly inbox: which files are new (by content), and where scored files go afterwards.

Files are known by the SHA-256 of their bytes, so a renamed or re-uploaded copy of a file already
scored is skipped, and an edited file with the same name is scored again. Files are never deleted;
with an archive folder they are moved there after a successful run.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

# What an inbox may hold; anything else (notes, half-written uploads) is left alone.
INBOX_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".json", ".ndjson", ".jsonl", ".xlsx")
_PARTIAL_MARKERS = (".part", ".partial", ".tmp", ".crdownload")


@dataclass(frozen=True)
class InboxFile:
    path: Path
    content_sha256: str
    size_bytes: int


def content_sha256(path: Path, chunk_bytes: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_bytes):
            digest.update(chunk)
    return digest.hexdigest()


def inbox_files(inbox: Path) -> list[InboxFile]:
    """The export files in the inbox folder (not its subfolders), by name."""
    if not inbox.is_dir():
        raise FileNotFoundError(f"inbox folder not found: {inbox}")
    found = []
    for path in sorted(inbox.iterdir()):
        name = path.name.lower()
        if not path.is_file() or name.startswith((".", "~$")) or name.endswith(_PARTIAL_MARKERS):
            continue
        if path.suffix.lower() in INBOX_SUFFIXES:
            found.append(InboxFile(path=path, content_sha256=content_sha256(path), size_bytes=path.stat().st_size))
    return found


def describe_files(paths: list[Path]) -> list[InboxFile]:
    return [InboxFile(path=path, content_sha256=content_sha256(path), size_bytes=path.stat().st_size) for path in paths]


def processed_files_rows(files: list[InboxFile], run_id: str, processed_at: datetime,
                         archive_dir: Path | None) -> pl.DataFrame:
    """Rows for the processed_files table, naming where each file will be archived."""
    return pl.DataFrame(
        {
            "content_sha256": [file.content_sha256 for file in files],
            "file_name": [file.path.name for file in files],
            "file_path": [str(file.path) for file in files],
            "size_bytes": [file.size_bytes for file in files],
            "run_id": [run_id] * len(files),
            "processed_at": [processed_at] * len(files),
            "archived_to": [str(archive_target(file.path, archive_dir, run_id)) if archive_dir else None
                            for file in files],
        },
        schema={
            "content_sha256": pl.String,
            "file_name": pl.String,
            "file_path": pl.String,
            "size_bytes": pl.Int64,
            "run_id": pl.String,
            "processed_at": pl.Datetime("us", "UTC"),
            "archived_to": pl.String,
        },
    )


def archive_target(path: Path, archive_dir: Path, run_id: str) -> Path:
    """archive_dir/<run_id>/<file name>: one folder per run, so equal names never collide."""
    return archive_dir / run_id / path.name


def archive(files: list[InboxFile], archive_dir: Path, run_id: str) -> list[Path]:
    """Move scored files into the archive; returns where they went."""
    moved = []
    for file in files:
        target = archive_target(file.path, archive_dir, run_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(file.path), target)
        moved.append(target)
    return moved
