# Kepu Monitor (科普监测). `make demo` and `make test` each set up everything first.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN := $(UV) run --frozen
DBT := cd dbt_project && KEPU_WAREHOUSE=$${KEPU_WAREHOUSE:-../var/warehouse.duckdb} ../.venv/bin/dbt
# sqlfluff's dbt templater compiles the models, which needs a profile but queries nothing:
# an in-memory database, so linting neither needs nor locks the warehouse file.
SQLFLUFF := KEPU_WAREHOUSE=:memory: $(RUN) sqlfluff lint dbt_project
# chromium: the browser the dashboard tests drive through Playwright (never downloaded);
# postgresql: the server tests/test_postgres.py starts a throw-away cluster of (issue 13)
SYSTEM_PACKAGES := fonts-noto-cjk chromium postgresql

.PHONY: setup system demo test dev dev-server dashboard build bench lint format clean

# --compile-bytecode: the libraries' .pyc written once here. uv installs none, and where
# PYTHONDONTWRITEBYTECODE is set (as on this project's machines) every process compiled
# dagster, dbt, pandas … again: ~4.5 s of CPU per `kepu` command, ~3 s per dbt call.
setup: system  ## Python environment from uv.lock (installs uv itself if missing)
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| python3 -m pip install --quiet uv
	$(UV) sync --frozen --compile-bytecode

system:  ## Debian packages: a CJK font (Chinese in charts is not boxes), Chromium and PostgreSQL for tests
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends $$missing; \
		else echo "please install: $$missing (apt-get install $$missing)"; fi; \
	fi

demo: setup  ## generate the demo data, load it through Dagster, build, publish, serve
	$(RUN) kepu demo

# Tests run in TEST_WORKERS processes (pytest-xdist), a test file's tests in one of them so
# its module fixtures are built once; each process builds its own demo warehouse. Most of a
# test's time is one dbt or browser process on one core: two workers on two cores take
# ~20 min where one took ~28.
TEST_WORKERS ?= 2

test: setup  ## lint, then every test
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(SQLFLUFF)
	$(RUN) pytest -n $(TEST_WORKERS) --dist loadfile

dev: setup  ## the Dagster UI on http://localhost:3000
	mkdir -p var/dagster && KEPU_HOME=$${KEPU_HOME:-$$PWD/var} \
		DAGSTER_HOME=$${DAGSTER_HOME:-$$PWD/var/dagster} $(RUN) dagster dev -m orchestration.definitions

dev-server: setup  ## the Dagster UI with runs and events on the PostgreSQL server (deploy/dagster.yaml; KEPU_POSTGRES_*, KEPU_DAGSTER_DATABASE)
	mkdir -p var/dagster-server && cp deploy/dagster.yaml var/dagster-server/ \
		&& KEPU_HOME=$${KEPU_HOME:-$$PWD/var} DAGSTER_HOME=$$PWD/var/dagster-server \
		$(RUN) dagster dev -w deploy/workspace.yaml

dashboard: setup  ## the Streamlit dashboard on the published snapshot
	$(RUN) kepu dashboard

build: setup  ## dbt build and publish over what is loaded
	$(RUN) kepu build

bench: setup  ## survey estimation at national size beside the DuckDB floor and svy; a 200,000-row survey workbook loaded beside python-calamine and openpyxl; the dashboard beside a trivial page (after `make demo`); a district's files to snapshot on DuckDB and on a throw-away PostgreSQL cluster (or the server KEPU_POSTGRES_* names) beside a plain DuckDB script; JSON under KEPU_HOME/bench
	$(RUN) kepu bench survey --respondents 300000
	$(RUN) kepu bench ingest --rows 200000
	KEPU_HOME=$${KEPU_HOME:-$$PWD/var} $(RUN) kepu bench dashboard
	$(RUN) kepu bench rebuild --scale district --engine both

lint: setup  ## ruff and sqlfluff
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(SQLFLUFF)

format: setup
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

clean:
	rm -rf var dbt_project/target dbt_project/logs
