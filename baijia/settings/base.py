"""Settings shared by every environment. Everything that differs between machines comes from the
environment (12-factor); see the table in README.md."""

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
# Replaced in production, where production.py refuses to start without a real key.
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-baijia-training-not-for-production")
# Encrypts sensitive personal data (school.identity); falls back to a key derived from SECRET_KEY.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Project apps first so their templates override Wagtail's and Django's.
    "accounts",
    "school",
    "jobs",
    "cms",
    "outbox",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.apps.BaijiaUsersAppConfig",  # wagtail.users with our user forms
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sitemaps",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the page cache, so a page served from it carries the policy too.
    "baijia.middleware.ContentSecurityPolicyMiddleware",
    # Early, so a cached public page skips sessions, auth and templates altogether.
    "cms.cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "school.middleware.remember_referral",
    "django.middleware.locale.LocaleMiddleware",
    "baijia.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After auth and messages: serves signed-in people the cached public pages with their own parts.
    "cms.cache.MemberPageCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Turns a sign-in refused for too many failures into the lockout answer (accounts.lockout).
    "axes.middleware.AxesMiddleware",
    # After messages (it adds one): tells the person when the follow-up of their request waits for the
    # broker (outbox.delays). It only adds a message or a header, so axes above still works as if last.
    "outbox.delays.DelayedWorkMiddleware",
]

ROOT_URLCONF = "baijia.urls"
WSGI_APPLICATION = "baijia.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.frame.site_frame",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # A SELECT 1 before each request's first query, so a connection the database dropped (a restart)
        # is replaced instead of failing that request: one more round trip on every request.
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes simultaneous writers wait for the lock instead of failing with
    # "database is locked"; WAL lets readers carry on while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: the outcome reports' wide aggregates looked expensive enough to compile on every run,
    # which took 3 s of 5 (bench outcomes); a web app's queries never repay the compile.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Parameters bound by the server, and psycopg prepares a statement the connection has run 5 times
    # (Django turns that off unless prepare_threshold is given): PostgreSQL then skips parsing and planning
    # it, half of its CPU per enrolment (1.6 ms fell to 0.8, bench enrolment). Off behind PgBouncer in
    # transaction mode, which cannot keep a connection's prepared statements.
    if env_bool("DB_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out account before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.PhoneOrEmailBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- Language and time ----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Files only their owners and staff may read (issued certificates, résumés, business licences): never
# under MEDIA_URL, served by views that check permissions.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private-media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Several web and worker machines share one media store: an S3-compatible bucket (AWS, MinIO, Aliyun OSS,
# Tencent COS …) when AWS_STORAGE_BUCKET_NAME is set, local folders otherwise. Credentials come from
# boto3's own chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or the machine's role), never settings.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    _bucket = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        # Uploads never replace another file of the same name (one student's résumé.pdf another's),
        # as on the file system.
        "file_overwrite": False,
    }
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        # Public media (images, documents): plain URLs, the bucket policy makes media/ readable.
        "OPTIONS": {
            **_bucket,
            "location": "media",
            "querystring_auth": False,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
        },
    }
    # Private files: read only through the views that check permissions; if a URL is ever made, it is
    # signed and short-lived.
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_bucket,
            "bucket_name": os.environ.get("AWS_PRIVATE_STORAGE_BUCKET_NAME") or AWS_STORAGE_BUCKET_NAME,
            "location": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
        },
    }
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Cache ----------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_cache(url: str) -> dict:
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "OPTIONS": {
            # The cache only saves work: while Redis is down every read misses and every write is dropped
            # (and logged), so pages are built from the database instead of failing.
            "IGNORE_EXCEPTIONS": True,
            # A Redis that does not answer costs a request at most this long, not a hung worker.
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }


DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True  # each miss an outage causes is logged, for the operator
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- E-mail: the console unless an SMTP host is given ---------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "百佳商务培训 <noreply@baijia.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------------------
# Without a broker, tasks run in-process at once, so the site works with nothing else installed.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
# Tasks report in the database (a batch's progress, a notification's emailed_at): nobody reads results.
# Ignored, sending a task never touches a result store, which with Redis down stalled each send for 20 s.
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only when done; if its worker dies, the broker hands it out again.
# Tasks are written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_WORKER_MAX_TASKS_PER_CHILD = 200
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Above every ETA we use, so Redis does not hand a delayed task out twice.
# A broker that does not answer is given one more try, then the task goes to the outbox (outbox/celery.py):
# a request waits at most about a second for it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60, "socket_connect_timeout": 1}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# Celery beat (run `celery -A baijia beat`): periodic jobs, in CELERY_TIMEZONE.
CELERY_BEAT_SCHEDULE = {
    # Tasks kept while the broker was down (outbox), sent as soon as it answers again.
    "send-unsent-tasks": {"task": "outbox.tasks.send_unsent_tasks", "schedule": 60.0},
    # Class certificate runs that stopped moving (their worker died) are picked up again.
    "resume-certificate-batches": {"task": "school.tasks.resume_certificate_batches", "schedule": 60.0},
    # Placements' 30/90/180-day follow-ups: ask the merchant and the graduate once each.
    "ask-job-follow-ups": {"task": "jobs.tasks.ask_follow_ups", "schedule": crontab(hour=10, minute=0)},
    # Job alerts' daily digest: each confirmed alert gets what is new for it, at most once.
    "send-job-alert-digests": {"task": "jobs.tasks.send_job_alert_digests", "schedule": crontab(hour=8, minute=0)},
    # Postings past their closing date leave the job board.
    "close-expired-job-postings": {"task": "jobs.tasks.close_expired_postings", "schedule": crontab(hour=0, minute=5)},
    # Certificates that expired yesterday stop counting in matching.
    "refresh-expired-certificates": {
        "task": "jobs.tasks.refresh_expired_certificates",
        "schedule": crontab(hour=0, minute=15),
    },
    # The outcome rows of students who enrolled since the last refresh (enrolling only marks them).
    "refresh-stale-outcomes": {"task": "jobs.tasks.refresh_stale_outcomes", "schedule": crontab(minute="*/5")},
    # The outcome rows rebuilt from the record (seconds at 100k enrolments), in case a write sent no signal.
    "rebuild-outcomes": {"task": "jobs.tasks.rebuild_outcomes", "schedule": crontab(hour=0, minute=20)},
    # The public outcomes page's figures, ready before anyone asks.
    "refresh-public-outcomes": {"task": "jobs.tasks.refresh_public_outcomes", "schedule": crontab(hour=0, minute=30)},
    # Sign-in records older than SIGN_IN_LOG_DAYS are deleted.
    "forget-old-sign-ins": {"task": "accounts.tasks.forget_old_sign_ins", "schedule": crontab(hour=3, minute=30)},
    # Last month's outcomes report (PDF) to staff, once a month.
    "send-monthly-outcomes-report": {
        "task": "jobs.tasks.send_monthly_outcomes_report",
        "schedule": crontab(day_of_month=1, hour=7, minute=0),
    },
}

# --- Wagtail --------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "百佳商务培训"
# The site's public address: links in e-mails, certificates' QR codes, credentials' issuer.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAIL_PASSWORD_RESET_ENABLED = True

# --- Certificates: verification and credentials ---------------------------------------------------
# The Ed25519 key that signs certificates' verifiable credentials, kept outside the database: the PEM
# text in CREDENTIAL_SIGNING_KEY, or else this file (`manage.py create_signing_key` creates it, 0600).
CREDENTIAL_SIGNING_KEY = os.environ.get("CREDENTIAL_SIGNING_KEY", "")
CREDENTIAL_SIGNING_KEY_FILE = Path(
    os.environ.get("CREDENTIAL_SIGNING_KEY_FILE", BASE_DIR / "var" / "keys" / "credential-ed25519.pem")
)
# Public verification, per client IP (django-ratelimit, in the default cache): enough for a person or
# a hiring desk, far too few to enumerate codes.
CERTIFICATE_VERIFY_RATE = os.environ.get("CERTIFICATE_VERIFY_RATE", "30/m")
CERTIFICATE_UPLOAD_RATE = os.environ.get("CERTIFICATE_UPLOAD_RATE", "10/m")
# While the cache (Redis) is down nothing can be counted: verification stays open rather than refusing
# everyone (enumerating codes takes far longer than an outage lasts).
RATELIMIT_FAIL_OPEN = True
CERTIFICATE_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
# A class's certificate run that has not moved for this long is queued again (its worker died: Redis
# would hand its message out again only after the visibility timeout). A worker that starts resumes
# every unfinished run at once.
CERTIFICATE_RESUME_AFTER_SECONDS = int(os.environ.get("CERTIFICATE_RESUME_AFTER_SECONDS", "120"))
# Behind N reverse proxies that append to X-Forwarded-For, REMOTE_ADDR is the proxy's: count the client
# N addresses from the right instead, for the rate limits above and the API's throttles (0: no proxy).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT:
    RATELIMIT_IP_META_KEY = "baijia.http.client_ip"

