.PHONY: test install serve bench bench-quick schema

# Install everything the tests need (Chromium included) and run the whole suite.
test:
	bash scripts/install-test-deps.sh
	python3 -m pytest

install:
	python3 -m pip install -e .

# The dashboard on the documented scenario.
serve: install
	backchannel serve

bench:
	python3 -m pip install -q -e ".[bench]"
	python3 -m benchmarks

bench-quick:
	python3 -m pip install -q -e ".[bench]"
	python3 -m benchmarks --quick

schema:
	backchannel schema -o docs/scenario.schema.json
