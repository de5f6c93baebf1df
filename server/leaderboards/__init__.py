"""Leaderboards in the app, opt-in per organisation (docs/measures.md "Leaderboards")."""
