#!/usr/bin/env bash
# End-to-end ingestion on one machine: `ecoind simulate` (LOGGERS loggers
# at RATE real-time frames/s, six or more pollutants each) → `ecoind serve`
# on the embedded store → acknowledgement after commit. Then memory per idle
# connection. Run by hand, not in CI: it takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
LOGGERS=${LOGGERS:-10000}
RATE=${RATE:-20000}
DURATION=${DURATION:-60s}
# WINDOW=N: each logger writes N real-time frames at once before it waits
# for their answers (`ecoind simulate --window`); 1 waits after each.
WINDOW=${WINDOW:-1}
ENTERPRISES=${ENTERPRISES:-80000} # the demo gives about one logger per eight enterprises
# PREPARED=DIR copies a data directory made before by
# `ecoind demo --prepare-only --enterprises $ENTERPRISES` instead of making
# one (3 minutes).
PREPARED=${PREPARED:-}

go build -o bin/ecoind ./cmd/ecoind
# The benchmark raises its own file-descriptor limit, the product does not.
ulimit -n "$(ulimit -Hn)" # 20,000 here: enough for 10,000 loggers, one side each
dir=$(mktemp -d /tmp/ecoind-e2e.XXXXXX)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

echo "# $(date -u +%F) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); loggers=$LOGGERS rate=$RATE window=$WINDOW duration=$DURATION"
if [ -n "$PREPARED" ]; then
	cp -r "$PREPARED"/. "$dir"/
else
	bin/ecoind demo --prepare-only --data "$dir" --enterprises "$ENTERPRISES" 2>/dev/null
fi
start_server() {
	bin/ecoind serve --data "$dir" --http 127.0.0.1:18090 --hj212 127.0.0.1:19290 --log-level error --max-conns-per-address 20000 ${PPROF:+--pprof $PPROF} 2>"$dir/serve.log" &
	server=$!
	sleep 2
	kill -0 "$server" 2>/dev/null || { echo "the server did not start:"; cat "$dir/serve.log"; exit 1; }
}
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }

# Memory per idle connection: the server's RSS with LOGGERS idle loggers
# against one with a fifth of them, so that what the first frames load
# once (the registry's directory, caches) cancels out.
idle_rss() {
	start_server
	bin/ecoind simulate --target 127.0.0.1:19290 --data "$dir" --loggers "$1" --interval 1h --duration 30s --log-level warn >/dev/null &
	sim=$!
	sleep 25
	rss_kb
	wait "$sim" || true
	kill "$server"; wait "$server" 2>/dev/null || true
}
if [ "${IDLE:-1}" != 0 ]; then # IDLE=0 skips this minute
	echo "## idle connections"
	few=$((LOGGERS / 5))
	small=$(idle_rss "$few")
	large=$(idle_rss "$LOGGERS")
	echo "server RSS ${small} KiB with $few idle connections, ${large} KiB with $LOGGERS: $(( (large - small) * 1024 / (LOGGERS - few) )) bytes per connection"
fi

# /metrics needs a token (decision 0018).
bin/ecoind user add bench --role admin --data "$dir" >/dev/null
TOKEN=$(bin/ecoind token create bench --user bench --data "$dir" 2>/dev/null)
start_server
echo "## load"
# The frames stored, as the server counts them: the steady rate leaves out
# the first WARMUP seconds, while 10,000 loggers connect and send their
# first frames (the simulator's own rate counts them in).
stored() { curl -s -H "Authorization: Bearer $TOKEN" 127.0.0.1:18090/metrics | awk '/^ecoind_writer_batch_frames_sum/ {printf "%d", $2}'; }
WARMUP=${WARMUP:-10}
bin/ecoind simulate --target 127.0.0.1:19290 --data "$dir" --loggers "$LOGGERS" --rate "$RATE" --window "$WINDOW" --duration "$DURATION" --log-level warn &
sim=$!
sleep "$WARMUP"
n0=$(stored) t0=$(date +%s.%N)
wait "$sim"
n1=$(stored) t1=$(date +%s.%N)
echo "stored $(echo "($n1 - $n0) / ($t1 - $t0)" | bc) frames/s from ${WARMUP} s to the end"
curl -s -H "Authorization: Bearer $TOKEN" 127.0.0.1:18090/metrics | grep -E '^ecoind_writer_(batch_frames|commit_seconds)_(sum|count)|^ecoind_hj212_frames_total|^process_resident_memory_bytes'