# --- Sign-in throttling (django-axes; accounts/lockout.py) ----------------------------------------------
# Every sign-in — the site's form, the API's token, the admin's — goes through authenticate(), which
# axes watches. Five failures for one account from one address: that pair waits 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The field every sign-in posts (form, API, admin); axes would otherwise read USERNAME_FIELD ("phone"),
# find nothing and count every account from one address as one.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.account_key"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# The same client address as the rate limits above (behind TRUSTED_PROXY_COUNT proxies).
AXES_CLIENT_IP_CALLABLE = "baijia.http.client_ip"
# Each sign-in (AccessLog) and each failed attempt (AccessFailureLog) is kept, with the address and the
# browser, for SIGN_IN_LOG_DAYS: six months, as the Cybersecurity Law (art. 21) asks of network logs; then
# beat deletes it (accounts.tasks.forget_old_sign_ins). The person sees theirs in My data.
AXES_DISABLE_ACCESS_LOG = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
SIGN_IN_LOG_DAYS = int(os.environ.get("SIGN_IN_LOG_DAYS", "180"))
AXES_VERBOSE = False

# --- API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # DRF's token scheme, with the user's roles read in the token's query.
        "accounts.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    # ScopedRateThrottle scopes, counted in the default cache.
    "DEFAULT_THROTTLE_RATES": {"certificate-verify": os.environ.get("CERTIFICATE_VERIFY_API_RATE", "30/min")},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT or None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Baijia Training API",
    "DESCRIPTION": "百佳商务培训 API: courses, enrolment, certificates, jobs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Served from the project (drf-spectacular-sidecar), never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Document our API only, not the Wagtail admin's internal endpoints.
    "PREPROCESSING_HOOKS": ["baijia.schema.only_public_api"],
    # DRF's own refusals (401, 403, 404, field errors), documented once for every operation.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "baijia.schema.document_error_responses",
        "baijia.schema.document_delayed_work",
    ],
    # One name per choice set that several serializers share.
    "ENUM_NAME_OVERRIDES": {
        "DistrictEnum": "school.models.enrolment.LUOYANG_DISTRICTS",
        "PayPeriodEnum": "jobs.models.PayPeriod",
        "EmploymentTypeEnum": "jobs.models.EmploymentType",
        "ApplicationStatusEnum": "jobs.models.Application.Status",
        "PostingStatusEnum": "jobs.models.JobPosting.Status",
        "MerchantStatusEnum": "jobs.models.Merchant.Status",
        "EnrollmentStatusEnum": "school.models.enrolment.Enrollment.Status",
        "CertificateStatusEnum": "school.models.certificates.Certificate.Status",
        "CertificateBatchStatusEnum": "school.models.certificates.CertificateBatch.Status",
        "CohortStatusEnum": "school.models.catalogue.Cohort.Status",
        "PlacementRoundStatusEnum": "jobs.models.PlacementRound.Status",
    },
}

# Wagtail's preview views allow their own same-origin frame; nothing else is ever framed.
X_FRAME_OPTIONS = "DENY"

# --- Content-Security-Policy (django-csp) ---------------------------------------------------------
# The public site and the API: scripts and styles only from our own files (no inline code, no eval),
# nothing framed, nothing framing us, forms posting only to us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
# Wagtail's admin (editors, choosers, the preview panel's same-origin frame) still runs inline scripts
# and styles, so /admin/ alone gets this looser policy (baijia.middleware.ContentSecurityPolicyMiddleware).
ADMIN_URL_PREFIX = "/admin/"
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [SELF],
        "form-action": [SELF],
    },
}
# No avatars from Gravatar: nothing loads from another site, and staff e-mail hashes stay here.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Wagtail's reference index runs as an immediate task on every save: one line each is noise.
        "django_tasks": {"level": "WARNING"},
        # WeasyPrint narrates each step of each document at INFO.
        "weasyprint.progress": {"level": "WARNING"},
        # Axes narrates every failed sign-in at INFO; failures and lockouts are WARNINGs.
        "axes": {"level": "WARNING"},
    },
}
