#!/usr/bin/env bash
# Compliance from the alarms (issue 14, decision 0026) on both stores: the
# twelve-quarter grids of a county's 1,000 enterprises (one page), and the
# alarm list's pages (newest, by state, kind, county, enterprise, a county
# officer's open exceedances, a month, page 50) with their totals, over
# ALARMS alarms (default 1,000,000) of ENTERPRISES enterprises (default
# 30,000; 3,000 puts 333 alarms on each). Seeding takes a minute or two
# per store and benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/postgres.sh
echo "# $(date -u +%F) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); alarms=${ALARMS:-1000000} enterprises=${ENTERPRISES:-30000}"
go test -count=1 -run '^$' -bench 'CountyGrid' -benchtime 5x -timeout 60m ./internal/rules/
go test -count=1 -run '^$' -bench 'AlarmList' -benchtime 30x -timeout 60m ./internal/rules/
