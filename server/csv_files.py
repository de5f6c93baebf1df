"""What every CSV importer checks before reading rows (`recap users import`, `recap results
import`): the size, the encoding (UTF-8, with or without a BOM) and stray NUL bytes; and reading
a named file no further than one byte past the limit. Pure apart from `read_capped`."""

from __future__ import annotations

import sys

MIB = 1024 * 1024


class Unreadable(Exception):
    """The file as a whole cannot be read as CSV text: where (a line, 0 for the file) and why."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def csv_text(data: bytes, max_bytes: int) -> str:
    """The file's text, or `Unreadable`."""
    if len(data) > max_bytes:
        size = f"{max_bytes // MIB} MiB" if max_bytes >= MIB else f"{max_bytes} bytes"
        raise Unreadable(0, f"the file is larger than {size}: split it into several files")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start : error.start + 1].hex()
        raise Unreadable(line, f"not UTF-8 (byte 0x{byte}): save the file as 'CSV UTF-8'") from None
    if "\x00" in text:
        raise Unreadable(text.count("\n", 0, text.index("\x00")) + 1, "the file contains a NUL character: is it really a CSV file?")
    return text


def read_capped(path: str, max_bytes: int) -> bytes | None:
    """The file's bytes, at most one past `max_bytes` (enough to refuse it); None, with the
    reason printed, when it cannot be read."""
    try:
        with open(path, "rb") as f:
            return f.read(max_bytes + 1)
    except OSError as error:
        print(f"{path}: cannot read the file: {error.strerror}", file=sys.stderr)
        return None
