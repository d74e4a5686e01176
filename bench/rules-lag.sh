#!/usr/bin/env bash
# Rule results under the ingestion benchmark's load (issue 14): `ecoind
# simulate` (LOGGERS loggers at RATE real-time frames/s, as bench/e2e.sh)
# → `ecoind serve` with the rollups every ROLL_EVERY and the rules every
# RULES_EVERY, while bench/ruleslag sends a probe frame every EVERY that
# proves an exceedance of its own, and times from the frame's answer (sent
# after its commit) to its hour rolled up, the rules' cursor past it and
# its alarm stored: p50, p99, max. STORE=postgres runs on a throwaway
# PostgreSQL (scripts/postgres.sh) with SERVERS servers on it, the loggers
# sending to the first. Run by hand, not in CI: it takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
LOGGERS=${LOGGERS:-10000}
RATE=${RATE:-20000}
WINDOW=${WINDOW:-8}
DURATION=${DURATION:-90s}
WARMUP=${WARMUP:-15}
EVERY=${EVERY:-2s}
PROBES=${PROBES:-30}
ROLL_EVERY=${ROLL_EVERY:-30s}
RULES_EVERY=${RULES_EVERY:-5s}
ENTERPRISES=${ENTERPRISES:-80000}
PREPARED=${PREPARED:-} # a directory made by `ecoind demo --prepare-only` (SQLite)
STORE=${STORE:-sqlite}
SERVERS=${SERVERS:-1}

go build -o bin/ecoind ./cmd/ecoind
go build -o bin/ruleslag ./bench/ruleslag
ulimit -n "$(ulimit -Hn)"
dir=$(mktemp -d /tmp/ecoind-ruleslag.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT

where=(--data "$dir")
if [ "$STORE" = postgres ]; then
	source scripts/postgres.sh
	where=(--store "$ECOIND_TEST_POSTGRES")
	bin/ecoind demo --prepare-only "${where[@]}" --enterprises "$ENTERPRISES" >/dev/null 2>&1
elif [ -n "$PREPARED" ]; then
	cp -r "$PREPARED"/. "$dir"/
else
	bin/ecoind demo --prepare-only --data "$dir" --enterprises "$ENTERPRISES" >/dev/null 2>&1
fi
echo "# $(date -u +%F) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); store=$STORE servers=$SERVERS loggers=$LOGGERS rate=$RATE window=$WINDOW roll-every=$ROLL_EVERY rules-every=$RULES_EVERY; load average $(cut -d' ' -f1-3 /proc/loadavg)"
targets=()
for i in $(seq 1 "$SERVERS"); do
	bin/ecoind serve "${where[@]}" --http "127.0.0.1:$((18190 + i))" --hj212 "127.0.0.1:$((19390 + i))" --log-level error \
		--max-conns-per-address 20000 --roll-every "$ROLL_EVERY" --rules-every "$RULES_EVERY" 2>"$dir/serve$i.log" &
	pids+=($!)
	targets+=("127.0.0.1:$((19390 + i))")
done
sleep 3
for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || { cat "$dir"/serve*.log; exit 1; }; done
# The loggers send to the first server; the others' rules take turns
# with its (decision 0023: one cursor, one alarm per episode).
bin/ecoind simulate --target "${targets[0]}" "${where[@]}" --loggers "$LOGGERS" --rate "$RATE" --window "$WINDOW" --duration "$DURATION" --log-level warn &
pids+=($!)
sleep "$WARMUP"
# The probe's outlet comes after the simulator has read its loggers, so
# that none of them sends for it.
bin/ruleslag seed "${where[@]}"
bin/ruleslag probe "${where[@]}" --target "${targets[0]}" --probes "$PROBES" --every "$EVERY"
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
