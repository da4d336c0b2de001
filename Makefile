# Two commands do all the set-up on a fresh machine:
#   make demo   builds .venv, then encodes, decodes and writes a synthesized clip
#   make test   builds .venv, then runs the whole test suite (slow tier included)
VENV ?= .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.codecreg-installed
PYTEST_ARGS ?=

S3_SITE := .cache/s3tokenizer-site

.PHONY: demo test test-fast system-deps s3tokenizer-site

demo: $(STAMP)
	$(VENV)/bin/codecreg demo --out out/demo

test: $(STAMP) system-deps s3tokenizer-site
	$(PYTHON) -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP) system-deps s3tokenizer-site
	$(PYTHON) -m pytest -m "not slow" $(PYTEST_ARGS)

# Headless Chromium checks the listening page of `codecreg compare`; espeak-ng speaks for the metric tests
# (Debian's packages; root only).
system-deps:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } \
		|| echo "chromium not installed: the listening-page test will skip (apt-get install chromium)"
	@# espeak-ng speaks the sentence the perceptual metrics' tests score (tests/study/test_perceptual_metrics.py)
	@command -v espeak-ng >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq espeak-ng >/dev/null; } \
		|| echo "espeak-ng not installed: the perceptual metrics' tests will skip (apt-get install espeak-ng)"

# examples/codecreg-s3tokenizer's tests: s3tokenizer imports onnx, whose protobuf (>= 4) descript-audiotools'
# pin (protobuf<3.20) rules out of .venv, so both go into a folder of their own, put on the path of those
# tests' child processes only (tests/core/test_example_s3tokenizer_plugin.py); their other needs are in .venv
s3tokenizer-site: $(S3_SITE)/.installed

$(S3_SITE)/.installed: $(STAMP)
	$(PYTHON) -m pip install --quiet --no-deps --target $(S3_SITE) s3tokenizer==0.3.0 onnx==1.23.2 protobuf==7.36.2 \
		'ml_dtypes>=0.5.4'
	touch $@

$(STAMP): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --constraint constraints.txt --editable '.[test]'
	touch $@
