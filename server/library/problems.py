"""A problem found in authored content, located precisely enough to fix it."""

from __future__ import annotations

import msgspec


class Problem(msgspec.Struct, frozen=True, order=True):
    """One thing wrong in one file. Sorted by file, then line.

    Shown as `PATH:LINE: message` (with `(at $.path)` when the field is known), or as
    `PATH $.path: message` when there is no line to point at.
    """

    path: str
    line: int = 0
    message: str = ""
    where: str = ""  # a `$.path` inside the file, when known

    def __str__(self) -> str:
        if self.line and self.where:
            return f"{self.path}:{self.line}: {self.message} (at {self.where})"
        if self.line:
            return f"{self.path}:{self.line}: {self.message}"
        # A problem with a whole folder has no line: it is located at the folder's root, `$`.
        return f"{self.path} {self.where or '$'}: {self.message}"


class ContentError(Exception):
    """Content that cannot be checked or published; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} problem(s) in content")
