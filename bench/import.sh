#!/usr/bin/env bash
# Reproduces the "Import memory (issue 12)" figures of docs/benchmarks.md:
# the peak heap of one import, as the API runs it, of 100,000 good
# enterprises (CSV) and of 200,000 enterprises with five problems each
# (CSV and XLSX), on SQLite and PostgreSQL. Takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/postgres.sh
echo "# $(date -u +%F) $(go version | cut -d' ' -f3) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
go test ./internal/registry -run '^$' -bench 'ImportMemory' -benchtime 1x -count 1 -timeout 60m
