"""Settings shared by every environment. Everything that differs comes from the environment."""
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    # the product, lowest layer first
    "apps.core",
    "apps.accounts",
    "apps.notifications",
    "apps.org",
    "apps.plans",
    "apps.contracts",
    "apps.coaching",
    "apps.feedback",
    "apps.appraisals",
    "apps.interviews",
    "apps.appeals",
    "apps.pay",
    "apps.results",
    "apps.dashboards",
    "apps.policy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "apps.accounts.middleware.IdleSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.accounts.context_processors.navigation",
                "apps.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # transactions live in services
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # the embedded set-up: web, worker and beat share one file; wait for locks instead of failing
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 30, "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Single sign-on with OpenID Connect (apps/accounts/sso.py, README "Single sign-on"): off unless OIDC_ENABLED.
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid email profile")
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_MATCH = env("OIDC_MATCH", default="email")  # or "employee_number"
OIDC_EMPLOYEE_NUMBER_CLAIM = env("OIDC_EMPLOYEE_NUMBER_CLAIM", default="employee_number")
OIDC_CREATE_USER = env.bool("OIDC_CREATE_USERS", default=False)
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
OIDC_USE_PKCE = env.bool("OIDC_USE_PKCE", default=True)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=unknown"
SSO_EMPLOYEE_MODEL = "org.Employee"  # where employee numbers live (a model name: accounts does not import org)
SSO_REQUIRED = env.bool("SSO_REQUIRED", default=False)  # local passwords only for the break-glass accounts
SSO_BREAK_GLASS_USERS = env.list("SSO_BREAK_GLASS_USERS", default=["admin"])
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "apps.accounts.sso.EmployeeOIDCBackend"]

# django-axes: 5 failures lock the account for 15 minutes (set explicitly; library defaults differ)
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # one person at one address; an office NAT is not locked whole
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock does not slide: tries during it do not renew it
AXES_CLIENT_IP_CALLABLE = "apps.accounts.security.client_ip"
# Proxies in front of the web server whose X-Forwarded-For is trusted (0: use REMOTE_ADDR). Production behind
# one load balancer: TRUSTED_PROXY_COUNT=1. Without it everyone shares the proxy's address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Password spraying: failures from one address across all user names within a fixed window.
SIGNIN_ADDRESS_FAILURE_LIMIT = env.int("SIGNIN_ADDRESS_FAILURE_LIMIT", default=30)
SIGNIN_ADDRESS_WINDOW_MINUTES = 15
API_MAX_JSON_BYTES = env.int("API_MAX_JSON_BYTES", default=2 * 1024 * 1024)
API_MAX_JSON_DEPTH = 32
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=24 * 30)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)  # absolute; HR sets the idle timeout
SESSION_ACTIVITY_TOUCH_SECONDS = 60  # how often a busy session's last activity is written
SESSION_IDLE_TIMEOUT_DEFAULT_MINUTES = 480  # for a session started before HR's setting existed
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Front-end packages come from the npm registry at install time (package.json), never the repo.
for _pkg, _dir in [("htmx", "node_modules/htmx.org/dist"), ("chartjs", "node_modules/chart.js/dist"),
                   ("pico", "node_modules/@picocss/pico/css")]:
    if (BASE_DIR / _dir).is_dir():
        STATICFILES_DIRS.append((_pkg, BASE_DIR / _dir))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# E-mail: console by default, SMTP through EMAIL_URL (e.g. smtp+tls://user:pass@host:587)
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="绩效管理 <noreply@perfcycle.local>")
# The address people reach the product at: e-mails carry absolute links built from it.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Chat-app notifications (apps/notifications/chat.py): robots HR sets up in the product, or these variables.
CHAT_WEBHOOK_ALLOWED_HOSTS = env.list("CHAT_WEBHOOK_ALLOWED_HOSTS", default=[
    "qyapi.weixin.qq.com", "oapi.dingtalk.com", "open.feishu.cn", "open.larksuite.com"])
CHAT_WEBHOOK_ALLOW_HTTP = env.bool("CHAT_WEBHOOK_ALLOW_HTTP", default=False)
CHAT_WEBHOOK_TIMEOUT = env.int("CHAT_WEBHOOK_TIMEOUT", default=10)
CHAT_MAX_ATTEMPTS = env.int("CHAT_MAX_ATTEMPTS", default=6)
CHAT_RETRY_BASE_SECONDS = env.int("CHAT_RETRY_BASE_SECONDS", default=30)  # doubles per retry, at most 15 min
CHAT_WEBHOOKS_FROM_ENV = {  # app -> (webhook address, signing secret); each is a shared robot on for everyone
    "wecom": (env("NOTIFY_WECOM_WEBHOOK", default=""), ""),
    "dingtalk": (env("NOTIFY_DINGTALK_WEBHOOK", default=""), env("NOTIFY_DINGTALK_SECRET", default="")),
    "feishu": (env("NOTIFY_FEISHU_WEBHOOK", default=""), env("NOTIFY_FEISHU_SECRET", default="")),
}

