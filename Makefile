# Two entry points (see README.md): `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_PCAP ?= pcaps/v2-failover-kill.pcap

.PHONY: demo test lint pcaps system-deps docs-pictures clean bench bench-metrics

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed pyproject.toml
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/vrrpcap audit $(DEMO_PCAP)
	$(BIN)/vrrpcap timeline $(DEMO_PCAP)

system-deps:
	./scripts/install-system-deps.sh

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

test: system-deps lint
	$(BIN)/python -m pytest

# Time vrrpcap against tcpdump, tshark and scapy on generated captures (docs/performance.md).
bench: $(BIN)/.installed
	$(BIN)/python -m benchmarks.run

# What live --metrics costs the capture at 10k adverts/s (root, tcpreplay; docs/metrics.md).
bench-metrics: $(BIN)/.installed-dev
	$(BIN)/python -m benchmarks.metrics_cpu

# Re-record the lab's captures (root; keepalived and FRR in network namespaces).
pcaps: $(BIN)/.installed system-deps
	LAB_WITH_FRR=1 ./scripts/install-system-deps.sh
	$(BIN)/python -m lab.record --out pcaps

# Redraw docs/img/ (timeline pictures, sample HTML report) from the lab's captures: docs/pictures.md.
docs-pictures: $(BIN)/.installed
	$(BIN)/python scripts/render_doc_pictures.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
