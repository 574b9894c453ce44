"""Errors about an input file as a whole (as opposed to one bad record, which becomes a reject)."""

from __future__ import annotations

from pathlib import Path


class InputFileError(Exception):
    """A file cannot be read at all; the run fails and the database is left as it was."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem

    def __reduce__(self) -> tuple[type[InputFileError], tuple[Path, str]]:
        # rebuilt from its two arguments, so that the error crosses process boundaries (Dask workers) intact
        return (type(self), (self.path, self.problem))
