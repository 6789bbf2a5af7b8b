# deboil's front door. `make demo` and `make test` are all a fresh machine needs.

CARGO    ?= cargo
BIN      := target/release/deboil
# The labelled pages of ../shared/eval (override: make eval EVAL_DIR=/data/eval).
EVAL_DIR ?= ../shared/eval
EVAL_SETS ?= dragnet wcxb
# The shipped model's default threshold: the highest score cut at which grouped
# cross-validation keeps at least 97% of content characters on both sets.
MODEL_THRESHOLD ?= 0.85
LABELLED = $(foreach s,$(EVAL_SETS),--docs $(EVAL_DIR)/$(s)/docs.jsonl.gz --labels $(EVAL_DIR)/$(s)/labels.jsonl.gz)
# Size of the synthetic benchmark corpus, in bytes.
BENCH_BYTES ?= 1000000000
# Size of the corpus of copies (each synth-news article and a copy of it), in bytes.
BENCH_COPIES_BYTES ?= 400000000
# Size of the synth-cjk corpus (synth-news written in Han and kana) of `make bench`.
BENCH_CJK_BYTES ?= 200000000
# Folds of sites for the held-out part of `make eval-dedup`.
FOLDS ?= 5
# Runs of each benchmark configuration (interleaved; rows show the median).
BENCH_RUNS ?= 5

.PHONY: build demo test lint eval eval-dedup model bench bench-stages clean

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
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --locked --no-deps --quiet

lint:
	$(CARGO) clippy --locked --all-targets -- -D warnings
	$(CARGO) fmt --all -- --check
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --locked --no-deps --quiet

eval: build
	@mkdir -p out/eval
	@echo "== Grouped 5-fold cross-validation (every page of a site in one fold), default threshold, 0.75 and 0.7"
	$(BIN) cv $(LABELLED) --site-field site --folds 5 --thresholds $(MODEL_THRESHOLD),0.75,0.7
	@echo
	@echo "== Trained on one set, tested on the other (deboil train, then deboil clean --model)"
	@for train in $(EVAL_SETS); do \
		$(BIN) train --docs $(EVAL_DIR)/$$train/docs.jsonl.gz --labels $(EVAL_DIR)/$$train/labels.jsonl.gz \
			--site-field site --threshold $(MODEL_THRESHOLD) -o out/eval/$$train.model || exit $$?; \
		for test in $(EVAL_SETS); do \
			[ $$test = $$train ] && continue; \
			$(BIN) clean $(EVAL_DIR)/$$test/docs.jsonl.gz --site-field site --quiet --dedup none \
				--model out/eval/$$train.model -o out/eval/$$test.from-$$train.jsonl || exit $$?; \
			$(BIN) eval --docs $(EVAL_DIR)/$$test/docs.jsonl.gz --labels $(EVAL_DIR)/$$test/labels.jsonl.gz \
				--name "$$train->$$test" out/eval/$$test.from-$$train.jsonl | tail -n 1 || exit $$?; \
		done; \
	done
	@echo
	@echo "== Without the model (--no-model: rules and frequency stages alone), all pages"
	@for set in $(EVAL_SETS); do \
		$(BIN) clean $(EVAL_DIR)/$$set/docs.jsonl.gz --site-field site --quiet --no-model --dedup none \
			-o out/eval/$$set.no-model.jsonl --audit out/eval/$$set.no-model.audit.jsonl || exit $$?; \
		$(BIN) eval --docs $(EVAL_DIR)/$$set/docs.jsonl.gz --labels $(EVAL_DIR)/$$set/labels.jsonl.gz \
			--name "$$set no-model" out/eval/$$set.no-model.jsonl | tail -n 1 || exit $$?; \
	done
	@echo
	@echo "== Other tools on the same pages (char-F1 / content kept), from $(EVAL_DIR)/README.md"
	@sed -n '/^| method/,/^$$/p' $(EVAL_DIR)/README.md

