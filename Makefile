# Two entry points (see README.md): `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_PCAP ?= pcaps/v2-failover-kill.pcap

# Byte-code for the project's own modules: an editable install writes none where PYTHONDONTWRITEBYTECODE
# is set, and compiling every module at each start doubled `vrrpcap audit`'s start-up (0.45 s vs 0.2 s).
BYTECODE = $(BIN)/python -m compileall -q vrrpcap benchmarks > /dev/null

.PHONY: demo test lint pcaps system-deps docs-pictures clean bench bench-metrics fuzz

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	$(BYTECODE)
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed pyproject.toml
	$(BIN)/python -m pip install -q -e '.[dev,fuzz]'
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
	$(BYTECODE)
	$(BIN)/python -m pytest

# Time vrrpcap against tcpdump, tshark and scapy on generated captures (docs/performance.md).
bench: $(BIN)/.installed
	$(BYTECODE)
	$(BIN)/python -m benchmarks.run

# What live --metrics costs the capture at 10k adverts/s (root, tcpreplay; docs/metrics.md).
bench-metrics: $(BIN)/.installed-dev
	$(BIN)/python -m benchmarks.metrics_cpu

# Each atheris target in turn for FUZZ_SECONDS (docs/reliability.md): seeds generated from pcaps/ into
# $(FUZZ_OUT)/seeds, the grown corpus kept in $(FUZZ_OUT)/corpus, crashes in $(FUZZ_OUT)/crashes/<target>/,
# libFuzzer's log in $(FUZZ_OUT)/<target>.log. A target that crashes stops; the next one still runs.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= reader decoder analyzer
FUZZ_OUT ?= fuzz-out
fuzz: $(BIN)/.installed-dev
	$(BIN)/python -m fuzz.corpus $(FUZZ_OUT)/seeds
	@failed=""; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_OUT)/corpus/$$t $(FUZZ_OUT)/crashes/$$t; \
	  echo "fuzz $$t for $(FUZZ_SECONDS) s (log: $(FUZZ_OUT)/$$t.log)"; \
	  $(BIN)/python -m fuzz.run $$t $(FUZZ_OUT)/corpus/$$t $(FUZZ_OUT)/seeds/$$t \
	    -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -artifact_prefix=$(FUZZ_OUT)/crashes/$$t/ \
	    > $(FUZZ_OUT)/$$t.log 2>&1 || failed="$$failed $$t"; \
	  grep -E '^#[0-9]+.*(DONE|pulse)|^Done|stat::number_of_executed_units|stat::peak_rss_mb' $(FUZZ_OUT)/$$t.log | tail -n 4; \
	done; \
	if [ -n "$$failed" ]; then echo "crashes in:$$failed (see $(FUZZ_OUT)/crashes/)"; exit 1; fi

# Re-record the lab's captures (root; keepalived and FRR in network namespaces).
pcaps: $(BIN)/.installed system-deps
	LAB_WITH_FRR=1 ./scripts/install-system-deps.sh
	$(BIN)/python -m lab.record --out pcaps

# Redraw docs/img/ (timeline pictures, sample HTML report) from the lab's captures: docs/pictures.md.
docs-pictures: $(BIN)/.installed
	$(BIN)/python scripts/render_doc_pictures.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
