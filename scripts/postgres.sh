# Sourced by scripts/test.sh and bench/run.sh: when $ECOIND_TEST_POSTGRES
# does not name a server, install PostgreSQL 15 with PostGIS (Debian
# packages) if missing, start a throwaway cluster on loopback, export its
# URL, and stop it when the calling script exits.
if [ -z "${ECOIND_TEST_POSTGRES:-}" ]; then
	PGBIN=/usr/lib/postgresql/15/bin
	if [ ! -x "$PGBIN/initdb" ] || [ ! -f /usr/share/postgresql/15/extension/postgis.control ]; then
		if [ "$(id -u)" != 0 ]; then
			echo "PostgreSQL 15 with PostGIS is missing: apt-get install postgresql postgresql-15-postgis-3 (as root), or set ECOIND_TEST_POSTGRES" >&2
			exit 1
		fi
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-15-postgis-3 >/dev/null
	fi
	pgdir=$(mktemp -d /tmp/ecoind-pg.XXXXXX)
	pgrun() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
	if [ "$(id -u)" = 0 ]; then chown postgres "$pgdir"; fi
	pgport=$((20000 + RANDOM % 20000))
	pgrun "$PGBIN/initdb -D $pgdir/data -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8" >/dev/null
	# fsync off: a test cluster that dies is thrown away anyway.
	pgrun "$PGBIN/pg_ctl -D $pgdir/data -l $pgdir/log -w -o \"-k $pgdir -h 127.0.0.1 -p $pgport -c fsync=off -c max_connections=200\" start" >/dev/null
	trap 'pgrun "$PGBIN/pg_ctl -D $pgdir/data -m immediate stop" >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
	export ECOIND_TEST_POSTGRES="postgres://postgres@127.0.0.1:$pgport/postgres?sslmode=disable"
	echo "PostgreSQL test cluster on 127.0.0.1:$pgport (fsync off)"
fi
