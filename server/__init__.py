"""Recap's server: the Litestar app, its storage, pages and the `recap` command."""

__version__ = "0.1.0"
