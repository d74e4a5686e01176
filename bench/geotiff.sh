#!/usr/bin/env bash
# GeoTIFF figures of docs/benchmarks.md (issue 16): reading 4400×4400
# Deflate rasters (float32 and Byte, tiled 256×256 and in GDAL's default
# strips) with one and two decoding workers, and writing one. The rasters
# are made with gdal_translate on the first run and cached under
# $TMPDIR/ecoind-geotiff-bench-4400 (about 100 MB).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/gdal.sh
echo "# $(date -u +%F) $(go version | cut -d' ' -f3) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(gdalinfo --version)"
go test ./internal/raster/geotiff -run '^$' -bench 'Read|Write' -benchtime 3x -count 3 -timeout 30m
