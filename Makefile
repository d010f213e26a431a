# Set-up is two commands: `make run` and `make test`. Both install what they need.
PYTHON ?= python3
VENV := .venv
UV := .tools/bin/uv
UV_VERSION := 0.13.8
export UV_PROJECT_ENVIRONMENT := $(VENV)
DATABASE ?= data/ceasefire.db
# The demo reports: UCDP GED events in Syria, Dec 2016 – Jun 2017 (see its SOURCE.md).
DEMO_REPORTS := src/ceasefire/scenarios/data/ged_syria_2016-12_2017-06.csv

.PHONY: install run test bench lint clean

$(UV):
	$(PYTHON) -m pip install --quiet --target .tools uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet --python $(PYTHON)
	touch $@

install: $(VENV)/.installed

run: install
	$(VENV)/bin/ceasefire --database-url sqlite:///$(DATABASE) db upgrade
	$(VENV)/bin/ceasefire --database-url sqlite:///$(DATABASE) scenario load syria-2016
	$(VENV)/bin/ceasefire --database-url sqlite:///$(DATABASE) import $(DEMO_REPORTS) \
		--format ucdp --party SEC
	$(VENV)/bin/ceasefire --database-url sqlite:///$(DATABASE) serve

test: install
	scripts/system-deps.sh
	$(VENV)/bin/ruff check src tests bench
	CEASEFIRE_REQUIRE_POSTGRES=1 scripts/with-postgres.sh $(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install
	$(UV) sync --frozen --quiet --group bench
	scripts/system-deps.sh --bench
	scripts/with-postgres.sh $(VENV)/bin/python -m bench $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check src tests bench

clean:
	rm -rf $(VENV) .tools .pytest_cache
