"""Resumable video uploads (tus 1.0.0) and the videos they make: docs/uploads.md.

Pure rules (protocol, sniff, ranges, retention), the store (SQL), the files on disk, the
transfer that ties them together, and the routes.
"""
