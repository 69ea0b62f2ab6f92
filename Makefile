# Baifang — the two commands (run, test) and their friends. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PG_URL ?= postgresql://postgres@127.0.0.1:5432/baifang
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test test-pg test-fast fuzz bench bench-routing bench-customers bench-compliance bench-load bench-plans bench-surveys bench-complaints bench-showroom bench-archive-import bench-care lint fmt worker messages clean

# Each step prints a line before it starts and its time when done: the first `make run` installs for a
# minute or two, and pip -q alone would say nothing meanwhile.
STEP = @printf '==> %s\n' 
TIMED = t0=$$(date +%s); trap 'printf "    (%s s)\n" $$(( $$(date +%s) - t0 ))' EXIT;

$(PY):
	$(STEP) "Creating the virtual environment $(VENV) with $(PYTHON) — 创建虚拟环境"
	@$(TIMED) $(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(STEP) "[install 1/2] Upgrading pip — 升级 pip"
	@$(TIMED) $(PIP) install -q --upgrade pip
	$(STEP) "[install 2/2] Installing Baifang and its dependencies from pyproject.toml (first time: a minute or two) — 安装依赖"
	@$(TIMED) $(PIP) install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PIP) install -q -e ".[dev]"
	touch $@

## make run: install, migrate SQLite, load demo data on first run, serve on http://127.0.0.1:8000
run: $(VENV)/.installed
	$(STEP) "[run 1/3] Migrating the SQLite database (first time: about a minute) — 初始化数据库"
	@$(TIMED) $(PY) manage.py migrate --noinput -v0
	$(STEP) "[run 2/3] Demo data on the first run, then the logins — 演示数据与登录账号"
	@$(TIMED) $(PY) manage.py bootstrap
	$(STEP) "[run 3/3] Serving http://127.0.0.1:8000/ (Ctrl-C stops) — 启动服务"
	$(PY) manage.py runserver 127.0.0.1:8000

## make worker: background jobs and the daily schedule (huey)
worker: $(VENV)/.installed
	$(PY) manage.py run_huey

## make test: the whole suite (unit, API, browser) on SQLite
# Browser tests run after the rest, in their own run: their live server flushes the test database,
# and a test that ran after them on the same worker would miss the migrations' seeded rows.
test: $(VENV)/.installed-dev
	$(PY) -m pytest -q -n 2 -m "not browser"
	$(PY) -m pytest -q -p no:xdist -m browser

## make test-pg: the whole suite on PostgreSQL (DATABASE_URL, default $(PG_URL))
test-pg: $(VENV)/.installed-dev
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(PY) -m pytest -q -n 2 -m "not browser"
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(PY) -m pytest -q -p no:xdist -m browser

test-fast: $(VENV)/.installed-dev
	$(PY) -m pytest -q -n 2 -m "not browser"

## make fuzz: schemathesis against a live server on a fresh demo database, as market and rep: 0 server errors, 0 schema violations
fuzz: $(VENV)/.installed-dev
	$(PY) tests/fuzz/run.py

## make lint: ruff and a migrations check
lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run -v1

fmt: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## make bench: every benchmark (needs PostgreSQL for the scale ones); results in benchmarks/results/
bench: bench-routing bench-customers bench-compliance bench-load bench-plans bench-surveys bench-complaints bench-showroom bench-archive-import bench-care bench-commerce

bench-routing: $(VENV)/.installed-dev
	$(PIP) install -q -e ".[bench]"
	$(PY) benchmarks/bench_routing.py

bench-customers: $(VENV)/.installed-dev
	$(PY) benchmarks/bench_customers.py

## make bench-compliance: compliance at 200,000 customers and 5,000,000 touches (after bench-customers)
bench-compliance: $(VENV)/.installed-dev
	$(PY) benchmarks/bench_compliance.py

## make bench-plans: one rep's month (600 customers, routes included) and 1,000 reps' months on 2 cores
bench-plans: $(VENV)/.installed-dev
	$(PY) benchmarks/bench_plans.py

## make bench-surveys: survey statistics for 50,000 responses × 15 items (< 1 s, PostgreSQL)
bench-surveys: $(VENV)/.installed-dev
	$(PY) benchmarks/bench_surveys.py

## make bench-complaints: the complaint list at 200,000 customers and 50,000 complaints (< 300 ms)
bench-complaints: $(VENV)/.installed-dev
	$(PY) benchmarks/bench_complaints.py

## make bench-showroom: a showroom's day (200 registrations, 12 reps) rotates in < 1 ms per arrival
bench-showroom: $(VENV)/.installed-dev
	$(PY) benchmarks/bench_showroom.py

## make bench-archive-import: 100,000 customer rows checked and written (< 2 min, PostgreSQL), with a bulk_create floor
bench-archive-import: $(VENV)/.installed-dev
	$(PY) benchmarks/bench_archive_import.py

## make bench-care: the daily care job at 200,000 customers / 400,000 contacts, festival window and ordinary day (< 60 s)
bench-care: $(VENV)/.installed-dev
	$(PY) benchmarks/bench_care.py

## make bench-commerce: one month's import (1,000,000 lines) vs a COPY floor, the nightly triggers, a customer's history, the ageing report (200,000 customers, 12,000,000 lines)
bench-commerce: $(VENV)/.installed-dev
	$(PY) benchmarks/bench_commerce.py

## make bench-load: check-in/out + record submit at 50 concurrent users over HTTP (gunicorn, PostgreSQL), with a retry storm
bench-load: $(VENV)/.installed-dev
	$(PY) benchmarks/bench_load.py

## make messages: refresh and compile the translation catalogues
messages: $(VENV)/.installed-dev
	cd baifang && ../$(PY) ../manage.py makemessages -l zh_Hans -l en --no-obsolete -i "static/*"
	cd baifang && ../$(PY) ../manage.py compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache
