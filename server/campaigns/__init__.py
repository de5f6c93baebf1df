"""Campaigns as editors see them: whom each reaches, and what a chosen learner would be asked.

The rules are pure and live in sync/ (sync/enrollment.py, sync/plan.py); these modules load
what they need from the database and call them.
"""
