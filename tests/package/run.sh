#!/usr/bin/env bash
# tests/package/run.sh: the Debian package as an administrator meets it.
# Usage: tests/package/run.sh DIR   (DIR holds leakguard_*.deb and .changes,
# as `make deb` leaves them in build/deb).
#
# lintian must report no error; then, in a throw-away overlay of / (a private
# mount namespace, so this machine's dpkg database, users and /etc are left
# as they were, and tests running beside it never see an /etc/leakguard),
# `dpkg -i` installs it, the installed /usr/bin/leakguard checks the bundled
# samples, `dpkg -r` removes it leaving only the conffile, and `dpkg -P`
# purges that and the state. Needs root (mount, chroot).
set -uo pipefail
dir=${1:?usage: tests/package/run.sh DIR}
deb=$(ls "$dir"/leakguard_*_*.deb 2>/dev/null | head -1)
changes=$(ls "$dir"/leakguard_*.changes 2>/dev/null | head -1)
[ -n "$deb" ] && [ -n "$changes" ] || { echo "package-test: no leakguard .deb/.changes in $dir (run make deb)" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "package-test: needs root (an overlay of / and chroot)" >&2; exit 2; }

passed=0 failed=0
pass() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1" >&2; failed=$((failed + 1)); }

# lintian: no error; the warnings are counted for the record.
lint=$(lintian "$changes" 2>&1 | grep -v '^running with root')
errors=$(grep -c '^E:' <<< "$lint")
warnings=$(grep -c '^W:' <<< "$lint")
[ -n "$lint" ] && echo "$lint"
if [ "$errors" -eq 0 ]; then pass "lintian: 0 errors, $warnings warnings"; else fail "lintian: $errors errors"; fi

