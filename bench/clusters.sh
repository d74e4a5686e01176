#!/usr/bin/env bash
# Reproduces the "Leading industries (issue 15)" figures of
# docs/benchmarks.md: the city's five leading industries with ten years'
# series on SQLite, for 3,000 and 30,000 synthetic enterprises (30,000 and
# 300,000 annual rows), cold (figures read) and warm (from the service's
# cache). Seeding takes about half a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "# $(date -u +%F) $(go version | cut -d' ' -f3) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1 /proc/loadavg)"
go test ./internal/economy -run '^$' -bench 'Clusters10y' -benchtime 5x -count 3 -timeout 30m
