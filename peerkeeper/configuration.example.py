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

# Redis, for background jobs when the RQ backend is used.
# REDIS_URL = "redis://127.0.0.1:6379/0"

# NAPALM: credentials and options used for every router that does not set its own.
NAPALM_USERNAME = ""
NAPALM_PASSWORD = ""
NAPALM_TIMEOUT = 30  # seconds
NAPALM_ARGS = {}  # optional arguments passed to the NAPALM driver
# How many routers are talked to at the same time.
# NAPALM_MAX_WORKERS = 16

# DEBUG = False
# TIME_ZONE = "UTC"
# LOG_LEVEL = "INFO"
