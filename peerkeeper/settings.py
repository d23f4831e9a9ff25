"""Django settings, built from the validated configuration (see peerkeeper/config.py)."""

import ipaddress

from peerkeeper.config import (
    BASE_DIR,
    database_settings,
    load_configuration,
    rq_queues,
    tasks_settings,
)

CONFIG = load_configuration()

SECRET_KEY = CONFIG["SECRET_KEY"]
DEBUG = CONFIG["DEBUG"]
ALLOWED_HOSTS = CONFIG["ALLOWED_HOSTS"]
CSRF_TRUSTED_ORIGINS = CONFIG["CSRF_TRUSTED_ORIGINS"]
DATA_DIR = CONFIG["DATA_DIR"]
DATA_DIR.mkdir(parents=True, exist_ok=True)
CREDENTIALS_ENCRYPTION_KEYS = CONFIG["CREDENTIALS_ENCRYPTION_KEYS"]
REDIS_URL = CONFIG["REDIS_URL"]

# Background jobs (core/jobs.py): django-tasks with the database or the RQ backend.
TASKS_BACKEND = CONFIG["TASKS_BACKEND"]
JOB_QUEUE = CONFIG["JOB_QUEUE"]
JOB_TIME_LIMIT = CONFIG["JOB_TIME_LIMIT"]
JOB_RETENTION_DAYS = CONFIG["JOB_RETENTION_DAYS"]
TASKS = tasks_settings(CONFIG)
RQ_QUEUES = rq_queues(CONFIG)

NAPALM_USERNAME = CONFIG["NAPALM_USERNAME"]
NAPALM_PASSWORD = CONFIG["NAPALM_PASSWORD"]
NAPALM_TIMEOUT = CONFIG["NAPALM_TIMEOUT"]
NAPALM_ARGS = CONFIG["NAPALM_ARGS"]
NAPALM_MAX_WORKERS = CONFIG["NAPALM_MAX_WORKERS"]
# The lab's management range: connected to only while the connection stays on this
# machine (devices/lab_networks.py).
LOCAL_ONLY_NETWORKS = [ipaddress.ip_network(network) for network in CONFIG["LOCAL_ONLY_NETWORKS"]]

# PeeringDB (peeringdb/client.py): the API's address, the key sent with each request (its
# own rate limit, private data), seconds per request, and the longest wait a rate limit
# (HTTP 429) may ask before the synchronisation gives up.
PEERINGDB_URL = CONFIG["PEERINGDB_URL"]
PEERINGDB_API_KEY = CONFIG["PEERINGDB_API_KEY"]
PEERINGDB_TIMEOUT = CONFIG["PEERINGDB_TIMEOUT"]
PEERINGDB_MAX_WAIT = CONFIG["PEERINGDB_MAX_WAIT"]

# IRR prefix lists (irr/bgpq4.py): the IRR server bgpq4 asks (host or host:port) and its
# sources (empty: all of the server's), the largest list of a family kept (aggregated
# entries; 0: no limit), seconds per bgpq4 run, and whether private and reserved ASNs
# are expanded (bgpq4 -p).
IRR_HOST = CONFIG["IRR_HOST"]
IRR_SOURCES = CONFIG["IRR_SOURCES"]
IRR_MAX_PREFIXES = CONFIG["IRR_MAX_PREFIXES"]
IRR_TIMEOUT = CONFIG["IRR_TIMEOUT"]
IRR_ALLOW_PRIVATE_ASNS = CONFIG["IRR_ALLOW_PRIVATE_ASNS"]

# Limits of one template render (configs/sandbox.py): seconds, characters, megabytes.
RENDER_TIME_LIMIT = CONFIG["RENDER_TIME_LIMIT"]
RENDER_MAX_OUTPUT = CONFIG["RENDER_MAX_OUTPUT"]
RENDER_MEMORY_LIMIT = CONFIG["RENDER_MEMORY_LIMIT"]

DATABASES = {"default": database_settings(CONFIG)}

# The change log (changelog/): django-auditlog's LogEntry, one row per change, for the
# inventory models changelog.registry lists. Changes are stored as JSON values (numbers
# stay numbers, blank stays null); secrets are masked by changelog.masking before a row
# is written; entries older than CHANGELOG_RETENTION_DAYS are pruned by the workers.
CHANGELOG_RETENTION_DAYS = CONFIG["CHANGELOG_RETENTION_DAYS"]
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_MASK_CALLABLE = "changelog.masking.mask_secret"

