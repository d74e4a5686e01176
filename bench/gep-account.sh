#!/usr/bin/env bash
# The whole GEP account of docs/benchmarks.md (issue 16): `ecoind gep run`
# at Lishui's size, 4400×4400 pixels at 30 m, tiled Deflate inputs made
# once by the Go benchmark (BenchmarkAccount: the models' inputs of
# bench/gep.sh, ~80 % forest, plus RUSLE R, K and LS and a raster of nine
# counties; the two watersheds as polygons), cached under
# $TMPDIR/ecoind-gep-bench-4400. Wall time, CPU time and peak memory of
# the command with /usr/bin/time -v, after the Go benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/gdal.sh
echo "# $(date -u +%F) $(go version | cut -d' ' -f3) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
in=${TMPDIR:-/tmp}/ecoind-gep-bench-4400
go test ./internal/gep -run '^$' -bench 'Account' -benchtime 1x -count "${COUNT:-3}" -timeout 30m
bin=$(mktemp -d)
trap 'rm -rf "$bin" "$in/account-out"' EXIT
go build -o "$bin/ecoind" ./cmd/ecoind
for _ in $(seq "${COUNT:-3}"); do
	/usr/bin/time -v "$bin/ecoind" gep run --config "$in/account.yaml" --quiet >"$bin/out" 2>"$bin/time" || { cat "$bin/time"; exit 1; }
	printf 'gep run  %s s wall  %s s user  %s s sys  %s MB peak RSS\n' \
		"$(grep 'Elapsed (wall' "$bin/time" | awk '{print $NF}')" \
		"$(grep 'User time' "$bin/time" | awk '{print $NF}')" \
		"$(grep 'System time' "$bin/time" | awk '{print $NF}')" \
		"$(($(grep 'Maximum resident' "$bin/time" | awk '{print $NF}') / 1024))"
done
cat "$bin/out"
