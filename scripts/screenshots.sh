#!/usr/bin/env bash
# Screenshots of the dashboard's main pages in both languages, against a
# running demo (make demo, or ecoind demo --http ADDR), with Debian's
# chromium and fonts-noto-cjk: scripts/screenshots.sh [http://127.0.0.1:8080]
set -euo pipefail
base=${1:-http://127.0.0.1:8080}
out=$(cd "$(dirname "$0")/.." && pwd)/docs/screenshots
mkdir -p "$out"
api() { curl -fsS "$base/api/v1/$1"; }
case_id=$(api "cases?state=rectifying&disposition=close&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
campaign=$(api campaigns | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][-1]["id"])')
# The last logger listed is online (offline ones come first), and its enterprise.
page=$(curl -fsS "$base/monitoring")
logger=$(grep -o '/monitoring/loggers/[0-9A-Za-z]*' <<<"$page" | tail -1)
uscc=$(grep -o '/enterprises/[0-9A-Z]*' <<<"$page" | tail -1 | cut -d/ -f3)
shot() { # file url [size]
	profile=$(mktemp -d)
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
		--disable-sync --no-first-run --hide-scrollbars --user-data-dir="$profile" --virtual-time-budget=10000 \
		--screenshot="$out/$1" --window-size="${3:-1280,800}" "$2" 2>/dev/null
	rm -rf "$profile"
}
for l in zh en; do
	go() { echo "$base/lang?l=$l&next=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1")"; }
	shot "overview-$l.png" "$(go /)"
	shot "enterprises-$l.png" "$(go /enterprises)"
	shot "enterprise-$l.png" "$(go "/enterprises/$uscc")"
	shot "monitoring-$l.png" "$(go /monitoring)"
	shot "logger-$l.png" "$(go "$logger")"
	shot "screening-$l.png" "$(go /screenings/1)"
	shot "campaign-$l.png" "$(go "/campaigns/$campaign")"
	shot "cases-$l.png" "$(go /cases)"
	shot "case-$l.png" "$(go "/cases/$case_id")"
	shot "import-$l.png" "$(go /import)"
	shot "case-phone-$l.png" "$(go "/cases/$case_id")" 360,800
done
ls -la "$out"
