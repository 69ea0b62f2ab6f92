"""Django settings for Baifang, read from the environment (see docs/admin-guide.md).

With nothing set, Baifang runs in debug mode on a local SQLite database: `make run` needs no
other service. Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from baifang.core.env import env_bool, env_choice, env_int, env_list, env_str
from baifang.core.tiles import resolve_tiles

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("BAIFANG_DATA_DIR", str(BASE_DIR.parent / "var")))

DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

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
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "import_export",
    "huey.contrib.djhuey",
    "django_tasks",
    "axes",
    "csp",
    "baifang.core",
    "baifang.org",
    "baifang.customers",
    "baifang.tiers",
    "baifang.rules",
    "baifang.commerce",
    "baifang.receivables",
    "baifang.visits",
    "baifang.followups",
    "baifang.complaints",
    "baifang.presets",
    "baifang.maps",
    "baifang.plans",
    "baifang.surveys",
    "baifang.care",
    "baifang.demo",
    "baifang.ops",
    "baifang.desk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "baifang.core.middleware.PageLocaleMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "baifang.core.middleware.RequestContextMiddleware",
    "baifang.core.queries.BadQueryMiddleware",
    "baifang.core.api.errors.ApiNotFoundMiddleware",
    "baifang.core.middleware.ProductErrorPagesMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the login page with its message
]

ROOT_URLCONF = "baifang.urls"
WSGI_APPLICATION = "baifang.wsgi.application"
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out sign-in before any password check
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Directory sign-in (R-SEC-2, optional extra `baifang[ldap]`; baifang/org/directory.py, docs/admin-guide.md):
# switched on by BAIFANG_LDAP_URI; asked before the local passwords, after the lockout check.
BAIFANG_LDAP = {
    "URI": env_str("BAIFANG_LDAP_URI", ""),
    "BIND_DN": env_str("BAIFANG_LDAP_BIND_DN", ""),
    "BIND_PASSWORD": env_str("BAIFANG_LDAP_BIND_PASSWORD", ""),
    "START_TLS": env_bool("BAIFANG_LDAP_START_TLS", default=False),
    "USER_BASE": env_str("BAIFANG_LDAP_USER_BASE", ""),
    "USER_FILTER": env_str("BAIFANG_LDAP_USER_FILTER", "(uid=%(user)s)"),
    "GROUP_BASE": env_str("BAIFANG_LDAP_GROUP_BASE", ""),
    "DENY_GROUP": env_str("BAIFANG_LDAP_DENY_GROUP", ""),
    "GROUP_POSITIONS": env_str("BAIFANG_LDAP_GROUP_POSITIONS", ""),
    "TIMEOUT": env_int("BAIFANG_LDAP_TIMEOUT_SECONDS", 5, minimum=1),
}
if BAIFANG_LDAP["URI"]:
    import importlib.util

    if not (importlib.util.find_spec("django_auth_ldap") and importlib.util.find_spec("ldap")):
        raise ImproperlyConfigured(
            'BAIFANG_LDAP_URI is set but directory sign-in is not installed: pip install "baifang[ldap]" '
            "(after apt-get install libldap-dev libsasl2-dev)"
        )
    if not BAIFANG_LDAP["USER_BASE"]:
        raise ImproperlyConfigured(
            "BAIFANG_LDAP_USER_BASE is needed with BAIFANG_LDAP_URI (where people are)"
        )
    AUTHENTICATION_BACKENDS.insert(1, "baifang.org.directory.DirectoryBackend")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "baifang.core.context_processors.baifang",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(DATA_DIR / "baifang.sqlite3")),
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- security (production) ------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- sign-in protection (R-SEC-2; docs/admin-guide.md) -------------------------------------
# django-axes counts failed sign-ins in the database and refuses further attempts for a cool-off;
# the login page explains the lockout. By default the account is locked (not the address: a whole
# office often shares one address behind NAT); "username_ip" locks the account only from that address.
AXES_FAILURE_LIMIT = env_int("BAIFANG_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("BAIFANG_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
_LOCKOUT_BY = env_choice("BAIFANG_LOGIN_LOCKOUT_BY", ("username", "username_ip", "ip"), "username")
AXES_LOCKOUT_PARAMETERS = {
    "username": ["username"],
    "username_ip": [["username", "ip_address"]],
    "ip": ["ip_address"],
}[_LOCKOUT_BY]
# axes.W006 warns that lockouts keyed on user agent or cookies can be dodged; an account lockout cannot.
SILENCED_SYSTEM_CHECKS = ["axes.W006"] if _LOCKOUT_BY == "username" else []
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "baifang.core.signin.lockout_response"
AXES_VERBOSE = False

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "baifang.core.api.authentication.ThrottledTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "baifang.core.api.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "baifang.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "baifang.core.api.schema.AutoSchema",
    # Keep the package's handler function (its schema generator documents errors only for it); our
    # domain errors are mapped by the handler class below (baifang.core.api.errors).
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "baifang.core.api.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
# API throttling (R-SEC-2): request rates per user / per address, and failed token sign-ins per address.
REST_FRAMEWORK.update(
    {
        "DEFAULT_THROTTLE_CLASSES": [
            "baifang.core.api.throttling.AnonRateThrottle",
            "baifang.core.api.throttling.UserRateThrottle",
        ],
        "DEFAULT_THROTTLE_RATES": {
            "anon": env_str("BAIFANG_API_ANON_RATE", "60/min"),
            "user": env_str("BAIFANG_API_USER_RATE", "1200/min"),
            "token_failure": env_str("BAIFANG_API_TOKEN_FAILURE_RATE", "10/min"),
        },
    }
)
# Bounds on what a query may ask for (baifang.core.filtersets): dates outside DATE_MIN..DATE_MAX and
# search strings over SEARCH_MAX_LENGTH are refused with a field-level 400, not sent to the database.
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
SEARCH_MAX_LENGTH = 100
# A JSON body nested deeper than this is refused (baifang.core.api.parsers.DepthLimitedJSONParser).
JSON_MAX_DEPTH = 32
DRF_STANDARDIZED_ERRORS = {"EXCEPTION_HANDLER_CLASS": "baifang.core.api.errors.ExceptionHandler"}
SPECTACULAR_SETTINGS = {
    "TITLE": "Baifang API",
    "DESCRIPTION": "Customer visit management — 客户拜访管理系统. All endpoints are under /api/v1/.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files (sidecar): no CDN at runtime (R-UX-1).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_standardized_errors.openapi_hooks.postprocess_schema_enums"],
    "ENUM_NAME_OVERRIDES": {
        "CustomerStatusEnum": "baifang.customers.choices.CustomerStatus",
        "VisitorKindEnum": "baifang.followups.models.showroom.VisitorKind",
        "StageEnum": "baifang.tiers.choices.ScreeningStage",
        "OpportunityStageEnum": "baifang.followups.choices.OpportunityStage",
        "OpportunityOpenStageEnum": "baifang.followups.choices.OPEN_STAGE_CHOICES",
        "AccessStatusEnum": "baifang.customers.choices.AccessStatus",
        "CareMessageChannelEnum": "baifang.care.choices.MessageChannel",
        "CareFeedbackSourceEnum": "baifang.care.choices.FeedbackSource",
        "SourceEnum": "baifang.tiers.choices.TierSource",
        "TouchChannelEnum": "baifang.visits.choices.Channel",
        "RuleChannelEnum": "baifang.rules.choices.RuleChannel",
        "SignatureMethodEnum": "baifang.visits.choices.SignatureMethod",
        "PurposeEnum": "baifang.visits.choices.Purpose",
        "SurveyCampaignStatusEnum": "baifang.surveys.choices.CampaignStatus",
        "SurveyChannelEnum": "baifang.surveys.choices.Channel",
        "SurveyResponseSourceEnum": "baifang.surveys.choices.ResponseSource",
        "SurveyStaffSourceEnum": "baifang.surveys.choices.STAFF_SOURCES",
        "ScaleEnum": "baifang.customers.choices.Scale",
        "SurveyScaleEnum": "baifang.surveys.choices.ScaleKind",
        "SurveyPurposeEnum": "baifang.surveys.choices.TemplatePurpose",
        "ComplaintStatusEnum": "baifang.complaints.choices.ComplaintStatus",
        "ComplaintChannelEnum": "baifang.complaints.choices.ComplaintChannel",
        "CreditTermsStatusEnum": "baifang.receivables.choices.CreditStatus",
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
    },
}

# --- background jobs (huey; crontabs in Beijing time) ---------------------------------------
HUEY_BACKEND = env_choice("HUEY_BACKEND", ("sqlite", "redis", "memory"), "sqlite")
if HUEY_BACKEND == "redis":
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "baifang",
        "url": env_str("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "utc": False,
        "immediate": False,
    }
elif HUEY_BACKEND == "memory":
    HUEY = {"huey_class": "huey.MemoryHuey", "name": "baifang", "utc": False, "immediate": True}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "baifang",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "utc": False,
        "immediate": env_bool("HUEY_IMMEDIATE", default=False),
    }
TASKS = {"default": {"BACKEND": "huey.contrib.djhuey.tasks_backend.HueyBackend"}}

# --- product settings -----------------------------------------------------------------------
# DATE_MIN / DATE_MAX (above, with the query bounds) also bound every date a person types: archive
# dates, follow-up due dates; read through baifang.core.validators.

BAIFANG = {
    # R-ARCH-5: new customers are registered within this many Chinese working days.
    "REGISTRATION_WORKDAYS": env_int("BAIFANG_REGISTRATION_WORKDAYS", 5, minimum=1),
    # Issue 17: lists count exactly up to this many rows; past it the count is labelled approximate
    # and the customer list pages by keyset ("load more").
    "LIST_COUNT_CAP": env_int("BAIFANG_LIST_COUNT_CAP", 10_000, minimum=1),
    # R-ARCH-8: default validity of an approved archive-access request, in days.
    "ACCESS_GRANT_DAYS": env_int("BAIFANG_ACCESS_GRANT_DAYS", 7, minimum=1),
    # R-FREQ-6: the company's home city and province, for "same city / same province / elsewhere" rules.
    "HOME_PROVINCE": env_str("BAIFANG_HOME_PROVINCE", "浙江省"),
    "HOME_CITY": env_str("BAIFANG_HOME_CITY", "杭州市"),
    # Map tiles (docs/maps.md): empty (the default: nothing is fetched, the maps draw the bundled
    # province boundaries), a preset (amap, amap-satellite, tencent, tianditu, tianditu-satellite, osm)
    # or a company's own URL template; BAIFANG_MAP_TILES_URL is the older name of the same setting.
    # The datum of a preset is the preset's; a custom URL's is BAIFANG_MAP_TILES_CRS (default GCJ02).
    "MAP_TILES": resolve_tiles(
        env_str("BAIFANG_MAP_TILES", "") or env_str("BAIFANG_MAP_TILES_URL", ""),
        crs=env_str("BAIFANG_MAP_TILES_CRS") or None,
        attribution=env_str("BAIFANG_MAP_TILES_ATTRIBUTION"),
        key=env_str("BAIFANG_MAP_TILES_KEY", ""),
        subdomains=env_str("BAIFANG_MAP_TILES_SUBDOMAINS") or None,
    ),
    # A rep's working day for route suggestions, in minutes since midnight (08:30–18:00).
    "DAY_START_MINUTES": env_int("BAIFANG_DAY_START_MINUTES", 510, minimum=0),
    "DAY_END_MINUTES": env_int("BAIFANG_DAY_END_MINUTES", 1080, minimum=1),
    # Road travel times (docs/routing.md): an OSRM-compatible table server on the intranet, e.g.
    # http://osrm.intranet:5000; empty (the default) = straight-line estimates, nothing is called.
    "ROUTING_OSRM_URL": env_str("BAIFANG_ROUTING_OSRM_URL", ""),
    "ROUTING_OSRM_PROFILE": env_str("BAIFANG_ROUTING_OSRM_PROFILE", "driving"),
    "ROUTING_OSRM_TIMEOUT_SECONDS": env_int("BAIFANG_ROUTING_OSRM_TIMEOUT_SECONDS", 5, minimum=1),
    # R-FREQ-10: a tier's share of customers this many points outside its expected share is flagged.
    "TIER_SHARE_TOLERANCE_POINTS": env_int("BAIFANG_TIER_SHARE_TOLERANCE_POINTS", 1, minimum=0),
    # R-VISIT-8: flags that hold a visit for review before it counts, and whether a too-short visit
    # counts (strict defaults; run `baifang recount_touches` after a change).
    "VISIT_SERIOUS_FLAGS": env_list("BAIFANG_VISIT_SERIOUS_FLAGS", ["far", "speed", "reused", "no_location"]),
    "VISIT_SHORT_VISITS_COUNT": env_bool("BAIFANG_VISIT_SHORT_VISITS_COUNT", default=False),
    # R-UX-2: a phone clock off the server's by more than this (minutes) flags what it sends offline.
    "CLOCK_SKEW_MAX_MINUTES": env_int("BAIFANG_CLOCK_SKEW_MAX_MINUTES", 5, minimum=1),
    # R-UX-1: a closed page-wide banner (e.g. the calendar warning) shows again after this many days.
    "BANNER_SNOOZE_DAYS": env_int("BAIFANG_BANNER_SNOOZE_DAYS", 14, minimum=1),
    # Backups (issue 18, docs/admin-guide.md "Backup and restore"): the nightly job writes one archive
    # a day here and keeps the newest of the last N days and of the last M weeks.
    "BACKUP_DIR": env_str("BAIFANG_BACKUP_DIR", str(DATA_DIR / "backups")),
    "BACKUP_KEEP_DAILY": env_int("BAIFANG_BACKUP_KEEP_DAILY", 7, minimum=0),
    "BACKUP_KEEP_WEEKLY": env_int("BAIFANG_BACKUP_KEEP_WEEKLY", 8, minimum=0),
    # PIPL: contacts of customers lost or blacklisted longer than this many years are listed for review.
    "PERSONAL_RETENTION_YEARS": env_int("BAIFANG_PERSONAL_RETENTION_YEARS", 3, minimum=1),
    # /readyz fails when the oldest job waiting in the queue has waited longer than this (minutes).
    "READY_QUEUE_MAX_MINUTES": env_int("BAIFANG_READY_QUEUE_MAX_MINUTES", 15, minimum=1),
}

# --- browser safety (R-SEC-2, R-UX-1): no inline script, nothing from the internet --------------
# Inline style attributes stay allowed (templates and Leaflet use them); script never runs inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", *BAIFANG["MAP_TILES"].csp_sources()],  # the tiles' hosts, if any
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if env_bool("BAIFANG_FAST_HASHER", default=False)
    else ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
)
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
FILTERS_EMPTY_CHOICE_LABEL = _("All")
DJANGO_TABLES2_TEMPLATE = "includes/table.html"
SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

# --- customer care (R-CARE-4): the message gateway per channel --------------------------------
# "log" (default: write to the log), "email" (Django's EMAIL_BACKEND), "webhook" (POST a signed
# JSON body to WEBHOOK_URL), or a dotted path to a class with the same send(). See docs/care.md.
BAIFANG_CARE = {
    "GATEWAYS": {
        "sms": env_str("BAIFANG_CARE_SMS_GATEWAY", "log"),
        "email": env_str("BAIFANG_CARE_EMAIL_GATEWAY", "log"),
    },
    "WEBHOOK_URL": env_str("BAIFANG_CARE_WEBHOOK_URL", ""),
    "WEBHOOK_SECRET": env_str("BAIFANG_CARE_WEBHOOK_SECRET", ""),
    "WEBHOOK_TIMEOUT": env_int("BAIFANG_CARE_WEBHOOK_TIMEOUT", 5, minimum=1),
    "WEBHOOK_RETRIES": env_int("BAIFANG_CARE_WEBHOOK_RETRIES", 2, minimum=0),
    "WEBHOOK_BACKOFF": env_int("BAIFANG_CARE_WEBHOOK_BACKOFF", 1, minimum=0),
}
