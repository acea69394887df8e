# Quick start: `make demo` opens the app on the embedded demo cluster; `make test` runs every test.
# Both set up what they need themselves (a venv in .venv, and the Debian tools the tests use).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: demo test setup setup-test system-deps bench lint clean

demo: $(VENV)/.installed-app
	$(VENV)/bin/clusterdeck --demo

test: $(VENV)/.installed-test system-deps
	$(VENV)/bin/lint-imports
	$(PY) -m mypy tui screens
	$(PY) -m pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed-app
setup-test: $(VENV)/.installed-test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-app: pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-app

# tmux drives the app as a user would; sshd and iproute2 give the playbook tests real SSH hosts
# in network namespaces. Installed only when missing, and only where we are root (CI is).
system-deps:
	@missing=""; \
	command -v tmux >/dev/null || missing="$$missing tmux"; \
	[ -x /usr/sbin/sshd ] || missing="$$missing openssh-server"; \
	command -v ip >/dev/null || missing="$$missing iproute2"; \
	command -v mkfs.ext4 >/dev/null || missing="$$missing e2fsprogs"; \
	command -v losetup >/dev/null || missing="$$missing mount"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "could not install$$missing: the tests that need them will say so"; \
	  else echo "not root, cannot install$$missing: the tests that need them will say so"; fi; \
	fi

bench: $(VENV)/.installed-test
	$(PY) bench/scale.py --scale 0.1
	$(PY) bench/scale.py --scale 1
	$(PY) bench/run.py
	$(PY) bench/soak.py
	$(PY) bench/paging.py

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check tui screens tests

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
