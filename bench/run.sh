#!/usr/bin/env bash
# Reproduces the figures of docs/benchmarks.md. Run by hand, not in CI:
# it takes a few minutes and starts a throwaway PostgreSQL like make test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/postgres.sh
echo "# $(date -u +%F) $(go version | cut -d' ' -f3) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
go test ./internal/registry -run '^$' -bench 'ImportEnterprisesXLSX100k' -benchtime 3x -count 1 -timeout 60m
go test ./internal/registry -run '^$' -bench 'ListEnterprises100k' -benchtime 50x -count 1 -timeout 60m
go test ./internal/sheet -run '^$' -bench ReadXLSX100k -benchtime 3x -count 1
# Online monitoring (issue 4); the end-to-end run is bench/e2e.sh
go test ./internal/hj212 -run '^$' -bench 'Decode|Encode' -benchmem -count 5
go test ./internal/store/sqlite -run '^$' -bench 'WriteBatch$' -benchtime 100x -benchmem -count 3   # the table grows to 400,000 frames
go test ./internal/store/sqlite -run '^$' -bench 'WriteBatchResends' -benchtime 20x
go test ./internal/store/sqlite -run '^$' -bench 'Roll' -benchtime 2x -benchmem -count 3 -timeout 30m
# The alarm stream (issue 14, decision 0027)
go test ./internal/rules -run '^$' -bench 'AlarmStream' -benchtime 20x -count 1
# Rectification (issue 5)
go test ./internal/compliance -run '^$' -bench 'Screen100k|Evaluate100k' -benchtime 5x -count 1 -timeout 60m
go test ./internal/compliance -run '^$' -bench 'Stats10k' -benchtime 50x -count 1 -timeout 30m
# GeoTIFF (issue 16); bench/geotiff.sh
bench/geotiff.sh
# Synthetic GEP inputs (decision 0031)
bench/gepdemo.sh
