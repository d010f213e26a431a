# Set-up is two commands: `make run` and `make test`. Both install what they need.
PYTHON ?= python3
VENV := .venv
UV := .tools/bin/uv
UV_VERSION := 0.13.8
export UV_PROJECT_ENVIRONMENT := $(VENV)
DATABASE ?= data/ceasefire.db
# The demo reports: UCDP GED events in Syria, Dec 2016 – Jun 2017 (see its SOURCE.md).
DEMO_REPORTS := src/ceasefire/scenarios/data/ged_syria_2016-12_2017-06.csv

.PHONY: install run test test-fast bench lint clean

$(UV):
	$(PYTHON) -m pip install --quiet --target .tools uv==$(UV_VERSION)

# One test process per core; each module's tests stay together (module fixtures, built
# records), so a record is built once per process that runs tests on it.
XDIST := -n auto --dist loadscope

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet --python $(PYTHON)
	touch $@

install: $(VENV)/.installed

# The passphrase that seals the server's ledger key: yours from the environment, or one
# made once for the demo database, readable by you alone.
PASSPHRASE_FILE := $(dir $(DATABASE))server-passphrase
CEASEFIRE_ON = CEASEFIRE_SERVER_PASSPHRASE="$${CEASEFIRE_SERVER_PASSPHRASE:-$$(cat $(PASSPHRASE_FILE))}" \
	$(VENV)/bin/ceasefire --database-url sqlite:///$(1)
CEASEFIRE := $(call CEASEFIRE_ON,$(DATABASE))

$(PASSPHRASE_FILE):
	mkdir -p $(dir $@)
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(32))" > $@

# Web passwords for the demo accounts: made once, readable by you alone.
DEMO_LOGINS := $(dir $(DATABASE))demo-logins
DEMO_ACCOUNTS := ru-officer tr-officer ir-officer un-monitor secretariat analyst

$(DEMO_LOGINS):
	mkdir -p $(dir $@)
	umask 077 && for user in $(DEMO_ACCOUNTS); do \
	  echo "$$user $$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(15))')"; done > $@

# The demo database is made once, under another name and renamed when whole: a second
# `make run` keeps its record, its passwords and its sessions, and a failed first one
# leaves nothing half made behind.
$(DATABASE): | $(VENV)/.installed $(PASSPHRASE_FILE) $(DEMO_LOGINS)
	rm -f $@.new $@.new-wal $@.new-shm
	$(call CEASEFIRE_ON,$@.new) db upgrade
	$(call CEASEFIRE_ON,$@.new) scenario load syria-2016
	$(call CEASEFIRE_ON,$@.new) import $(DEMO_REPORTS) --format ucdp --party SEC
	while read -r user password; do echo "$$password" | \
	  $(call CEASEFIRE_ON,$@.new) account password "$$user" --stdin; done < $(DEMO_LOGINS)
	mv $@.new $@

# The guarantors' witnesses of the demo (RU, TR, IR: keys, state, ports 8101-8103).
WITNESSES := $(dir $(DATABASE))witnesses

# The witnesses run beside the server and stop with it. A server stopped by Ctrl-C or
# SIGTERM ends as it should, not as "Error 130/143".
run: install $(DATABASE)
	$(CEASEFIRE) db upgrade
	$(CEASEFIRE) witness demo $(WITNESSES) --prepare
	@echo "log in at http://127.0.0.1:8000/login with a username and password from $(DEMO_LOGINS)"
	$(CEASEFIRE) witness demo $(WITNESSES) & witnesses=$$!; \
	  trap 'kill $$witnesses 2>/dev/null' EXIT; \
	  CEASEFIRE_WITNESSES=$(WITNESSES)/witnesses.toml $(CEASEFIRE) serve; status=$$?; \
	  kill $$witnesses 2>/dev/null; wait $$witnesses; \
	  if [ $$status -eq 130 ] || [ $$status -eq 143 ]; then echo "server stopped"; \
	  else exit $$status; fi

test: install
	scripts/system-deps.sh
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy src
	$(VENV)/bin/lint-imports --no-cache --no-logo
	CEASEFIRE_REQUIRE_POSTGRES=1 scripts/with-postgres.sh $(VENV)/bin/pytest $(XDIST) $(PYTEST_ARGS)

# The developer's loop: SQLite only, without the browser and the slow tests.
test-fast: install
	$(VENV)/bin/pytest $(XDIST) -m "not slow and not browser" -k "not postgresql" $(PYTEST_ARGS)

bench: install
	$(UV) sync --frozen --quiet --group bench
	scripts/system-deps.sh --bench
	scripts/with-postgres.sh $(VENV)/bin/python -m bench $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy src
	$(VENV)/bin/lint-imports --no-cache --no-logo

clean:
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache
