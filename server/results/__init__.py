"""The link to commercial results: results imported from CSV, and the page that sets proficiency
beside them (docs/results.md)."""