# Celery: Redis when REDIS_URL is set, else kombu's filesystem transport (no server needed)
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_FOLDER = env("CELERY_BROKER_FOLDER", default=str(BASE_DIR / ".celery" / "broker"))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A message a dead worker took is handed out again after this many seconds: a little longer than
    # the longest task may run (CELERY_TASK_TIME_LIMIT), so a live task is never run twice at once.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=20 * 60)}
else:
    CELERY_BROKER_URL = "filesystem://"
    for _folder in (CELERY_BROKER_FOLDER, CELERY_BROKER_FOLDER + "-processed", CELERY_BROKER_FOLDER + "-control"):
        Path(_folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": CELERY_BROKER_FOLDER,
        "data_folder_out": CELERY_BROKER_FOLDER,
        "processed_folder": CELERY_BROKER_FOLDER + "-processed",
        "control_folder": CELERY_BROKER_FOLDER + "-control",
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# The cache holds sign-in counters and API throttles: shared by every process through Redis when it is
# there, per process otherwise (the embedded set-up runs one web process).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
          if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60  # under the broker's visibility timeout (20 min)
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Two queues so that heavy jobs never delay light ones: "light" (notifications, reminders, deadline
# scans: everything not named below) and "heavy" (opening and verifying a cycle, roll-ups, documents).
# `make run` starts one worker on both; production runs a worker service per queue (docker-compose.yml).
CELERY_TASK_DEFAULT_QUEUE = "light"
CELERY_HEAVY_TASKS = (
    "apps.appraisals.tasks.populate_cycle",
    "apps.appraisals.tasks.verify_appraisals",
    "apps.dashboards.tasks.*",
    "apps.*.tasks.build_*",
    "apps.*.tasks.render_*",
)
CELERY_TASK_ROUTES = {pattern: {"queue": "heavy"} for pattern in CELERY_HEAVY_TASKS}
CELERY_WORKER_QUEUES = "light,heavy"
CELERY_BEAT_SCHEDULE_FILENAME = env("CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / ".celery" / "beat-schedule"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # the token class first, so a request without credentials answers 401 with WWW-Authenticate
        "apps.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/min"),
        "user": env("API_THROTTLE_USER", default="1200/min"),
        "token": env("API_THROTTLE_TOKEN", default="10/min"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.parsers.LimitedJSONParser",  # size and depth limits: a clear 413/400, never a 500
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "apps.core.drf.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.drf.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PerfCycle API",
    "DESCRIPTION": "Performance management: organisation, plans, contracts, appraisals.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # one clear name per choice set shared by several serializers (apps name their own choices)
    "ENUM_NAME_OVERRIDES": {
        "NotificationDigestEnum": "apps.notifications.models.Digest",
        "CoachingRecordKindEnum": "apps.coaching.models.Kind",
        "CoachingNoteKindEnum": "apps.coaching.models.NoteKind",
        "CoachingChannelEnum": "apps.coaching.models.Channel",
        "PlanChangeKindEnum": "apps.plans.models.PlanItemChange.Kind",
        "PlanStatusEnum": "apps.plans.models.PlanStatus",
        "ContractStatusEnum": "apps.contracts.models.Status",
        "ReviewFrequencyEnum": "apps.org.models.ReviewFrequency",
        "AppraisalStatusEnum": "apps.appraisals.models.Status",
        "AppraisalCycleStatusEnum": "apps.appraisals.models.CycleStatus",
        "AppraisalStageEnum": "apps.appraisals.models.Stage",
        "InterviewStatusEnum": "apps.interviews.models.Status",
        "InterviewOverduePolicyEnum": "apps.interviews.models.OverduePolicy",
        "AppealKindEnum": "apps.appeals.models.Kind",
        "AppealStatusEnum": "apps.appeals.models.Status",
        "AppealConcernStatusEnum": "apps.appeals.models.ConcernStatus",
        "TalentLevelEnum": "apps.results.models.Level",
        "TalentActionKindEnum": "apps.results.models.ActionKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"

PRODUCT_NAME = _("Performance management")
