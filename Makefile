# Two commands do all the set-up on a fresh machine:
#   make demo   builds .venv, then encodes, decodes and writes a synthesized clip
#   make test   builds .venv, then runs the whole test suite (slow tier included)
VENV ?= .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.codecreg-installed
PYTEST_ARGS ?=

.PHONY: demo test test-fast system-deps

demo: $(STAMP)
	$(VENV)/bin/codecreg demo --out out/demo

test: $(STAMP) system-deps
	$(PYTHON) -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP) system-deps
	$(PYTHON) -m pytest -m "not slow" $(PYTEST_ARGS)

# Headless Chromium checks the listening page of `codecreg compare`; espeak-ng speaks for the metric tests
# (Debian's packages; root only).
system-deps:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } \
		|| echo "chromium not installed: the listening-page test will skip (apt-get install chromium)"
	@# espeak-ng speaks the sentence the perceptual metrics' tests score (tests/study/test_perceptual_metrics.py)
	@command -v espeak-ng >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq espeak-ng >/dev/null; } \
		|| echo "espeak-ng not installed: the perceptual metrics' tests will skip (apt-get install espeak-ng)"

$(STAMP): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --constraint constraints.txt --editable '.[test]'
	touch $@
