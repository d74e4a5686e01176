#!/bin/sh
# Reads a generated 100,000-row x 13-column XLSX export three times and
# reports time and allocations per read.
set -eu
cd "$(dirname "$0")/../.."
exec go test ./internal/sheet -run '^$' -bench ReadXLSX100k -benchtime 3x -count 1
