#!/usr/bin/env bash
# Reproduces the figures of docs/benchmarks.md. Run by hand, not in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "# $(date -u +%F) $(go version) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
go test ./internal/registry -run '^$' -bench 'ImportEnterprisesXLSX100k|ListEnterprises100k' -benchtime 3x -count 1 -timeout 30m
go test ./internal/sheet -run '^$' -bench ReadXLSX100k -benchtime 3x -count 1
