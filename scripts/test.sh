#!/usr/bin/env bash
# The README's test command (make test): gofmt, vet, then every test
# against SQLite and against a throwaway PostgreSQL 15 + PostGIS cluster;
# the raster tests need gdal-bin (scripts/gdal.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."

unformatted=$(gofmt -l cmd internal)
if [ -n "$unformatted" ]; then echo "gofmt needed: $unformatted"; exit 1; fi
go vet ./...
source scripts/gdal.sh
source scripts/postgres.sh
source scripts/browser.sh
go test -count=1 ./...
