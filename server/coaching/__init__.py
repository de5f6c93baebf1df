"""Coaching: what coaches, managers and reps read of observations and intervision sessions over
HTTP (docs/security.md "Coaching"). They are written only through sync (sync/kinds/); who may
read what is the guard's team scope (server/policy.py), not checked here."""
