# Two commands do everything: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

RASA_VENV := .venv-rasa
APP_VENV  := .venv
RASA      := $(RASA_VENV)/bin/rasa

# Custom NLU components (components/) and actions (actions/) import from the repo root.
export PYTHONPATH := $(CURDIR)
export BACKEND_URL ?= http://127.0.0.1:8000
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false
# endpoints.yml reads these (make run sets them from ACTIONS_PORT; `make shell` and `rasa test` use these)
export ACTION_SERVER_URL ?= http://127.0.0.1:5055/webhook
export RASA_TRACKER_DB ?= var/rasa_tracker.db

.PHONY: shell help install install-rasa install-app model run run-scaled test validate lint test-unit test-backend test-bot test-e2e test-stack test-stories bench bench-soak clean

help:
	@echo "make run   - install what is missing, train if needed, start every process (Ctrl-C stops all)"
	@echo "make run-scaled - the same with PostgreSQL, Redis, 2 replicas of each process behind HAProxy"
	@echo "make test  - install what is missing and run every check"
	@echo "make bench - benchmarks (cross-validation, latency, backend)"

install: install-rasa install-app
install-rasa:
	@scripts/setup_env.sh rasa
install-app:
	@scripts/setup_env.sh app

model: install-rasa
	@scripts/train_if_changed.sh

# Both run under supervisord (scripts/stack.py): a crashed process comes back; Ctrl-C stops all.
run: install model
	@scripts/ensure_env.sh
	@scripts/ensure_node_modules.sh || echo "ensure_node_modules: npm packages not installed; the report shows its tables without charts"
	@set -a && . var/run.env && set +a && exec $(APP_VENV)/bin/python scripts/stack.py embedded

# PostgreSQL and Redis (Debian packages, loopback) are started and stopped by with_postgres.sh;
# the PostgreSQL data is kept in var/scaled/pg between runs.
run-scaled: install model
	@scripts/ensure_env.sh
	@scripts/ensure_node_modules.sh || echo "ensure_node_modules: npm packages not installed; the report shows its tables without charts"
	@set -a && . var/run.env && set +a && WITH_REDIS=1 WITH_HAPROXY=1 PG_DATABASES="backend rasa gateway" \
	  PG_DATA_DIR=$${PG_DATA_DIR:-var/scaled/pg} scripts/with_postgres.sh $(APP_VENV)/bin/python scripts/stack.py scaled

# a terminal chat with the running assistant (start `make run` first, in another terminal)
shell: install-rasa install-app
	@test -f var/run.env || { echo "start \`make run\` first (it writes var/run.env)"; exit 1; }
	$(APP_VENV)/bin/honcho run -e var/run.env $(RASA) shell --model models/current.tar.gz --endpoints endpoints.yml --port 5006

validate: install-rasa
	$(RASA) data validate --fail-on-warnings

lint: install
	$(APP_VENV)/bin/ruff check .
	$(APP_VENV)/bin/mypy backend bot devtools
	$(APP_VENV)/bin/mypy --python-executable $(RASA_VENV)/bin/python --python-version 3.10 actions components rasa_channels

test-unit: install-rasa
	scripts/run_pytest.sh $(RASA_VENV)/bin/python tests/components tests/actions tests/data -q

test-backend: install-app
	scripts/run_pytest.sh $(APP_VENV)/bin/python tests/backend -q
	scripts/with_postgres.sh scripts/run_pytest.sh $(APP_VENV)/bin/python tests/backend -q

test-bot: install model
	scripts/run_pytest.sh $(APP_VENV)/bin/python tests/bot -q

test-e2e: install model
	scripts/run_pytest.sh $(APP_VENV)/bin/python tests/e2e -q

# the stacks exactly as make run / make run-scaled start them: kill-and-restart, scaled smoke test
test-stack: install model
	scripts/run_pytest.sh $(APP_VENV)/bin/python tests/stack -q

test-stories: model
	$(RASA) test core --model models/current.tar.gz --stories tests/stories --fail-on-prediction-errors --out var/results

test: install lint validate model test-unit test-backend test-bot test-e2e test-stack test-stories
	@echo "all checks passed"

bench: install model
	$(APP_VENV)/bin/python bench/bench_cross_validation.py
	$(APP_VENV)/bin/python bench/bench_long_questions.py
	$(APP_VENV)/bin/python bench/bench_latency.py
	$(APP_VENV)/bin/python bench/bench_backend.py

# soak + fault test, scaled vs embedded (10–20 minutes; stacks on free ports, loopback only)
bench-soak: install model
	$(APP_VENV)/bin/python bench/bench_soak.py

clean:
	rm -rf models var/results .rasa
