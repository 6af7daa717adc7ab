# Consult: `make run` serves the demo, `make test` runs every test. Both set up a fresh
# machine themselves (Python 3.11+, Node.js 20+ with npm and make are assumed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app consult
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-sqlite test-postgresql lint format serve bench assets install clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

consult/static/consult.css: node_modules/.installed assets/consult.scss build-assets.mjs
	npm run --silent build

install: $(VENV)/.installed
assets: consult/static/consult.css

run: install assets
	$(FLASK) init-db
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install assets lint test-sqlite test-postgresql

test-sqlite: install assets
	CONSULT_TEST_DATABASE=sqlite $(BIN)/pytest

test-postgresql: install assets
	CONSULT_TEST_DATABASE=postgresql $(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

serve: install assets
	$(FLASK) init-db
	$(BIN)/gunicorn --workers $${WORKERS:-2} --bind $${BIND:-$(HOST):8000} 'consult:create_app()'

bench: install assets
	$(BIN)/python -m bench
	$(BIN)/python -m loadtest

clean:
	rm -rf $(VENV) node_modules consult/static/consult.css consult/static/consult.js consult/static/govuk-frontend.min.js
