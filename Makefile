# The two commands of the README are `make run` and `make test`; the rest serve development.
PRESET       ?= ci
BUILD_DIR    := build/$(PRESET)
JOBS         ?= $(shell nproc)
FUZZ_SECONDS ?= 60
DATA_DIR     ?= data

.PHONY: all deps configure build test run bench fuzz fuzz-build format clean

all: build

deps:
	@scripts/install-deps.sh

# make test also runs the libFuzzer targets (the clang "fuzz" preset in build/fuzz) for
# FUZZ_SECONDS each, as tests of this build.
configure: deps
	cmake --preset $(PRESET) -DTOOLHUB_FUZZ_BUILD_DIR=$(CURDIR)/build/fuzz \
	  -DTOOLHUB_FUZZ_SECONDS=$(FUZZ_SECONDS)

build: configure
	cmake --build --preset $(PRESET) --parallel $(JOBS)

# Every suite, in parallel where safe (tests that must run alone are marked RUN_SERIAL).
test: build fuzz-build
	ctest --preset $(PRESET) --parallel $(JOBS) --output-on-failure

# The platform on its embedded default: SQLite in $(DATA_DIR), http://127.0.0.1:8080, and the
# desktop app where there is a display. Ctrl-C stops both cleanly.
run: build
	exec scripts/run.sh $(BUILD_DIR) $(DATA_DIR)

bench: build
	tests/bench/run-all.sh $(BUILD_DIR)

fuzz-build: deps
	cmake --preset fuzz
	cmake --build --preset fuzz --parallel $(JOBS)

fuzz: fuzz-build
	scripts/run-fuzzers.sh build/fuzz $(FUZZ_SECONDS)

format:
	git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format -i

clean:
	rm -rf build
