.PHONY: test install serve bench bench-quick schema reference

# Everything runs in the project's own virtual environment, .venv (created on first use).
PY = .venv/bin/python

# Install everything the tests need (Chromium included) and run the whole suite.
test:
	bash scripts/quickstart.sh test

install:
	bash scripts/venv.sh

# The dashboard on the documented scenario.
serve:
	bash scripts/quickstart.sh serve

bench:
	bash scripts/venv.sh bench
	$(PY) -m benchmarks

bench-quick:
	bash scripts/venv.sh bench
	$(PY) -m benchmarks --quick

# The committed JSON Schema and format reference, regenerated from the models.
schema:
	.venv/bin/backchannel schema -o docs/scenario.schema.json

reference:
	.venv/bin/backchannel schema --reference -o docs/format-reference.md
