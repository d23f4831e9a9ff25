# Peerkeeper: `make demo` runs the demo, `make test` runs the test suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PYTHON := .venv/bin/python
MANAGE := $(PYTHON) manage.py
# Debian packages the lab's routers, the browser tests and IRR prefix lists (bgpq4) need
# (installed when root).
SYSTEM_PACKAGES := frr frr-pythontools bird2 openssh-server iproute2 chromium bgpq4
PYTEST_ARGS ?=
# The lab instance whose routers the demo manages, and where the demo is served.
DEMO_LAB ?= $(or $(PEERKEEPER_LAB_INSTANCE),0)
DEMO_ADDRESS ?= 127.0.0.1:8000

.PHONY: help install irrd system-packages demo test test-sqlite lint format lab-up lab-down lab-status bench

help:
	@echo "make demo   - install, start the lab, load the demo inventory, serve http://127.0.0.1:8000"
	@echo "make test   - install and run the whole test suite (PostgreSQL if DATABASE_URL is set)"
	@echo "make lint   - ruff and the migrations check"
	@echo "make lab-up / lab-down / lab-status - the lab's real routers"
	@echo "make bench  - poll, deploy and render benchmarks on SQLite and PostgreSQL (minutes)"

# uv itself, when the machine has none: a private copy in .tools/.
.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

.venv/.installed: $(UV) pyproject.toml uv.lock drivers/napalm-frr/pyproject.toml drivers/napalm-bird/pyproject.toml $(wildcard local_requirements.txt)
	$(UV) sync --locked --inexact
	@if [ -f local_requirements.txt ]; then \
		echo "Installing local_requirements.txt"; \
		$(UV) pip install --python $(PYTHON) -r local_requirements.txt; \
	fi
	@touch $@

peerkeeper/configuration.py: | .venv/.installed
	$(PYTHON) -m peerkeeper.bootstrap

install: .venv/.installed peerkeeper/configuration.py

# IRRd, the IRR server the tests run locally (irr/irrd_server.py), in its own
# virtualenv: its pinned dependencies never meet Peerkeeper's.
.irrd-venv/.installed: irr/irrd-requirements.txt | .venv/.installed
	$(UV) venv --quiet --allow-existing --python $(PYTHON) .irrd-venv
	$(UV) pip install --quiet --python .irrd-venv/bin/python -r irr/irrd-requirements.txt
	@touch $@

irrd: .irrd-venv/.installed

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "Not root: not installing $$missing (the lab's routers will be unavailable)"; exit 0; \
	fi; \
	echo "Installing $$missing"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null

lint: install
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

test: install irrd system-packages lint
	$(PYTHON) -m pytest $(PYTEST_ARGS)

# The database-only part of the suite on the embedded SQLite, whatever DATABASE_URL says.
test-sqlite: install irrd
	env -u DATABASE_URL -u PEERKEEPER_DATABASE_URL $(PYTHON) -m pytest -m "not lab" $(PYTEST_ARGS)

format: install
	$(PYTHON) -m ruff format .
	$(PYTHON) -m ruff check --fix .

# manage.py demo refuses (one sentence, nothing changed) when another demo or program,
# from any checkout, uses the lab instance or the address is taken; it points the demo's
# r1 at DEMO_LAB's r1, and takes down only a lab it started.
demo: install system-packages
	@$(MANAGE) demo --lab-instance $(DEMO_LAB) --address $(DEMO_ADDRESS)

lab-up: install system-packages
	$(PYTHON) -m lab up

lab-down: install
	$(PYTHON) -m lab down

lab-status: install
	$(PYTHON) -m lab status

# Prints the figures for SQLite and for PostgreSQL (the server of DATABASE_URL, else
# postgresql://postgres@127.0.0.1:5432/); each benchmark uses a scratch database of its own.
bench: install
	$(PYTHON) -m bench all