work=$(mktemp -d /tmp/package-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/upper" "$work/work" "$work/root"
cp "$deb" "$work/upper/leakguard.deb"

# Everything below runs inside the namespace: the overlay (the machine's /
# read-only underneath, writes into $work/upper) with /proc and /dev bound.
cat > "$work/inside.sh" <<'INSIDE'
set -uo pipefail
ch() { chroot "$root" "$@"; }
root=$1
ok() { echo "PASS $1"; }
no() { echo "FAIL $1"; }

ch dpkg -i /leakguard.deb > /tmp/dpkg-i.log 2>&1 && ok "dpkg -i installs" || { no "dpkg -i installs"; cat /tmp/dpkg-i.log; }
[ -x "$root/usr/bin/leakguard" ] && ok "/usr/bin/leakguard installed" || no "/usr/bin/leakguard installed"
ch dpkg-query -W -f='${Conffiles}\n' leakguard | grep -q '^ /etc/leakguard/leakguard.conf ' \
	&& ok "/etc/leakguard/leakguard.conf is a conffile" || no "/etc/leakguard/leakguard.conf is a conffile"
ch getent passwd leakguard | grep -q ':/var/lib/leakguard:/usr/sbin/nologin$' \
	&& ok "system user leakguard (home /var/lib/leakguard, nologin)" || no "system user leakguard"
st=$(ch stat -c '%U:%G %a' /var/lib/leakguard 2>&1)
[ "$st" = "leakguard:leakguard 700" ] && ok "/var/lib/leakguard leakguard:leakguard 0700" || no "/var/lib/leakguard is '$st'"
# The units: installed, valid, hardened (exposure at most 2.0 of 10).
for u in leakguard-milter leakguard-portal leakguard-notify; do
	f=$root/lib/systemd/system/$u.service
	[ -f "$f" ] && ok "$u.service installed" || no "$u.service installed"
	grep -qx 'ExecStart=/usr/bin/leakguard .*' "$f" && ok "$u.service runs /usr/bin/leakguard" || no "$u.service ExecStart"
	score=$(systemd-analyze security --offline=yes --root="$root" "$f" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
		ok "$u.service: systemd-analyze security exposure $score"
	else
		no "$u.service: systemd-analyze security exposure '$score' (want <= 2.0)"
	fi
done

[ -f "$root/lib/systemd/system/leakguard-notify.timer" ] && ok "leakguard-notify.timer installed" || no "leakguard-notify.timer installed"

# The man pages: installed, clean for man --warnings, every command and key.
for m in man1/leakguard.1.gz man5/leakguard.conf.5.gz; do
	f=$root/usr/share/man/$m
	[ -f "$f" ] || { no "man page $m installed"; continue; }
	warn=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 > /dev/null)
	[ -z "$warn" ] && ok "man -l $m: no warnings" || { no "man -l $m warns"; echo "$warn" | head -5; }
done
page=$(MANWIDTH=200 man -l "$root/usr/share/man/man1/leakguard.1.gz" 2>/dev/null)
lost=$(ch /usr/bin/leakguard --dump-commands | cut -f1 | while read -r c; do grep -q "^   $c\$" <<< "$page" || echo "$c"; done)
[ -z "$lost" ] && ok "leakguard(1) has every subcommand" || no "leakguard(1) lacks: $lost"
page=$(MANWIDTH=200 man -l "$root/usr/share/man/man5/leakguard.conf.5.gz" 2>/dev/null)
lost=$(ch /usr/bin/leakguard --dump-config-table | cut -f2 | sort -u | while read -r k; do grep -q "^       $k\b" <<< "$page" || echo "$k"; done)
[ -z "$lost" ] && ok "leakguard.conf(5) has every key" || no "leakguard.conf(5) lacks: $lost"

# The installed binary on the bundled samples: phishing flagged (exit 1),
# clean mail clean; and the shipped /etc configuration, read when no
# --config is given, is one the binary accepts (a verdict, exit 0 or 1, not
# the configuration error's 2; which verdict depends on its example values).
s=/usr/share/leakguard/samples
out=$(ch /usr/bin/leakguard check --config $s/leakguard.conf $s/mail 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -q 'bec-bank-change-fabrikarn.eml: PHISHING' <<< "$out" &&
	grep -q 'ham-colleague-lunch.eml: CLEAN' <<< "$out"; then
	ok "installed leakguard check flags the samples ($(grep -c ': PHISHING' <<< "$out") phishing of $(ls "$root$s/mail" | wc -l))"
else
	no "installed leakguard check on samples (exit $rc)"; echo "$out" | head -20
fi
out=$(ch /usr/bin/leakguard check $s/mail/ham-colleague-lunch.eml 2>&1); rc=$?
if [ $rc -le 1 ] && grep -q '^/usr/share/leakguard/samples/mail/ham-colleague-lunch.eml: [A-Z]* (score' <<< "$out"; then
	ok "check with /etc/leakguard/leakguard.conf: a verdict (exit $rc)"
else
	no "check with the shipped conffile (exit $rc)"; echo "$out"
fi
out=$(ch runuser -u leakguard -- /usr/bin/leakguard check --config $s/leakguard.conf $s/mail/ham-colleague-lunch.eml 2>&1); rc=$?
[ $rc -eq 0 ] && ok "runs as the leakguard user" || { no "runs as the leakguard user (exit $rc)"; echo "$out"; }

ch dpkg -r leakguard > /tmp/dpkg-r.log 2>&1 && ok "dpkg -r removes" || { no "dpkg -r removes"; cat /tmp/dpkg-r.log; }
[ ! -e "$root/usr/bin/leakguard" ] && [ ! -e "$root/usr/share/leakguard" ] && [ ! -e "$root/lib/systemd/system/leakguard-milter.service" ] \
	&& ok "dpkg -r: binary, data and units gone" || no "dpkg -r left files behind"
[ -f "$root/etc/leakguard/leakguard.conf" ] && ch dpkg-query -W -f='${db:Status-Status}\n' leakguard | grep -qx config-files \
	&& ok "dpkg -r: only the conffile stays (config-files)" || no "dpkg -r: conffile state"
ch dpkg -P leakguard > /tmp/dpkg-p.log 2>&1 && ok "dpkg -P purges" || { no "dpkg -P purges"; cat /tmp/dpkg-p.log; }
[ ! -e "$root/etc/leakguard" ] && [ ! -e "$root/var/lib/leakguard" ] \
	&& ok "dpkg -P: /etc/leakguard and /var/lib/leakguard gone" || no "dpkg -P left /etc/leakguard or /var/lib/leakguard"
ch dpkg-query -W leakguard > /dev/null 2>&1 && no "dpkg still knows leakguard" || ok "dpkg no longer knows leakguard"
echo "PASS every step ran"
INSIDE

res=$(unshare --mount --propagation private bash -c '
	set -e
	w=$1
	mount -t overlay overlay -o "lowerdir=/,upperdir=$w/upper,workdir=$w/work" "$w/root"
	mount --rbind /dev "$w/root/dev"
	mount -t proc proc "$w/root/proc"
	bash "$w/inside.sh" "$w/root"
' _ "$work" 2>&1)
echo "$res" | grep -v '^PASS \|^FAIL ' >&2
while IFS= read -r line; do
	case $line in
	"PASS "*) pass "${line#PASS }" ;;
	"FAIL "*) fail "${line#FAIL }" ;;
	esac
done <<< "$res"
grep -qx 'PASS every step ran' <<< "$res" || fail "the steps in the overlay did not all run (see above)"

# make install for other systems: PREFIX and DESTDIR honoured, units pointed
# at BINDIR, an existing configuration kept.
top=$(cd "$(dirname "$0")/../.." && pwd)
stage=$work/stage
if make -s -C "$top" install PREFIX=/usr/local DESTDIR="$stage" > "$work/install.log" 2>&1; then
	pass "make install PREFIX=/usr/local DESTDIR=..."
else
	fail "make install: $(tail -5 "$work/install.log")"
fi
for f in usr/local/bin/leakguard etc/leakguard/leakguard.conf usr/local/share/leakguard/samples/leakguard.conf \
	usr/local/lib/systemd/system/leakguard-milter.service usr/local/share/man/man1/leakguard.1 \
	usr/local/share/man/man5/leakguard.conf.5; do
	[ -e "$stage/$f" ] || fail "make install: no /$f"
done
[ -d "$top/data" ] && { [ -e "$stage/usr/local/share/leakguard/brands.tsv" ] || fail "make install: data/ not installed"; }
grep -qx 'ExecStart=/usr/local/bin/leakguard milter --config /etc/leakguard/leakguard.conf' \
	"$stage/usr/local/lib/systemd/system/leakguard-milter.service" && pass "make install: units run BINDIR/leakguard" ||
	fail "make install: the unit's ExecStart is not /usr/local/bin/leakguard"
echo '# edited by the administrator' >> "$stage/etc/leakguard/leakguard.conf"
make -s -C "$top" install PREFIX=/usr/local DESTDIR="$stage" > /dev/null 2>&1
tail -1 "$stage/etc/leakguard/leakguard.conf" | grep -qx '# edited by the administrator' &&
	pass "make install again keeps an existing leakguard.conf" || fail "make install overwrote leakguard.conf"

echo "package: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
