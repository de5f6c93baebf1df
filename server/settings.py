"""The server's settings: one typed object, read from `RECAP_*` variables and checked at once."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import msgspec

from sync.kinds.pitch import MAX_VIDEO_BYTES  # the pitch record's video_size limit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOG_LEVELS = ("debug", "info", "warning", "error")
SMTP_TLS_MODES = ("starttls", "tls", "none")


class SettingsError(ValueError):
    """A setting has a value the server cannot use; the message says how to fix it."""


class Settings(msgspec.Struct, kw_only=True, frozen=True):
    """Everything the app needs to know about where it runs."""

    db_path: Path = PROJECT_ROOT / "var" / "recap.db"
    host: str = "127.0.0.1"
    port: int = 8000
    content_dir: Path = PROJECT_ROOT / "content"
    pwa_dist: Path = PROJECT_ROOT / "pwa" / "dist"
    log_level: str = "info"
    # Apply pending migrations when the app starts. Off in tests that check readiness.
    migrate_on_start: bool = True
    # Accept `Authorization: Bearer dev:<user id>` as a sign-in. For development and tests
    # only, until sign-in by emailed code exists.
    dev_auth: bool = False
    # How long a request waits for the database's write lock before answering 503.
    busy_timeout_ms: int = 5_000
    # Peers (IP addresses or networks) whose X-Forwarded-For / X-Forwarded-Proto are believed
    # (docs/auth.md "Behind a proxy"). Empty: the socket peer is the client.
    trusted_proxies: tuple[str, ...] = ()
    # Sessions end after this long without a request, and this long after sign-in whatever happens.
    session_idle_minutes: int = 12 * 60
    session_max_days: int = 30
    # A device credential unused for this long stops working (using it renews it).
    device_idle_days: int = 60
    # Outgoing mail. Without an SMTP host, messages are written to var/mail/ as .eml files.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_tls: str = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    mail_from: str = "Recap <recap@localhost>"
    # The browser editor asks for a second pair of eyes: a draft is published only once it is
    # marked ready for review, and by an editor other than the one who wrote or marked it.
    editor_review: bool = False
    # Daily reminders (docs/operations.md "Reminders"): the check runs in the server every
    # this many seconds; RECAP_REMINDERS=0 turns sending off (the routes stay, nothing is sent).
    reminders: bool = True
    reminder_every_seconds: int = 60
    # Who push services may contact about this server's messages (the VAPID `sub` claim).
    push_contact: str = "mailto:recap@localhost"
    # Hosts whose plain-http push endpoints are accepted: for a test's own push service only.
    # Everything else must be https.
    push_insecure_hosts: tuple[str, ...] = ()
    # The app's address, for the link in reminder mail (empty: the mail has no link).
    public_url: str = ""
    # A learning record store for `recap xapi push` (docs/operations.md "xAPI"): its xAPI
    # endpoint (statements go to ENDPOINT/statements) and HTTP Basic credentials.
    lrs_endpoint: str = ""
    lrs_user: str = ""
    lrs_password: str = ""
    # Video pitches (docs/uploads.md): the largest video accepted, and how long an unfinished
    # upload may wait for its next bytes before it is refused (410) and its bytes deleted.
    max_video_bytes: int = MAX_VIDEO_BYTES
    upload_expiry_hours: int = 24
    # A PATCH body that sends nothing for this long is taken as dropped (what came is kept), so a
    # connection that died without closing does not hold its upload until TCP gives up.
    upload_idle_seconds: int = 30

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise SettingsError(
                f"RECAP_PORT={self.port} is not a port: use a whole number from 1 to 65535 "
                "(or 0 to let the system choose)"
            )
        if self.log_level not in LOG_LEVELS:
            raise SettingsError(
                f"RECAP_LOG_LEVEL={self.log_level!r} is not a log level: use one of "
                + ", ".join(LOG_LEVELS)
            )
        if self.db_path.exists() and self.db_path.is_dir():
            raise SettingsError(
                f"RECAP_DB={self.db_path} is a directory: give the path of a database file, "
                "e.g. var/recap.db"
            )

        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise SettingsError(
                    f"RECAP_TRUSTED_PROXIES: {proxy!r} is not an IP address or network: "
                    "use addresses such as 127.0.0.1 or 10.0.0.0/8, separated by commas"
                ) from None
        if self.session_idle_minutes < 1 or self.session_max_days < 1 or self.device_idle_days < 1:
            raise SettingsError(
                "RECAP_SESSION_IDLE_MINUTES, RECAP_SESSION_MAX_DAYS and RECAP_DEVICE_IDLE_DAYS must be at least 1"
            )
        if self.smtp_tls not in SMTP_TLS_MODES:
            raise SettingsError(
                f"RECAP_SMTP_TLS={self.smtp_tls!r} is not a TLS mode: use one of " + ", ".join(SMTP_TLS_MODES)
            )
        if not 1 <= self.smtp_port <= 65535:
            raise SettingsError(f"RECAP_SMTP_PORT={self.smtp_port} is not a port: use e.g. 587")
        if not 1 <= self.reminder_every_seconds <= 3600:
            raise SettingsError(
                f"RECAP_REMINDER_EVERY_SECONDS={self.reminder_every_seconds} is out of range: use 1 to 3600 (default 60)"
            )
        if not self.push_contact.startswith(("mailto:", "https://")):
            raise SettingsError(f"RECAP_PUSH_CONTACT={self.push_contact!r} must start with mailto: or https://")
        if self.public_url and not self.public_url.startswith(("https://", "http://")):
            raise SettingsError(f"RECAP_PUBLIC_URL={self.public_url!r} must be an http(s) address, e.g. https://recap.example.com")
        if not 1 <= self.max_video_bytes <= MAX_VIDEO_BYTES:
            raise SettingsError(
                f"RECAP_MAX_VIDEO_MIB gives {self.max_video_bytes} bytes: use 1 to {MAX_VIDEO_BYTES // 2**20} (MiB, default 200)"
            )
        if not 1 <= self.upload_expiry_hours <= 24 * 30:
            raise SettingsError(f"RECAP_UPLOAD_EXPIRY_HOURS={self.upload_expiry_hours} is out of range: use 1 to 720 (default 24)")
        if not 1 <= self.upload_idle_seconds <= 600:
            raise SettingsError(f"RECAP_UPLOAD_IDLE_SECONDS={self.upload_idle_seconds} is out of range: use 1 to 600 (default 30)")
        if self.lrs_endpoint and not self.lrs_endpoint.startswith(("https://", "http://")):
            raise SettingsError(f"RECAP_LRS_ENDPOINT={self.lrs_endpoint!r} must be an http(s) address, e.g. https://lrs.example.com/xapi")

    @property
    def mail_dir(self) -> Path:
        """Where mail goes when no SMTP server is configured: var/mail/ next to the database."""
        return self.var_dir / "mail"

    @property
    def var_dir(self) -> Path:
        """The folder beside the database where the server keeps its own files."""
        return self.db_path.parent


def _bool(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={raw!r} is not a yes/no value: use 1 or 0 (true or false)")


def _int(name: str, raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number: use digits only, e.g. 8000") from None


def _text(name: str, raw: str) -> str:
    return raw.strip()


def _lower(name: str, raw: str) -> str:
    return raw.strip().lower()


def _raw(name: str, raw: str) -> str:
    return raw


def _mib(name: str, raw: str) -> int:
    return _int(name, raw) * 1024 * 1024


def _path(name: str, raw: str) -> Path:
    return Path(raw)


def _list(name: str, raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


# Each variable, the setting it fills and how its text is read (a bad value names the variable).
_FROM_ENV: dict[str, tuple[str, Callable[[str, str], object]]] = {
    "RECAP_DB": ("db_path", _path),
    "RECAP_HOST": ("host", _raw),
    "RECAP_CONTENT": ("content_dir", _path),
    "RECAP_PWA_DIST": ("pwa_dist", _path),
    "RECAP_LOG_LEVEL": ("log_level", _lower),
    "RECAP_MIGRATE": ("migrate_on_start", _bool),
    "RECAP_BUSY_TIMEOUT_MS": ("busy_timeout_ms", _int),
    "RECAP_DEV_AUTH": ("dev_auth", _bool),
    "RECAP_TRUSTED_PROXIES": ("trusted_proxies", _list),
    "RECAP_SESSION_IDLE_MINUTES": ("session_idle_minutes", _int),
    "RECAP_SESSION_MAX_DAYS": ("session_max_days", _int),
    "RECAP_DEVICE_IDLE_DAYS": ("device_idle_days", _int),
    "RECAP_SMTP_HOST": ("smtp_host", _text),
    "RECAP_SMTP_PORT": ("smtp_port", _int),
    "RECAP_SMTP_TLS": ("smtp_tls", _lower),
    "RECAP_SMTP_USER": ("smtp_user", _raw),
    "RECAP_SMTP_PASSWORD": ("smtp_password", _raw),
    "RECAP_MAIL_FROM": ("mail_from", _text),
    "RECAP_EDITOR_REVIEW": ("editor_review", _bool),
    "RECAP_REMINDERS": ("reminders", _bool),
    "RECAP_REMINDER_EVERY_SECONDS": ("reminder_every_seconds", _int),
    "RECAP_PUSH_CONTACT": ("push_contact", _text),
    "RECAP_PUSH_INSECURE_HOSTS": ("push_insecure_hosts", _list),
    "RECAP_PUBLIC_URL": ("public_url", _text),
    "RECAP_LRS_ENDPOINT": ("lrs_endpoint", _text),
    "RECAP_LRS_USER": ("lrs_user", _raw),
    "RECAP_LRS_PASSWORD": ("lrs_password", _raw),
    "RECAP_MAX_VIDEO_MIB": ("max_video_bytes", _mib),
    "RECAP_UPLOAD_EXPIRY_HOURS": ("upload_expiry_hours", _int),
    "RECAP_UPLOAD_IDLE_SECONDS": ("upload_idle_seconds", _int),
}


def settings_from_env(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Read settings from `RECAP_*` variables (and `PORT`), then apply explicit overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {
        field: read(name, env[name]) for name, (field, read) in _FROM_ENV.items() if env.get(name)
    }
    port_name = "RECAP_PORT" if env.get("RECAP_PORT") else "PORT"
    if env.get(port_name):
        values["port"] = _int(port_name, env[port_name])
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)  # type: ignore[arg-type]
