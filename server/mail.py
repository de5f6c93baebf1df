"""Outgoing mail: by SMTP when RECAP_SMTP_HOST is set, otherwise an .eml file in var/mail/."""

from __future__ import annotations

import datetime
import logging
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from server.settings import Settings

log = logging.getLogger("recap.mail")


def message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.datetime.now(datetime.UTC))
    msg["Message-ID"] = make_msgid(domain="recap.local")
    msg.set_content(body)
    return msg


def send(settings: Settings, msg: EmailMessage) -> Path | None:
    """Deliver one message; returns the file written when there is no SMTP server. Never raises."""
    to = msg["To"]
    try:
        if not settings.smtp_host:
            folder = settings.mail_dir
            folder.mkdir(parents=True, exist_ok=True)
            stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
            path = folder / f"{stamp}-{secrets.token_hex(4)}.eml"
            # Written under another name, then renamed: whoever reads var/mail/ never sees half a message.
            partial = path.with_suffix(".partial")
            partial.write_bytes(bytes(msg))
            partial.replace(path)
            log.info("mail to %s (%s) written to %s", to, msg["Subject"], path)
            return path
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if settings.smtp_tls == "tls":
            smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=15, context=context)
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15)
        with smtp:
            if settings.smtp_tls == "starttls":
                smtp.starttls(context=context)
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(msg)
        log.info("mail to %s (%s) sent by %s", to, msg["Subject"], settings.smtp_host)
    except (OSError, smtplib.SMTPException) as error:
        log.error("mail to %s (%s) could not be sent: %s", to, msg["Subject"], error)
    return None


def send_code(settings: Settings, to: str, code: str, minutes: int) -> Path | None:
    body = (
        f"Your Recap sign-in code is {code}\n\n"
        f"Type it in the app within {minutes} minutes. It works once.\n\n"
        "If you did not ask for it, ignore this message: nobody can sign in without the code.\n"
    )
    return send(settings, message(settings, to, "Your Recap sign-in code", body))