# The menu: sections of (label, app, model) list pages; each is shown to users who may
# view that model (core.navigation).
MENU = [
    ("Devices", [("Routers", "devices", "router"), ("Platforms", "devices", "platform")]),
    (
        "Peering",
        [
            ("Autonomous systems", "peering", "autonomoussystem"),
            ("Internet exchanges", "peering", "internetexchange"),
            ("Connections", "peering", "connection"),
            ("BGP groups", "peering", "bgpgroup"),
            ("Direct sessions", "peering", "directpeeringsession"),
            ("IXP sessions", "peering", "internetexchangepeeringsession"),
        ],
    ),
    (
        "Policies",
        [
            ("Routing policies", "peering", "routingpolicy"),
            ("Communities", "peering", "community"),
            ("Tags", "peering", "tag", "taggit"),
        ],
    ),
    ("Configuration", [("Templates", "configs", "configtemplate")]),
    ("Jobs", [("Jobs", "core", "job")]),
    ("History", [("Change log", "auditlog", "logentry")]),
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Tags are one whatever their case ("Gold" is "gold"); peering.assignments.same_tags also
# takes a name for the tag whose slug it gives ("tier 1" is "tier-1").
TAGGIT_CASE_INSENSITIVE = True
# A tags box is comma-separated ("Tier 1, gold"), as its help says.
TAGGIT_TAGS_FROM_STRING = "peering.assignments.tags_from_string"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    *(["django_rq"] if TASKS_BACKEND == "rq" else []),
    "auditlog",
    "taggit",
    "core",
    "changelog",
    "devices",
    "peering",
    "peeringdb",
    "irr",
    "configs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login, except the login page itself (and the admin's own).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Who changes the inventory, and through which door (page, admin, API): the change log.
    "changelog.middleware.RecordingMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "peerkeeper.urls"
WSGI_APPLICATION = "peerkeeper.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "peerkeeper" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = CONFIG["TIME_ZONE"]
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # `collectstatic` fills it; whitenoise expects it to exist
STATICFILES_DIRS = [BASE_DIR / "peerkeeper" / "static"]
# The app serves its own static files (no CDN, works offline); straight from the apps'
# directories, so `collectstatic` is optional.
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

DJANGO_TABLES2_TEMPLATE = "core/table.html"

# The REST API (core/api/): tokens or the browser's session; the pages' permissions; pages
# of `?limit=` objects; errors as JSON; an OpenAPI 3 schema at /api/schema/.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "core.api.permissions.TokenWritePermission",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["core.api.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Peerkeeper API",
    "DESCRIPTION": "Routers, peers, Internet exchanges and BGP sessions; jobs on routers.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Requests and responses as separate components, so write-only fields (passwords)
    # appear only in requests.
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for a choice set several fields share (a session's state, a change's states),
    # and names apart for choice sets of fields named alike (a job's status, a router's).
    "ENUM_NAME_OVERRIDES": {
        "BGPStateEnum": "core.choices.BGPState",
        "JobStatusEnum": "core.choices.JobStatus",
        "StatusEnum": "core.choices.Status",
    },
    # Request bodies are documented as JSON; form data is the browsable API's convenience.
    "PARSER_WHITELIST": ["core.api.parsers.JSONParser"],
    # The documentation page's scripts and styles come from the installed sidecar, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOG_DIR = DATA_DIR / "logs"
LOG_DIR.mkdir(exist_ok=True)
# What Peerkeeper did (each deploy's diff, each poll) goes to a rotating file; the
# terminal, and so cron's mail, only gets Peerkeeper's own warnings and errors, one line
# each, and not those about one router's failure (marked core.log_format.ROUTER_DETAIL):
# the command prints that router's line already. Libraries (paramiko's tracebacks, say)
# write to the file only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "core.log_format.PrintableFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        },
        "one_line": {"()": "core.log_format.OneLineFormatter"},
    },
    "filters": {
        "skip_router_details": {"()": "core.log_format.SkipRouterDetails"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "one_line",
            "level": "WARNING",
            "filters": ["skip_router_details"],
        },
        "file": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": LOG_DIR / "peerkeeper.log",
            "maxBytes": 10_000_000,
            "backupCount": 5,
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["file"], "level": "WARNING"},
    "loggers": {
        name: {"level": CONFIG["LOG_LEVEL"], "handlers": ["console", "file"], "propagate": False}
        for name in ("core", "devices", "peering", "configs", "napalm_frr")
    },
}
