# Peerkeeper configuration.
#
# Copy this file to peerkeeper/configuration.py (`make` does it for you and fills in fresh
# keys). Every setting can also be given as an environment variable named PEERKEEPER_<NAME>
# (lists comma-separated, dictionaries as JSON); the environment wins over this file.
# DATABASE_URL may be given without the prefix.

# A long random string used by Django to sign sessions and tokens. Keep it secret.
SECRET_KEY = "change-me-to-a-long-random-string-of-at-least-32-characters"

# Keys that encrypt router and BGP session passwords in the database (Fernet keys; generate
# one with `manage.py generate_encryption_key`). The first key encrypts; every key listed
# can decrypt. To rotate: put a new key first, keep the old one after it, run
# `manage.py rotate_encryption_keys`, then remove the old key.
CREDENTIALS_ENCRYPTION_KEYS = ["REPLACE-WITH-THE-OUTPUT-OF-manage.py-generate_encryption_key"]

# Host names this instance answers to.
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

# Database. Without DATABASE_URL (or DATABASE) Peerkeeper uses an embedded SQLite file in
# DATA_DIR. For production use PostgreSQL, for example:
# DATABASE_URL = "postgresql://peerkeeper:password@localhost:5432/peerkeeper"
# or, as Peering Manager users know it:
# DATABASE = {"NAME": "peerkeeper", "USER": "peerkeeper", "PASSWORD": "...", "HOST": "localhost"}

# Where the embedded database and other runtime files live.
# DATA_DIR = "/var/lib/peerkeeper"

# Background jobs. "database" queues them in the database (nothing else to run);
# "rq" queues them in Redis for RQ workers on any number of machines.
# TASKS_BACKEND = "database"
# Redis, for background jobs when the RQ backend is used.
# REDIS_URL = "redis://127.0.0.1:6379/0"
# The queue's name: give each Peerkeeper installation that shares a Redis its own.
# JOB_QUEUE = "peerkeeper"
# Seconds a job may run before it is stopped and marked failed.
# JOB_TIME_LIMIT = 600
# Days finished jobs are kept (0 keeps them forever).
# JOB_RETENTION_DAYS = 90

# Days the change log keeps who changed what in the inventory (0 keeps it forever). The
# workers delete older entries, as they delete old jobs; `manage.py changelog --prune`
# does it by hand.
# CHANGELOG_RETENTION_DAYS = 365

# NAPALM: credentials and options used for every router that does not set its own.
NAPALM_USERNAME = ""
NAPALM_PASSWORD = ""
NAPALM_TIMEOUT = 30  # seconds
NAPALM_ARGS = {}  # optional arguments passed to the NAPALM driver
# How many routers are talked to at the same time.
# NAPALM_MAX_WORKERS = 16

# PeeringDB: where its API is, and an API key (optional; PeeringDB allows more requests
# with one). manage.py peeringdb_sync reads from it.
# PEERINGDB_URL = "https://www.peeringdb.com/api"
# PEERINGDB_API_KEY = ""
# Seconds per request; the longest wait a rate limit (HTTP 429) may ask for.
# PEERINGDB_TIMEOUT = 30
# PEERINGDB_MAX_WAIT = 300

# IRR prefix lists: the IRR server bgpq4 asks (a host name or IPv4 address, optionally
# with :port) and the sources it uses, in order (an empty list: all the server has).
# manage.py irr_refresh reads from it.
# IRR_HOST = "rr.ntt.net"
# IRR_SOURCES = ["RPKI", "AFRINIC", "APNIC", "ARIN", "LACNIC", "RIPE"]
# The largest prefix list kept per address family, counted after aggregation: an AS-set
# that expands to more is reported and its previous list kept (0: no limit).
# IRR_MAX_PREFIXES = 50000
# Seconds one bgpq4 run may take.
# IRR_TIMEOUT = 60
# Expand private and reserved ASNs (64496-65551, 4200000000 and above, 23456), which
# bgpq4 leaves out by default.
# IRR_ALLOW_PRIVATE_ASNS = False

# Limits of one configuration template render: a template that exceeds one fails with
# an error naming it. Seconds; characters of output; megabytes of memory.
# RENDER_TIME_LIMIT = 10
# RENDER_MAX_OUTPUT = 20000000
# RENDER_MEMORY_LIMIT = 1024

# DEBUG = False
# TIME_ZONE = "UTC"
# LOG_LEVEL = "INFO"
