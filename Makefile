# Two commands set everything up on a fresh machine: `make demo` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: demo test test-fast validate bench sandbox-tools browser-tools xml-tools clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=23.1"
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# bubblewrap isolates student code; without it the grader falls back to rlimits and warns.
sandbox-tools:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null) || echo "warning: could not install bubblewrap"; \
	  else echo "warning: bubblewrap missing (apt-get install bubblewrap); student code gets rlimits only"; fi; }

# Headless Chromium for the tests that open the HTML pages in a real browser.
browser-tools:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "warning: could not install chromium"; \
	  else echo "warning: chromium missing (apt-get install chromium): browser tests will be skipped"; fi; }

# xmllint, to validate junit.xml against the JUnit schema kept in tests/schemas/.
xml-tools:
	@command -v xmllint >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && apt-get install -y -qq libxml2-utils >/dev/null) || echo "warning: could not install libxml2-utils"; \
	  else echo "warning: xmllint missing (apt-get install libxml2-utils): the junit.xml schema test will fail"; fi; }

demo: $(STAMP) sandbox-tools
	$(PY) examples/demo.py

test: $(STAMP) sandbox-tools browser-tools xml-tools
	$(PY) -m pytest -q

test-fast: $(STAMP) sandbox-tools xml-tools
	$(PY) -m pytest -q -m "not slow"

validate: $(STAMP) sandbox-tools
	$(VENV)/bin/grade validate

bench: $(STAMP) sandbox-tools
	$(PY) bench/bench_grade.py

clean:
	rm -rf $(VENV) demo-out .pytest_cache
