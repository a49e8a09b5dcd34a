"""Files the service writes hold personal data (the database, edition PDFs with every paper
member's address, the secret key): they are readable by their owner only, whatever the umask."""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(path: str | os.PathLike[str]) -> Path:
    """The folder, created if missing (parents too), closed to other users of the machine."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    _restrict(folder, FOLDER_MODE)
    return folder


def private_file(path: str | os.PathLike[str]) -> Path:
    """The file, created empty if missing, readable and writable by its owner only."""
    file = Path(path)
    descriptor = os.open(file, os.O_CREAT | os.O_WRONLY, FILE_MODE)
    os.close(descriptor)
    _restrict(file, FILE_MODE)
    return file


def write_private(path: str | os.PathLike[str], content: bytes) -> Path:
    """Write ``content`` to a file that no other user can read, not even for a moment."""
    file = Path(path)
    descriptor = os.open(file, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
        with os.fdopen(descriptor, "wb") as out:
            descriptor = -1
            out.write(content)
    finally:
        if descriptor >= 0:
            os.close(descriptor)
    return file


def _restrict(path: Path, mode: int) -> None:
    try:
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except OSError:
        pass  # not ours to change (a shared folder the operator set up): left as it is
