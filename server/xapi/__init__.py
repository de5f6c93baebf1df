"""xAPI 1.0.3 export: answers, nuggets read and shared observations as statements, downloaded or
pushed to a learning record store (docs/operations.md "xAPI")."""
