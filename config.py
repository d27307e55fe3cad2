"""Configuration read from the environment: Config for running, TestConfig for the suite."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def database_url(raw: str | None, default: str) -> str:
    """Normalise a DATABASE_URL so that PostgreSQL always goes through psycopg 3."""
    url = raw or default
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL"), f"sqlite:///{INSTANCE_DIR / 'tracker.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    TRACKER_STORAGE_DIR = os.environ.get("TRACKER_STORAGE_DIR", str(INSTANCE_DIR / "evidence"))
    TRACKER_SERVICE_NAME = os.environ.get("TRACKER_SERVICE_NAME", "Inspection Readiness Tracker")
    # words no password may contain, whatever the case, digits, symbols or leetspeak around them: add the
    # council's and the area's names, comma-separated (tracker/auth/passwords.py)
    TRACKER_PASSWORD_BANNED_WORDS = os.environ.get(
        "TRACKER_PASSWORD_BANNED_WORDS", "council,send,ofsted,inspection,readiness"
    )
    TRACKER_STALE_AFTER_DAYS = int(os.environ.get("TRACKER_STALE_AFTER_DAYS", "30"))
    TRACKER_MAX_UPLOAD_MB = int(os.environ.get("TRACKER_MAX_UPLOAD_MB", "50"))
    # the dashboard's figures are kept per version of the data (tracker/main/services.py)
    TRACKER_CACHE_DASHBOARD = env_flag("TRACKER_CACHE_DASHBOARD", True)
    MAX_CONTENT_LENGTH = TRACKER_MAX_UPLOAD_MB * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_flag("TRACKER_SECURE_COOKIES", True)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = None
    # failed sign-in attempts allowed in a moving window, per account (the email typed; on the password form,
    # from one address) and per address (tracker/auth/throttle.py)
    TRACKER_SIGNIN_LIMIT_PER_ACCOUNT = os.environ.get("TRACKER_SIGNIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    TRACKER_SIGNIN_LIMIT_PER_ADDRESS = os.environ.get("TRACKER_SIGNIN_LIMIT_PER_ADDRESS", "50 per 15 minutes")
    # an account's failures from anywhere: after the fifth, a wait from this many seconds,
    # doubling each failure up to the cap
    TRACKER_SIGNIN_BACKOFF_FIRST_SECONDS = int(os.environ.get("TRACKER_SIGNIN_BACKOFF_FIRST_SECONDS", "5"))
    TRACKER_SIGNIN_BACKOFF_MAX_SECONDS = int(os.environ.get("TRACKER_SIGNIN_BACKOFF_MAX_SECONDS", "120"))
    # where the counts live: memory:// serves one process; give redis://host:6379/0 when
    # several workers or servers run
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = (
        True  # Redis unreachable: count in this process rather than fail sign-in
    )
    # a viewer's PDF, Word, Excel and pack exports, counted per person in a moving window; officers and
    # leaders are not limited (tracker/exports/throttle.py)
    TRACKER_VIEWER_EXPORT_LIMIT = os.environ.get("TRACKER_VIEWER_EXPORT_LIMIT", "10 per hour")
    # the roles that must turn on two-step verification before anything else (tracker/permissions.py
    # must_use_two_step): leaders and administrators unless relaxed;
    # an empty value makes it optional for everyone
    TRACKER_TWO_STEP_REQUIRED_ROLES = os.environ.get("TRACKER_TWO_STEP_REQUIRED_ROLES", "leader,admin")
    # a signed-in session ends after this long unused, and this long after sign-in (tracker/auth/sessions.py)
    TRACKER_IDLE_TIMEOUT_MINUTES = int(os.environ.get("TRACKER_IDLE_TIMEOUT_MINUTES", "30"))
    TRACKER_ABSOLUTE_TIMEOUT_HOURS = int(os.environ.get("TRACKER_ABSOLUTE_TIMEOUT_HOURS", "12"))
    # how many reverse proxies stand in front of the app and set X-Forwarded-*;
    # 0 trusts none (tracker/security.py)
    TRACKER_PROXY_HOPS = int(os.environ.get("TRACKER_PROXY_HOPS", "0"))
    # the PDF documents: Typst in a child process with these limits,
    # and the folders its fonts come from (tracker/exports/pdf.py)
    TRACKER_PDF_MEMORY_MB = int(os.environ.get("TRACKER_PDF_MEMORY_MB", "2048"))
    TRACKER_PDF_TIMEOUT_SECONDS = int(os.environ.get("TRACKER_PDF_TIMEOUT_SECONDS", "120"))
    TRACKER_PDF_THREADS = int(os.environ.get("TRACKER_PDF_THREADS", "1"))
    TRACKER_PDF_FONT_DIRS = tuple(
        os.environ.get("TRACKER_PDF_FONT_DIRS", "/usr/share/fonts/truetype/noto").split(os.pathsep)
    )
    # survey respondents' one-way ids are HMACs under this key; empty derives one from SECRET_KEY. Set it
    # before rotating SECRET_KEY, or later imports count returning respondents as new
    # (tracker/surveys/importer.py)
    TRACKER_RESPONDENT_KEY = os.environ.get("TRACKER_RESPONDENT_KEY", "")
    # the audit chain and the row fingerprints are HMACs under this key, kept outside the database; empty
    # derives one from SECRET_KEY. Keys used before a rotation (or old SECRET_KEYs), comma-separated, still
    # verify the events they wrote (tracker/audit.py, docs/audit.md)
    TRACKER_AUDIT_KEY = os.environ.get("TRACKER_AUDIT_KEY", "")
    TRACKER_AUDIT_PREVIOUS_KEYS = os.environ.get("TRACKER_AUDIT_PREVIOUS_KEYS", "")
    # reminders (`flask reminders send`, docs/reminders.md): smtp, notify, or empty for off; the address every
    # link starts with; the hour (London) from which each day's digests go out. Checked when the command runs,
    # which names a missing or wrong one in one line
    TRACKER_REMINDER_TRANSPORT = os.environ.get("TRACKER_REMINDER_TRANSPORT", "")
    TRACKER_BASE_URL = os.environ.get("TRACKER_BASE_URL", "")
    TRACKER_REMINDER_HOUR = os.environ.get("TRACKER_REMINDER_HOUR", "7")
    TRACKER_SMTP_HOST = os.environ.get("TRACKER_SMTP_HOST", "")
    TRACKER_SMTP_PORT = os.environ.get("TRACKER_SMTP_PORT", "")  # 587, or 465 with ssl, when empty
    TRACKER_SMTP_TLS = os.environ.get("TRACKER_SMTP_TLS", "starttls")  # starttls, ssl or none
    TRACKER_SMTP_USERNAME = os.environ.get("TRACKER_SMTP_USERNAME", "")
    TRACKER_SMTP_PASSWORD = os.environ.get("TRACKER_SMTP_PASSWORD", "")
    TRACKER_MAIL_FROM = os.environ.get("TRACKER_MAIL_FROM", "")
    TRACKER_NOTIFY_API_KEY = os.environ.get("TRACKER_NOTIFY_API_KEY", "")
    TRACKER_NOTIFY_TEMPLATE_ID = os.environ.get("TRACKER_NOTIFY_TEMPLATE_ID", "")
    TRACKER_NOTIFY_BASE_URL = os.environ.get("TRACKER_NOTIFY_BASE_URL", "")  # empty: the client's own
    # a Teams webhook address must be https; plain http to this machine (127.0.0.1, localhost) only with this
    # set, for a local stand-in of Teams (the suite runs with app.testing, which allows it too)
    TRACKER_TEAMS_ALLOW_HTTP = env_flag("TRACKER_TEAMS_ALLOW_HTTP", False)
    # the read API (/api/v1, docs/api.md): requests per token in a moving window (counted where the sign-in
    # limits are, RATELIMIT_STORAGE_URI); the most items a page may hold; how often a token's use is recorded
    # in the audit log and its last-used time (seconds; 0 records every request)
    TRACKER_API_RATE_LIMIT = os.environ.get("TRACKER_API_RATE_LIMIT", "120 per minute")
    TRACKER_API_MAX_LIMIT = int(os.environ.get("TRACKER_API_MAX_LIMIT", "500"))
    TRACKER_API_USE_RECORDED_SECONDS = int(os.environ.get("TRACKER_API_USE_RECORDED_SECONDS", "900"))
    # single sign-on by OpenID Connect (docs/sso.md): Microsoft Entra ID by its tenant id, or any provider
    # by its metadata address; off until a client id is given. TRACKER_OIDC_CREATE_VIEWERS: someone the
    # provider vouches for with no account here is made a viewer. TRACKER_SSO_REQUIRED_DOMAINS: email
    # domains, comma-separated, whose people may not sign in with a password
    TRACKER_OIDC_TENANT_ID = os.environ.get("TRACKER_OIDC_TENANT_ID", "")
    TRACKER_OIDC_METADATA_URL = os.environ.get("TRACKER_OIDC_METADATA_URL", "")
    TRACKER_OIDC_ISSUER = os.environ.get("TRACKER_OIDC_ISSUER", "")  # empty: the metadata address's own
    TRACKER_OIDC_CLIENT_ID = os.environ.get("TRACKER_OIDC_CLIENT_ID", "")
    TRACKER_OIDC_CLIENT_SECRET = os.environ.get("TRACKER_OIDC_CLIENT_SECRET", "")
    TRACKER_OIDC_BUTTON_LABEL = os.environ.get("TRACKER_OIDC_BUTTON_LABEL", "")
    TRACKER_OIDC_CREATE_VIEWERS = env_flag("TRACKER_OIDC_CREATE_VIEWERS", False)
    TRACKER_SSO_REQUIRED_DOMAINS = os.environ.get("TRACKER_SSO_REQUIRED_DOMAINS", "")
    TESTING = False


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL"), "sqlite://")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = False
    TRACKER_TWO_STEP_REQUIRED_ROLES = ""  # relaxed for the suite; tests/http/test_two_step.py turns it on
    TRACKER_CACHE_DASHBOARD = (
        False  # factories write no audit events; tests/http/test_dashboard.py turns it on
    )
