"""Writing files: never over an earlier output unasked, never half-written when interrupted."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "refuse_overwrite"]


def refuse_overwrite(path: str | os.PathLike, *, overwrite: bool, hint: str = "") -> None:
    """Raise ``FileExistsError`` if ``path`` exists and ``overwrite`` is off, so no earlier
    output is lost; ``hint`` is appended to the message.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> refuse_overwrite(target, overwrite=False)  # nothing there yet
    >>> _ = target.write_text("earlier")
    >>> refuse_overwrite(target, overwrite=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileExistsError: .../out.txt exists; pass overwrite=True to replace it
    """
    if Path(path).exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it{hint}")


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[str]:
    """A temporary file name beside ``path`` that replaces ``path`` when the block succeeds.

    Write to the yielded name; on normal exit it is renamed over ``path`` (atomic on one
    file system), on any error it is deleted and ``path`` is left as it was. Parent folders
    are created.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = pathlib.Path(tmp).write_text("done")
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
