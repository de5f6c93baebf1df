"""Daily reminders: Web Push to installed apps, email to everyone else (docs/operations.md).

rules.py decides who is due (pure); store.py holds the SQL; keys.py the server's VAPID key
pair; sender.py claims a day and sends; schedule.py runs the check in the server process;
routes.py is the HTTP API (docs/api.md).
"""
