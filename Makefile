# deboil's front door. `make demo` and `make test` are all a fresh machine needs.

CARGO    ?= cargo
BIN      := target/release/deboil
# The labelled pages of ../shared/eval (override: make eval EVAL_DIR=/data/eval).
EVAL_DIR ?= ../shared/eval
EVAL_SETS ?= dragnet wcxb
# Size of the synthetic benchmark corpus, in bytes.
BENCH_BYTES ?= 1000000000

.PHONY: build demo test lint eval bench clean

build:
	$(CARGO) build --release --locked

demo: build
	@mkdir -p out
	$(BIN) clean testdata/seeds -o out/seeds.jsonl --audit out/seeds.audit.jsonl \
		--rejected out/seeds.rejected.jsonl --report out/seeds.report.json
	@echo
	@echo "Clean output: out/seeds.jsonl; every removed line with its reason: out/seeds.audit.jsonl"
	@echo "First removals (id, line, reason, text):"
	@sed -E 's/^\{"id":"([^"]*)","line":([0-9]+),.*"reason":"([a-z]+)".*"text":"(.*)"\}$$/  \1:\2  \3  \4/' \
		out/seeds.audit.jsonl | cut -c1-150 | head -n 25

test:
	$(CARGO) test --locked
	$(CARGO) clippy --locked --all-targets -- -D warnings
	$(CARGO) fmt --all -- --check

lint:
	$(CARGO) clippy --locked --all-targets -- -D warnings
	$(CARGO) fmt --all -- --check

eval: build
	@mkdir -p out/eval
	@for set in $(EVAL_SETS); do \
		$(BIN) clean $(EVAL_DIR)/$$set/docs.jsonl.gz --site-field site --quiet \
			-o out/eval/$$set.jsonl --audit out/eval/$$set.audit.jsonl || exit $$?; \
		$(BIN) eval --docs $(EVAL_DIR)/$$set/docs.jsonl.gz --labels $(EVAL_DIR)/$$set/labels.jsonl.gz \
			--name $$set out/eval/$$set.jsonl || exit $$?; \
	done

bench:
	BENCH_BYTES=$(BENCH_BYTES) $(CARGO) bench --locked --bench throughput

clean:
	rm -rf out
