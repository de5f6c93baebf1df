"""Small pure helpers behind the content routes."""

from __future__ import annotations

import pytest

from server.routes.content import accepts_gzip


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("gzip;q=0", False),
        ("gzip;q=0.0", False),
        ("*", True),
        ("identity", False),
        ("", False),
        ("deflate", False),
    ],
)
def test_accepts_gzip(header: str, expected: bool) -> None:
    assert accepts_gzip(header) is expected


def test_malformed_quality_is_an_error_the_route_treats_as_no_gzip() -> None:
    with pytest.raises(ValueError):
        accepts_gzip("gzip;q=abc")
