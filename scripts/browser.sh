# Sourced by scripts/test.sh: the dashboard's browser tests need Debian's
# chromium and a CJK font (or Chinese renders as boxes). Installed when
# missing and we are root, as scripts/postgres.sh installs PostgreSQL;
# otherwise the browser tests skip on a developer's machine and fail in CI.
if ! command -v chromium >/dev/null || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
	else
		echo "chromium or fonts-noto-cjk is missing: apt-get install chromium fonts-noto-cjk (as root) for the browser tests" >&2
	fi
fi
