#!/usr/bin/env bash
# The dashboard's pages against a running demo (decision 0020, issue 13):
# N sequential requests each of the overview and of an enterprise page
# with a live data logger, and their median, 95th percentile and slowest
# times as curl measures them (whole response, HTML only).
# Signed in as the demo's administrator (its password from
# demo-accounts.txt), with the session cookie, as a browser is.
#   bin/ecoind demo --data /tmp/webdemo --http 127.0.0.1:18181 --hj212 127.0.0.1:19191 &
#   bench/dashboard.sh http://127.0.0.1:18181 100 /tmp/webdemo/demo-accounts.txt
set -euo pipefail
base=${1:-http://127.0.0.1:8080}
n=${2:-100}
accounts=${3:-demo-data/demo-accounts.txt}
jar=$(mktemp)
trap 'rm -f "$jar"' EXIT
curl -fsS -o /dev/null -c "$jar" --data-urlencode name=admin --data-urlencode "password=$(awk '$1 == "admin" {print $3}' "$accounts")" "$base/login"
# An enterprise whose logger is online: the last listed on the monitoring page.
uscc=$(curl -fsS -b "$jar" "$base/monitoring" | grep -o '/enterprises/[0-9A-Z]*' | tail -1 | cut -d/ -f3)
for path in / "/enterprises/$uscc" /enterprises /monitoring; do
	for _ in $(seq "$n"); do
		curl -fsS -b "$jar" -o /dev/null -w '%{time_total}\n' "$base$path"
	done | sort -n | awk -v p="$path" '{t[NR]=$1} END {printf "%-40s n=%d median %.0f ms  p95 %.0f ms  max %.0f ms\n", p, NR, t[int(NR/2)+1]*1000, t[int(NR*0.95)]*1000, t[NR]*1000}'
done
