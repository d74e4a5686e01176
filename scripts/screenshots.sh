#!/usr/bin/env bash
# The screenshots of docs/screenshots: each main page of the dashboard in
# both languages, and a case on a phone, as the demo's administrator, in
# Debian's chromium (scripts/browser.sh installs it). Against a running
# demo, which has had a few minutes to fill its charts:
#   make demo   # in another terminal; then
#   scripts/screenshots.sh http://127.0.0.1:8080 ./demo-data/demo-accounts.txt
# Without arguments it shoots a small demo of its own, started fresh.
set -euo pipefail
cd "$(dirname "$0")/.."
ECOIND_SCREENSHOTS="$PWD/docs/screenshots" ECOIND_SCREENSHOTS_BASE="${1:-}" ECOIND_SCREENSHOTS_ACCOUNTS="$(realpath -m "${2:-demo-data/demo-accounts.txt}")" \
	go test -count=1 -run TestDashboardScreenshots ./internal/app/
ls -la docs/screenshots
