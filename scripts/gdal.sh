# Sourced by scripts/test.sh and bench/geotiff.sh: the GeoTIFF tests make
# their fixtures and check every pixel with Debian's gdal-bin; install it
# when it is missing (as root), or say what to do.
if ! command -v gdal_translate >/dev/null || ! command -v gdalinfo >/dev/null; then
	if [ "$(id -u)" != 0 ]; then
		echo "gdal-bin is missing: apt-get install gdal-bin (as root); the raster tests need it" >&2
		exit 1
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gdal-bin >/dev/null
fi
