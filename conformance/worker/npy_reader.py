"""The arrays a docs example's process saved (.npy files in its folder), read within bounds.

The example's process writes its recording's arrays into its folder, and the example's own
code runs in that process and that folder: it can put something else under any name the
recording gives, or make the recording name another file. A FIFO there blocks a reader
forever; a link can point at a host file; a 128-byte header can claim 80 GB, which
numpy.load allocates before reading. So an array is read only:

- under a name the recorder gives (`input-N.npy`, `pixels-N.npy`), from the folder opened
  without following a link, the file opened without following a link and without blocking;
- from a regular file whose header (NumPy format 1.0 or 2.0, a plain dtype: no objects, no
  fields) describes exactly the bytes that follow it, no more than `limit`;
- by reading those bytes, never by letting NumPy allocate what the header claims first.

Anything else is an ArrayFileError naming the file and what is wrong. The sandboxed worker
reads its own files with it (a probe reads the input it recorded) and so does the checker
(the pixels and inputs it judges), so no host process opens a path of the example's choosing.
"""

from __future__ import annotations

import io
import os
import re
import stat
from typing import Union

import numpy as np
from numpy.lib import format as npy_format

#: The largest array read: far beyond any documentation example's image.
MAX_ARRAY_BYTES = 256 * 1024 * 1024
#: The names the recorder (doc_example.Recorder) gives its files.
NAME = re.compile(r"^(?:input|pixels)-[0-9]{1,9}\.npy$")
_HEADER_BYTES = 10_000
_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)


class ArrayFileError(ValueError):
    """A file that is not an array the recorder wrote, or is larger than may be read."""


def load(folder: Union[str, os.PathLike], name: str, limit: int = MAX_ARRAY_BYTES) -> np.ndarray:
    """The array in `folder`/`name` (see the module's docstring); ArrayFileError when it
    cannot be read safely."""
    if not isinstance(name, str) or not NAME.match(name):
        raise ArrayFileError(f"{name!r} is not a name the recorder gives its arrays")
    try:
        folder_fd = os.open(folder, _FLAGS | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise ArrayFileError(f"{name}: its folder cannot be opened: {exc.strerror or exc}") from None
    try:
        fd = os.open(name, _FLAGS, dir_fd=folder_fd)
    except OSError as exc:
        raise ArrayFileError(f"{name}: cannot be opened (a link, or missing): {exc.strerror or exc}") from None
    finally:
        os.close(folder_fd)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit + _HEADER_BYTES:
        os.close(fd)
        raise ArrayFileError(f"{name}: not a regular file" if not stat.S_ISREG(info.st_mode) else
                             f"{name}: {info.st_size:,} bytes, more than the {limit:,} an array may have")
    with os.fdopen(fd, "rb") as handle:
        head = handle.read(_HEADER_BYTES + 16)
        return _array(name, head, handle, info.st_size, limit)


def _array(name: str, head: bytes, handle: io.BufferedReader, size: int, limit: int) -> np.ndarray:
    """The array after a header that must describe exactly the file's remaining bytes."""
    header = io.BytesIO(head)
    try:
        version = npy_format.read_magic(header)
        read_header = {(1, 0): npy_format.read_array_header_1_0, (2, 0): npy_format.read_array_header_2_0}[version]
        shape, fortran, dtype = read_header(header, max_header_size=_HEADER_BYTES)
    except (ValueError, KeyError, SyntaxError, TypeError, EOFError) as exc:
        raise ArrayFileError(f"{name}: not a NumPy 1.0 or 2.0 array file: {exc}") from None
    if dtype.hasobject or dtype.names is not None or dtype.subdtype is not None or dtype.itemsize == 0:
        raise ArrayFileError(f"{name}: dtype {dtype} is not a plain array's")
    if any(extent < 0 for extent in shape):
        raise ArrayFileError(f"{name}: its header gives the shape {shape}")
    count = 1
    for extent in shape:
        count *= int(extent)
    claimed = count * dtype.itemsize
    offset = header.tell()
    if claimed > limit:
        raise ArrayFileError(f"{name}: its header claims {claimed:,} bytes, more than the {limit:,} an array may have")
    if offset + claimed != size:
        raise ArrayFileError(f"{name}: its header claims {claimed:,} bytes of data; the file holds {size - offset:,}")
    array = np.empty(count, dtype=dtype)  # the size the file was checked to hold, read into place
    raw = array.view(np.uint8).reshape(-1).data
    done = len(head) - offset
    raw[:done] = head[offset:]
    while done < claimed:
        got = handle.readinto(raw[done:])
        if not got:
            raise ArrayFileError(f"{name}: changed while it was read")
        done += got
    return array.reshape(shape, order="F" if fortran else "C")
