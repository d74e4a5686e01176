#!/usr/bin/env bash
# Synthetic GEP inputs (decision 0031) of docs/benchmarks.md: the Go
# benchmark of the 100 m city, then `ecoind gep demo-data` at 100 m and
# 30 m with wall and CPU time and peak memory (/usr/bin/time -v): on a
# machine shared with other work, the CPU time says more than the wall.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "# $(date -u +%F) $(go version | cut -d' ' -f3) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
go test ./internal/gep/synth -run '^$' -bench Write100m -benchtime 3x -count 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/ecoind" ./cmd/ecoind
for res in 100 30; do
	/usr/bin/time -v "$tmp/ecoind" gep demo-data --res "$res" --out "$tmp/out$res" >"$tmp/stdout" 2>"$tmp/time"
	head -1 "$tmp/stdout"
	printf 'res %s m: %s wall, %s s user, %s s sys, %s MB peak RSS, %s on disk\n' "$res" \
		"$(grep 'Elapsed (wall' "$tmp/time" | awk '{print $NF}')" \
		"$(grep 'User time' "$tmp/time" | awk '{print $NF}')" "$(grep 'System time' "$tmp/time" | awk '{print $NF}')" \
		"$(($(grep 'Maximum resident' "$tmp/time" | awk '{print $NF}') / 1024))" "$(du -sh "$tmp/out$res" | cut -f1)"
	rm -rf "$tmp/out$res"
done
