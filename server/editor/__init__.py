"""The content editor in the browser: drafts in SQLite, checked like files, published through the
one publisher (server/library/publish.py). docs/editor.md is the guide.

Pure rules (forms generated from the schema, merge and diff, quality figures, translation flags)
live in their own modules; `store` holds the SQL; `library` composes them with the publisher;
`routes`, `publishing` and `preview` are the pages.
"""