# Duplicate detection on the labelled pages with planted copies (deboil plant): each copy
# under another site's template. Scored against the exact Jaccard of the pages' content
# and of the cleaned texts; --no-match-span judges copies against whole originals only;
# --dedup-min-words 0 shingles every line, not only prose; --keep-lines shows what the
# templates hide.
eval-dedup: build
	@mkdir -p out/dedup
	$(BIN) plant $(LABELLED) --seed 1 -o out/dedup/planted.jsonl
	$(BIN) clean out/dedup/planted.jsonl --site-field site --quiet \
		-o out/dedup/near.jsonl --clusters out/dedup/near.clusters.jsonl
	$(BIN) clean out/dedup/planted.jsonl --site-field site --quiet --no-verify \
		-o out/dedup/estimate.jsonl --clusters out/dedup/estimate.clusters.jsonl
	$(BIN) clean out/dedup/planted.jsonl --site-field site --quiet --dedup-min-words 0 \
		-o out/dedup/every-line.jsonl --clusters out/dedup/every-line.clusters.jsonl
	$(BIN) clean out/dedup/planted.jsonl --site-field site --quiet --keep-lines \
		-o out/dedup/keep-lines.jsonl --clusters out/dedup/keep-lines.clusters.jsonl
	$(BIN) clean out/dedup/planted.jsonl --site-field site --quiet --no-match-span \
		-o out/dedup/whole.jsonl --clusters out/dedup/whole.clusters.jsonl
	$(BIN) eval-dedup --corpus out/dedup/planted.jsonl --run near=out/dedup/near.jsonl \
		--run near-no-match-span=out/dedup/whole.jsonl \
		--run near-no-verify=out/dedup/estimate.jsonl --run every-line=out/dedup/every-line.jsonl \
		--run keep-lines=out/dedup/keep-lines.jsonl
	@echo
	@echo "== Held out: copies planted within each of $(FOLDS) folds of sites, each fold cleaned by a model"
	@echo "   trained without its sites, by the shipped model (trained on every page), and without a model"
	@for k in $$(seq 0 $$(($(FOLDS) - 1))); do \
		$(BIN) plant $(LABELLED) --seed 1 --folds $(FOLDS) --fold $$k -o out/dedup/fold$$k.jsonl && \
		$(BIN) train $(LABELLED) --site-field site --threshold $(MODEL_THRESHOLD) \
			--folds $(FOLDS) --leave-out-fold $$k -o out/dedup/fold$$k.model && \
		$(BIN) clean out/dedup/fold$$k.jsonl --site-field site --quiet --model out/dedup/fold$$k.model \
			-o out/dedup/fold$$k.held-out.jsonl --clusters out/dedup/fold$$k.held-out.clusters.jsonl && \
		$(BIN) clean out/dedup/fold$$k.jsonl --site-field site --quiet \
			-o out/dedup/fold$$k.shipped.jsonl --clusters out/dedup/fold$$k.shipped.clusters.jsonl && \
		$(BIN) clean out/dedup/fold$$k.jsonl --site-field site --quiet --no-model \
			-o out/dedup/fold$$k.no-model.jsonl --clusters out/dedup/fold$$k.no-model.clusters.jsonl && \
		$(BIN) clean out/dedup/fold$$k.jsonl --site-field site --quiet --text-field content --keep-lines \
			-o out/dedup/fold$$k.labelled.jsonl --clusters out/dedup/fold$$k.labelled.clusters.jsonl \
			|| exit $$?; \
	done
	@cat out/dedup/fold[0-9].jsonl > out/dedup/folds.jsonl
	@for run in held-out shipped no-model labelled; do for part in "" .clusters .rejected; do \
		cat out/dedup/fold[0-9].$$run$$part.jsonl > out/dedup/folds.$$run$$part.jsonl || exit $$?; \
	done; done
	$(BIN) eval-dedup --corpus out/dedup/folds.jsonl --run near-held-out=out/dedup/folds.held-out.jsonl \
		--run near-shipped-model=out/dedup/folds.shipped.jsonl --run near-no-model=out/dedup/folds.no-model.jsonl \
		--errors out/dedup/folds.errors.jsonl
	@echo "Each wrong claim and missed pair of these runs, with its Jaccard: out/dedup/folds.errors.jsonl"
	@echo
	@echo "== Deduplication alone: each fold's labelled content, as if cleaning had matched the labels"
	$(BIN) eval-dedup --corpus out/dedup/folds.jsonl --text-field content \
		--run near-labelled-content=out/dedup/folds.labelled.jsonl

# Rebuilds rules/line.model from the labelled sets, byte for byte.
model: build
	$(BIN) train $(LABELLED) --site-field site --threshold $(MODEL_THRESHOLD) -o rules/line.model

bench:
	EVAL_DIR=$(EVAL_DIR) BENCH_BYTES=$(BENCH_BYTES) BENCH_COPIES_BYTES=$(BENCH_COPIES_BYTES) \
		BENCH_CJK_BYTES=$(BENCH_CJK_BYTES) BENCH_RUNS=$(BENCH_RUNS) $(CARGO) bench --locked --bench throughput

# Each pure stage alone on one core, over the first STAGE_BYTES of synth-news in memory:
# steadier than whole runs for judging a change to one stage.
bench-stages:
	BENCH_BYTES=$(BENCH_BYTES) $(CARGO) bench --locked --bench stages

clean:
	rm -rf out
