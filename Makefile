# The two commands of the README are `make run` and `make test`; the rest serve development.
PRESET       ?= ci
BUILD_DIR    := build/$(PRESET)
JOBS         ?= $(shell nproc)
FUZZ_SECONDS ?= 60
DATA_DIR     ?= data
SERVER       := $(BUILD_DIR)/server/toolhub-server

.PHONY: all deps configure build test run bench fuzz format clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	cmake --preset $(PRESET)

build: configure
	cmake --build --preset $(PRESET) --parallel $(JOBS)

# Every suite, in parallel where safe (tests that must run alone are marked RUN_SERIAL).
test: build
	ctest --preset $(PRESET) --parallel $(JOBS) --output-on-failure

# The platform on its embedded default: SQLite in $(DATA_DIR), http://127.0.0.1:8080.
# Ctrl-C stops it cleanly.
run: build
	mkdir -p $(DATA_DIR)
	TOOLHUB_DATA_DIR=$(DATA_DIR) TOOLHUB_LOG_FORMAT=text $(SERVER) migrate
	exec env TOOLHUB_DATA_DIR=$(DATA_DIR) TOOLHUB_LOG_FORMAT=text TOOLHUB_DEMO_DATA=true $(SERVER) serve

bench: build
	tests/bench/run-all.sh $(BUILD_DIR)

fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz --parallel $(JOBS)
	scripts/run-fuzzers.sh build/fuzz $(FUZZ_SECONDS)

format:
	git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format -i

clean:
	rm -rf build
