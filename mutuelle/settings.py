"""Settings read from the environment.

With nothing set this is the embedded default used by ``make run``: SQLite under
``var/``, no Redis (Celery uses a local filesystem transport), e-mails and SMS kept in the
development outbox. With ``DEBUG=false`` it is production: a real secret key and field
encryption keys are mandatory and the security settings pass ``check --deploy``.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

# Development keys: only ever accepted while DEBUG is on.
_DEV_SECRET_KEY = "dev-insecure-secret-key-do-not-use-in-production-0123456789"  # noqa: S105
_DEV_FIELD_KEY = "ZGV2LWZpZWxkLWVuY3J5cHRpb24ta2V5LW5vdC1zZWM="

SECRET_KEY = env("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", _DEV_FIELD_KEY if DEBUG else "")
if not DEBUG:
    if not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be set to a random value of 50+ characters.")
    if not FIELD_ENCRYPTION_KEYS or _DEV_FIELD_KEY in FIELD_ENCRYPTION_KEYS:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must list at least one Fernet key (newest first)."
        )
# Keyed hash used to find a NIR without decrypting (duplicates); defaults to a key
# derived from SECRET_KEY so that it never changes when encryption keys rotate.
FIELD_HASH_KEY = env("FIELD_HASH_KEY", SECRET_KEY)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Proxies in front of the site that append to X-Forwarded-For (0: the header is ignored).
# One number for the client address of the logs and of allauth's login limits.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Or the name of one header that the trusted proxy always sets to the client address.
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("TRUSTED_CLIENT_IP_HEADER") or None
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's widget templates, for the project's form renderer (FORM_RENDERER).
    "django.forms",
    "allauth",
    "allauth.account",
    "csp",
    "phonenumber_field",
    "django_filters",
    "health_check",
    "mutuelle",
    "enrolment",
    "dispensations",
    "member_requests",
    "contributions",
    "benefits",
    "conversations",
    "directory",
    "employer_portal",
    "member_portal",
    "portal",
    "backoffice",
    "demo",
    "benchmarks",
]

MIDDLEWARE = [
    # First, so that every log line of the request carries its id.
    "mutuelle.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "mutuelle.security_headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The session ends at the time its pages announce (mutuelle/session_timeout.py).
    "mutuelle.session_timeout.SessionDeadlineMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "enrolment.provisional.ProvisionalPasswordMiddleware",
]

ROOT_URLCONF = "mutuelle.urls"
WSGI_APPLICATION = "mutuelle.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mutuelle.context_processors.brand",
                "mutuelle.context_processors.session_timeout",
            ],
        },
    },
    {
        # Plain text (e-mail subjects and bodies, SMS): the same templates, never
        # HTML-escaped (« Martin & Fils », not « Martin &amp; Fils »). Used through
        # mutuelle.notifications.render_plain_text only.
        "NAME": "plain_text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# Every form field through one template (label, help, error, aria-describedby).
FORM_RENDERER = "mutuelle.forms.PortalFormRenderer"

# Persistent connections, one per gunicorn thread, checked before a request reuses one
# (a restarted PostgreSQL costs a reconnection, not a failed request).
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
        conn_health_checks=True,
    )
}
# The worker and the web process share the SQLite file: wait for locks, take them early.
# Write-ahead log: readers no longer wait for a writer's commit (nor block it), where
# SQLite's default journal made every page wait behind each login or task that wrote.
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent too: opening the file, setting WAL and registering Django's SQL
    # functions on every request was 12 % of the web workers' time under
    # ``make loadtest`` (p95 170–220 ms with a connection per request, 120–180 ms kept).
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
elif env_bool("DATABASE_PREPARED_STATEMENTS", True):
    # A page's queries are the same on every request with other values: psycopg prepares
    # a query run five times on a connection, and PostgreSQL then reuses its plan
    # (planning was a third of PostgreSQL's time per request in ``make loadtest``).
    # Needs parameters bound by the server. Off (false) behind a pooler in transaction
    # mode, which would hand a prepared statement's name to another connection.
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}

AUTH_USER_MODEL = "mutuelle.User"
# allauth's backend first: it finds a person by e-mail or username and checks the password
# once. Django's ModelBackend, tried first, looked the e-mail up as a username, found
# nobody and hashed the password anyway (its defence against timing attacks): every
# login paid two Argon2 computations. It stays listed for the sessions it opened
# (member_portal's invitation login names it).
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "mutuelle.passwords.FrenchCommonPasswordValidator"},
    {"NAME": "mutuelle.passwords.CharacterClassesValidator"},
]
# Argon2id first (see mutuelle.passwords); PBKDF2 stays listed so that older hashes
# still verify and are re-hashed with Argon2id at their owner's next login.
PASSWORD_HASHERS = [
    "mutuelle.passwords.MutuelleArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "fr-fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
LANGUAGES = [("fr", "Français")]
# The admin's phrases rewritten in French that fits any model name (locale/fr/…/django.po).
LOCALE_PATHS = [BASE_DIR / "locale"]
# The empty choice of a list filter (django-filter), instead of « --------- ».
FILTERS_EMPTY_CHOICE_LABEL = "Tous"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploaded and generated files are private: never served under a public URL, only
# through views that check who is asking.
# Code reaches them only through the default storage's API (open, save, delete, never a
# filesystem path): a folder on this machine, or an S3-compatible bucket shared by every
# web process and worker when S3_BUCKET is set.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
S3_BUCKET = env("S3_BUCKET")
if S3_BUCKET:
    _private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("S3_ENDPOINT_URL") or None,
            "access_key": env("S3_ACCESS_KEY_ID") or None,
            "secret_key": env("S3_SECRET_ACCESS_KEY") or None,
            "region_name": env("S3_REGION") or None,
            "location": env("S3_PREFIX"),
            # Objects stay private (no public ACL, no unsigned URL); a name already taken
            # gets a suffix, as on the filesystem.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            # Path-style addressing works with every S3-compatible server (virtual-host
            # style needs DNS for each bucket).
            "addressing_style": "path",
            "signature_version": "s3v4",
        },
    }
else:
    _private_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": "/fichiers-prives/"},
    }
STORAGES = {
    "default": _private_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

# Cache: Redis when configured (shared by all processes: login rate limits need it),
# otherwise a file cache under var/ shared by the web process and the worker.
# When Redis cannot be reached, the cache falls back to process memory with the error
# logged (mutuelle/cache.py): logging in keeps working, limits become per process.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "mutuelle.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "mutuelle.cache.EmbeddedFileCache",
            "LOCATION": str(VAR_DIR / "cache"),
            # Counted every 30 s, not on each write (mutuelle/cache.py): room for the
            # login counters of a few thousand addresses within their 5 minutes.
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

# Celery
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if not REDIS_URL:
    _queue_dir = VAR_DIR / "celery-queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        # Kombu's exchange table; its default is ``control/`` in the working directory.
        "control_folder": str(_queue_dir / "control"),
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The worker logs through LOGGING below (request ids), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Periodic jobs live here, in code; each task is idempotent (two beats are harmless).
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Expiry first (night), then the day's reminders in the morning, so that nobody is
    # reminded of a link that has just expired.
    "enrolment-expire": {
        "task": "enrolment.tasks.expire_enrolments",
        "schedule": crontab(hour=1, minute=0),
    },
    "enrolment-reminders": {
        "task": "enrolment.tasks.send_due_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    "member-cards-renew": {
        "task": "enrolment.tasks.renew_member_cards",
        "schedule": crontab(hour=3, minute=30),
    },
    # The day's credit transfers of reimbursements (one pain.001 file per day).
    "benefits-payment-batch": {
        "task": "benefits.tasks.generate_payment_batch",
        "schedule": crontab(hour=16, minute=0),
    },
    # Last month's relevés de prestations of the e-courriers members.
    "benefits-monthly-statements": {
        "task": "benefits.tasks.produce_monthly_statements",
        "schedule": crontab(day_of_month=1, hour=5, minute=0),
    },
}
# Outbox messages still pending this many minutes after being queued are queued again.
OUTBOX_REQUEUE_AFTER_MINUTES = int(env("OUTBOX_REQUEUE_AFTER_MINUTES", "10"))
CELERY_BEAT_SCHEDULE["outbox-requeue"] = {
    "task": "mutuelle.tasks.requeue_pending_messages",
    "schedule": crontab(minute="*/5"),
}
# File imports whose heartbeat (written every 1,000 rows) is older than this have lost
# their worker: the sweeper restarts them (3 attempts at most). It must exceed the final
# all-or-nothing transaction of the largest file, which writes no heartbeat.
IMPORT_HEARTBEAT_STALE_SECONDS = int(env("IMPORT_HEARTBEAT_STALE_SECONDS", "300"))
CELERY_BEAT_SCHEDULE["imports-sweep"] = {
    "task": "employer_portal.tasks.sweep_import_jobs",
    "schedule": crontab(),  # every minute
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# E-mail: every message is first recorded in the outbox (mutuelle.OutboxMessage), then
# handed to this backend by a Celery task. Development keeps a copy of each e-mail
# under var/mail; production uses SMTP.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
# No default SMTP host in production: ``check --deploy`` reports it missing.
EMAIL_HOST = env("EMAIL_HOST", "localhost" if DEBUG else "")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Mutuelle Avenir <ne-pas-repondre@example.fr>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# SMS: pluggable backend; the outbox backend keeps messages for the development outbox,
# the HTTP gateway backend posts them to the operator's API.
SMS_BACKEND = env(
    "SMS_BACKEND",
    "mutuelle.sms.OutboxSmsBackend" if DEBUG else "mutuelle.sms.HttpGatewaySmsBackend",
)
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL")
SMS_GATEWAY_USERNAME = env("SMS_GATEWAY_USERNAME")
SMS_GATEWAY_PASSWORD = env("SMS_GATEWAY_PASSWORD")
SMS_SENDER = env("SMS_SENDER", "MUTUELLE")
SMS_GATEWAY_TIMEOUT = 10

# Postal addresses typed in forms: the offline backend only puts them in La Poste's
# format; the production one checks them against the Base Adresse Nationale (and falls
# back to the offline one when the service does not answer).
ADDRESS_BACKEND = env(
    "ADDRESS_BACKEND",
    "mutuelle.address_check.OfflineAddressBackend"
    if DEBUG
    else "mutuelle.address_check.BanAddressBackend",
)
ADDRESS_API_URL = env("ADDRESS_API_URL", "https://api-adresse.data.gouv.fr/search/")
ADDRESS_API_TIMEOUT = float(env("ADDRESS_API_TIMEOUT", "3"))
# BAN scores run from 0 to 1; below this the best match is too uncertain to call verified.
ADDRESS_API_MIN_SCORE = float(env("ADDRESS_API_MIN_SCORE", "0.6"))

# The mutuelle's PAdES seal on signed dossiers (enrolment/signature/seal.py): PEM
# certificate and key (a self-signed pair is generated under VAR_DIR/seal/ when unset,
# development only: ``check --deploy`` requires them), and an optional RFC 3161
# timestamp server.
SEAL_CERT_FILE = env("SEAL_CERT_FILE")
SEAL_KEY_FILE = env("SEAL_KEY_FILE")
SEAL_KEY_PASSWORD = env("SEAL_KEY_PASSWORD")
SEAL_TSA_URL = env("SEAL_TSA_URL")
SEAL_TSA_TIMEOUT = 10

# seed_demo (public password, real messages) runs only in development; read here, as
# test runners switch settings.DEBUG off.
DEMO_SEED_ALLOWED = DEBUG

# The development outbox page (/dev/outbox/) exists only while this is on.
DEV_OUTBOX_ENABLED = env_bool("DEV_OUTBOX_ENABLED", DEBUG)

# Brand and contacts shown in pages, e-mails and PDFs.
MUTUELLE = {
    "name": env("MUTUELLE_NAME", "Mutuelle Avenir Santé"),
    "legal_notice": env(
        "MUTUELLE_LEGAL_NOTICE",
        "Mutuelle soumise aux dispositions du livre II du Code de la mutualité.",
    ),
    "address": env("MUTUELLE_ADDRESS", "12 rue des Lilas, 75011 Paris"),
    "company_help_phone": env("HELP_PHONE_COMPANY", "09 80 98 98 22"),
    "company_help_hours": env("HELP_HOURS_COMPANY", "du lundi au vendredi de 8 h 30 à 17 h 30"),
    "enrolment_help_phone": env("HELP_PHONE_ENROLMENT", "09 80 98 98 23"),
    "enrolment_help_hours": env(
        "HELP_HOURS_ENROLMENT",
        "du lundi au vendredi de 8 h 30 à 18 h 30 et le samedi de 8 h 30 à 12 h",
    ),
    "member_help_phone": env("HELP_PHONE_MEMBER", "09 80 98 00 18"),
    "contact_email": env("MUTUELLE_CONTACT_EMAIL", "contact@mutuelle-avenir.example.fr"),
    "sepa_creditor_name": env("SEPA_CREDITOR_NAME", "Mutuelle Avenir Santé"),
    # A made-up but well-formed ICS for development; production must set its own
    # (``check --deploy`` refuses a missing or invalid one, mutuelle/checks.py).
    "sepa_creditor_ics": env("SEPA_CREDITOR_ICS", "FR72ZZZ123456" if DEBUG else ""),
    # The account the reimbursements are paid from (pain.001 credit transfers).
    "benefits_debtor_iban": env(
        "BENEFITS_DEBTOR_IBAN", "FR7630004000030001234567897" if DEBUG else ""
    ),
    "benefits_debtor_bic": env("BENEFITS_DEBTOR_BIC", "BNPAFRPP" if DEBUG else ""),
}

# The member's tiers-payant card (carte mutualiste).
MEMBER_CARD = {
    # Numéro AMC: the insurer's number that health professionals bill under.
    "amc_number": env("MEMBER_CARD_AMC_NUMBER", "77553311"),
    "professional_help_phone": env("HELP_PHONE_PROFESSIONALS", "09 80 98 00 19"),
    "tiers_payant_domains": env_list(
        "MEMBER_CARD_TP_DOMAINS", "PHAR,LABO,RADL,AUXM,SAGE,DENT,OPTI,HOSP,CSTE,EXTE,TRSP,AUDI"
    ),
}
# « Contact & aide »: the members' line hours and the mediator named in complaint answers.
MEMBER_CONTACT = {
    "help_hours": env("HELP_HOURS_MEMBER", "du lundi au vendredi de 8 h 30 à 18 h"),
    "mediator_name": env("MEDIATOR_NAME", "Médiateur de la Mutualité Française"),
    "mediator_address": env(
        "MEDIATOR_ADDRESS",
        "FNMF, Service du Médiateur, 255 rue de Vaugirard, 75719 Paris Cedex 15",
    ),
    "mediator_url": env("MEDIATOR_URL", "https://www.mediateur-mutualite.fr"),
    "attachments_max": int(env("CONTACT_MAX_ATTACHMENTS", "3")),
    "attachment_max_bytes": int(env("CONTACT_ATTACHMENT_MAX_BYTES", str(5 * 1024 * 1024))),
}
# « Mes services »: the téléconsultation partner.
TELECONSULTATION = {
    "name": env("TELECONSULTATION_NAME", "Consult'Avenir"),
    "url": env("TELECONSULTATION_URL", "https://teleconsultation.example.fr"),
    "phone": env("TELECONSULTATION_PHONE", "01 86 65 55 15"),
}

# Accounts (django-allauth 65.x)
SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "landing"
ACCOUNT_ADAPTER = "mutuelle.accounts.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "mutuelle.accounts.LoginForm",
    "reset_password": "mutuelle.accounts.ResetPasswordForm",
    "reset_password_from_key": "mutuelle.accounts.ResetPasswordKeyForm",
    "change_password": "mutuelle.accounts.ChangePasswordForm",
}
# No e-mail to addresses that have no account (nothing to say, nothing to leak).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_MIN_LENGTH = 8
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "5/5m/key,20/5m/ip",
    "reset_password": "5/m/ip,3/5m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    # « Créer mon espace »: attempts per IP and per member number (member_portal).
    "member_account": env("MEMBER_ACCOUNT_RATE_LIMIT", "10/h/ip,5/h/key"),
}
# Correspondents' reset links are valid 5 minutes, as the seeds say.
PASSWORD_RESET_TIMEOUT = 5 * 60

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
# Pages warn this long before the session ends, with a button to extend it.
SESSION_WARNING_SECONDS = 5 * 60
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp 4): only the site's own scripts, styles, fonts and
# images; no inline script (a page needing one reads ``request.csp_nonce``), no plugin,
# no framing, forms post only here. The browser journeys fail on any violation.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Container healthchecks call the health endpoint over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# One line per event on standard output: time, level, logger, request id, client address
# (see mutuelle/request_context.py); gunicorn's access line carries the same id.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "mutuelle.request_context.RequestContextFilter"}},
    "formatters": {
        "operator": {
            "()": "mutuelle.request_context.UTCFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s "
            "client=%(client_ip)s %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "operator",
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler (DEBUG) would print its lines a second time.
        "django": {"handlers": [], "level": "INFO"},
        # WeasyPrint and fontTools narrate every PDF at INFO level.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Enrolment timings (days after the invitation).
INVITATION_VALIDITY_DAYS = int(env("INVITATION_VALIDITY_DAYS", "60"))
INVITATION_REMINDER_DAYS = [int(d) for d in env_list("INVITATION_REMINDER_DAYS", "7,21,45")]

# Dispensations: proof limits, notice before an end date and before the yearly
# re-justification; the daily job is idempotent (one message per key).
DISPENSATION_MAX_PROOFS = int(env("DISPENSATION_MAX_PROOFS", "5"))
DISPENSATION_PROOF_MAX_BYTES = int(env("DISPENSATION_PROOF_MAX_BYTES", str(5 * 1024 * 1024)))
# Files joined to a member request (« Mes demandes »): count and size per file.
MEMBER_REQUEST_MAX_FILES = int(env("MEMBER_REQUEST_MAX_FILES", "5"))
MEMBER_REQUEST_FILE_MAX_BYTES = int(env("MEMBER_REQUEST_FILE_MAX_BYTES", str(5 * 1024 * 1024)))
# The mutuelle's account credited by the contribution direct debits (pain.008).
SEPA_CREDITOR = {
    "iban": env("SEPA_CREDITOR_IBAN", "FR7630006000011234567890189" if DEBUG else ""),
    "bic": env("SEPA_CREDITOR_BIC", "AGRIFRPP" if DEBUG else ""),
}
# Card payment of arrears (« Régulariser »): the development backend is a payment page
# inside the portal; the production one a provider's hosted page with a signed
# (HMAC-SHA256) notification.
PAYMENT_BACKEND = env(
    "PAYMENT_BACKEND",
    "contributions.payments.DevelopmentPaymentBackend"
    if DEBUG
    else "contributions.payments.HostedPaymentBackend",
)
PAYMENT_PROVIDER_URL = env("PAYMENT_PROVIDER_URL", "")
PAYMENT_PROVIDER_API_KEY = env("PAYMENT_PROVIDER_API_KEY", "")
PAYMENT_NOTIFICATION_SECRET = env(
    "PAYMENT_NOTIFICATION_SECRET", "dev-payment-secret" if DEBUG else ""
)
DISPENSATION_END_REMINDER_DAYS = int(env("DISPENSATION_END_REMINDER_DAYS", "30"))
DISPENSATION_REJUSTIFICATION_NOTICE_DAYS = int(
    env("DISPENSATION_REJUSTIFICATION_NOTICE_DAYS", "30")
)
CELERY_BEAT_SCHEDULE["dispensations-daily"] = {
    "task": "dispensations.tasks.dispensations_daily",
    "schedule": crontab(hour=2, minute=0),
}

# Terminations take effect the day after their date, and portability periods (art.
# L911-8 CSS) end on their end date; the job is idempotent. The former employee's proof
# of unemployment benefits is asked at the start, then every N days.
PORTABILITY_PROOF_RENEWAL_DAYS = int(env("PORTABILITY_PROOF_RENEWAL_DAYS", "90"))
# Children passing the contract's age limit next year: told and scheduled once a year.
CELERY_BEAT_SCHEDULE["children-age-limits"] = {
    "task": "enrolment.tasks.review_children_age_limits",
    "schedule": crontab(month_of_year=12, day_of_month=1, hour=6, minute=0),
}
CELERY_BEAT_SCHEDULE["terminations-daily"] = {
    "task": "enrolment.tasks.terminations_daily",
    "schedule": crontab(hour=1, minute=30),
}
