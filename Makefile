# The two commands of the README: `make demo` and `make test`.
GO ?= go
BIN := bin/ecoind

.PHONY: build demo test vet bench clean

build:
	$(GO) build -o $(BIN) ./cmd/ecoind

# The demo: a Lishui-like registry (synthetic enterprises) served on 127.0.0.1:8080.
demo: build
	./$(BIN) demo

# gofmt, vet, and every test on SQLite and on a throwaway PostgreSQL (see the script).
test:
	scripts/test.sh

# Benchmarks run by hand, not in CI: see docs/benchmarks.md.
bench:
	bench/run.sh

clean:
	rm -rf bin
