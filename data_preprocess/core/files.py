"""The one atomic file writer of the repository, and parquet writing on top of it.

Why atomic: a converter, the mix or an evaluation run can be interrupted at any point; a reader must
then see either the old file or the new one, never half a file. The data goes to a temp file in the
target's folder, is fsynced, and replaces the target with one rename.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from data_preprocess.core.schema import ROW_SCHEMA


def write_atomic(path: str | os.PathLike, data: bytes | str) -> Path:
    """Replace ``path`` with ``data`` (text is written as UTF-8); creates the folder; returns the path."""
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it owner-only; outputs are ordinary data files
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def parquet_bytes(table: pa.Table) -> bytes:
    """A table as parquet bytes that depend only on its rows (and the pinned pyarrow version).

    pyarrow directly (no pandas index metadata), fixed compression and one row group.
    """
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", row_group_size=max(table.num_rows, 1))
    return sink.getvalue().to_pybytes()


def write_table(table: pa.Table, path: str | os.PathLike) -> Path:
    """Write a ``ROW_SCHEMA`` table atomically and byte-deterministically."""
    if not table.schema.equals(ROW_SCHEMA):
        raise ValueError(f"{path}: table schema differs from ROW_SCHEMA:\n{table.schema}")
    return write_atomic(path, parquet_bytes(table))


def write_parquet(rows: list[dict[str, Any]], path: str | os.PathLike) -> Path:
    """Write rows (dicts in the ``ROW_SCHEMA`` layout) atomically and byte-deterministically."""
    return write_table(pa.Table.from_pylist(rows, schema=ROW_SCHEMA), path)
