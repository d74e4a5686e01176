#!/usr/bin/env bash
# GEP figures of docs/benchmarks.md (issue 16): carbon (future scenario and
# valuation) and annual water yield on 4400×4400 Deflate inputs made with
# gdal_translate (cached under $TMPDIR/ecoind-gep-bench-4400, about 125 MB,
# by the Go benchmark's first run), as InVEST 3.14.1 was run in
# reference/gep.md §6: wall time and peak memory of each command with
# /usr/bin/time -v (and CPU time, which other work on the machine moves
# less), with and without --deflate, after the Go benchmark of both models and of the
# float64 whole-array reference.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/gdal.sh
echo "# $(date -u +%F) $(go version | cut -d' ' -f3) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(gdalinfo --version)"
in=${TMPDIR:-/tmp}/ecoind-gep-bench-4400
go test ./internal/gep -run '^$' -bench 'GEP|Reference' -benchtime 1x -count "${COUNT:-3}" -timeout 30m
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/ecoind" ./cmd/ecoind
measure() { # NAME ARGS...: wall time and peak RSS of ecoind ARGS
	local name=$1
	shift
	/usr/bin/time -v "$bin/ecoind" "$@" >/dev/null 2>"$bin/time" || { cat "$bin/time"; exit 1; }
	printf '%-12s %s s wall  %s s user  %s s sys  %s MB peak RSS\n' "$name" \
		"$(grep 'Elapsed (wall' "$bin/time" | awk '{print $NF}')" \
		"$(grep 'User time' "$bin/time" | awk '{print $NF}')" \
		"$(grep 'System time' "$bin/time" | awk '{print $NF}')" \
		"$(($(grep 'Maximum resident' "$bin/time" | awk '{print $NF}') / 1024))"
}
for deflate in false true; do for _ in $(seq "${COUNT:-3}"); do
	echo -n "deflate=$deflate "
	measure carbon gep carbon --deflate=$deflate --lulc-cur "$in/lulc_cur.tif" --lulc-fut "$in/lulc_fut.tif" --pools "$in/pools.csv" \
		--price 43 --discount 7 --rate-change 0 --year-cur 2020 --year-fut 2030 --out "$bin/out"
	echo -n "deflate=$deflate "
	measure water-yield gep water-yield --deflate=$deflate --lulc "$in/lulc_cur.tif" --precip "$in/precip.tif" --et0 "$in/et0.tif" \
		--root-depth "$in/depth.tif" --pawc "$in/pawc.tif" --biophysical "$in/biophysical.csv" \
		--watersheds "$in/watersheds.geojson" --z 5 --out "$bin/out"
done; done
ls -l "$bin/out"
