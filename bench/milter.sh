#!/usr/bin/env bash
# bench/milter.sh: what `leakguard milter` costs Postfix, in one run on this
# machine. A private Postfix (tests/milter/lib.sh) gets the same corpus
# messages through two listeners: one with smtpd_milters pointing at
# `leakguard milter`, one without. Reported: messages per second for both
# and their ratio (the milter's cost), the milter's own time per message
# (p50, p99, from its log line per message), the time the client waits for
# the reply to DATA with and without the milter (p50, p99: the added
# latency), the milter's peak RSS, and the accounting: every message sent is
# delivered, held or rejected.
#
# Messages: 2,000 drawn evenly from the held-out half of the SpamAssassin
# corpus (build/corpus/test, scripts/corpus-split.sh), sent over 20 parallel
# sessions by tests/milter/blast.py, because smtp-source can only repeat one
# generated message or one file. For comparison with the usual Postfix
# figure, smtp-source's own generated messages (-m 2000 -s 20 -l 6000) go
# through both listeners too. See bench/README.md, "The milter".
#
# Usage: bench/milter.sh [--count N] [--sessions N] [--rounds N] [--no-make]
#                        [--no-save]     (root: it starts a private Postfix)
# Prints a Markdown report on stdout, also saved as
# bench/results/milter-DATE.md; progress on stderr. Exits non-zero when a
# message is unaccounted for.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
COUNT=2000 SESSIONS=20 ROUNDS=2 MAKE=1 SAVE=1
while [ $# -gt 0 ]; do
	case $1 in
	--count) COUNT=$2; shift ;;
	--sessions) SESSIONS=$2; shift ;;
	--rounds) ROUNDS=$2; shift ;;
	--no-make) MAKE= ;;
	--no-save) SAVE= ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench/milter.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ "$(id -u)" -eq 0 ] || { echo "bench/milter.sh: needs root (starts a private Postfix)" >&2; exit 2; }
BIN=${LEAKGUARD:-$top/build/leakguard}
[ -n "$MAKE" ] && [ -z "${LEAKGUARD:-}" ] && make -C "$top" -s all >&2
"$top/scripts/corpus-split.sh" >&2
CORPUS=$top/build/corpus/test
say() { echo "bench/milter: $*" >&2; }

# shellcheck source=../tests/milter/lib.sh
. "$top/tests/milter/lib.sh"
WORK=$(mktemp -d /tmp/leakguard-bench-milter.XXXXXX)
chmod 755 "$WORK"
EMPTY_PID=
trap 'set +e; [ -n "$EMPTY_PID" ] && kill "$EMPTY_PID"; pf_cleanup; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
LOG=$WORK/milter.log
MAILDIR=$WORK/pf/mail/inbox

pf_setup "$WORK/pf"
# The example configuration as shipped; only the socket differs, and the
# state store: none, so no learned model (bench/check.sh measures that).
sed "s|^#db = .*|db = $WORK/no-state.db|" "$top/leakguard.conf" >"$WORK/leakguard.conf"
milter_start "$BIN" "$WORK/leakguard.conf" "$LOG" || { tail "$LOG" >&2; exit 1; }
pf_start || { cat "$PF_DIR/start.log" >&2; exit 1; }

# cpu_ticks PID: CPU time (clock ticks) of PID, its reaped children and its
# live children: for Postfix's master, the whole mail system's work.
cpu_ticks() {
	local total f c
	read -r -a f <"/proc/$1/stat"
	total=$((f[13] + f[14] + f[15] + f[16]))
	for c in $(pgrep -P "$1"); do
		read -r -a f <"/proc/$c/stat" 2>/dev/null || continue
		total=$((total + f[13] + f[14]))
	done
	echo "$total"
}
HZ=$(getconf CLK_TCK)
MASTER=$(tr -d ' ' <"$PF_DIR/queue/pid/master.pid")
ms_per_msg() { echo "scale=2; 1000 * $1 / $HZ / $2" | bc; }

blast() { # blast PORT COUNT SENDER
	python3 "$top/tests/milter/blast.py" "$1" "$2" "$SESSIONS" "$3" "$CORPUS" "$MAILDIR" "$PF_DIR/etc"
}
field() { sed -n "s/.*\"$2\": \\([0-9.]*\\).*/\\1/p" <<<"$1"; }

# smtp-source's generated messages: time until all are delivered.
source_run() { # source_run PORT
	local before after t0 t1
	before=$(find "$MAILDIR" -type f | wc -l)
	t0=$(date +%s.%N)
	smtp-source -m "$COUNT" -s "$SESSIONS" -l 6000 -f source@outside.test -t user@example.com "127.0.0.1:$1"
	while after=$(find "$MAILDIR" -type f | wc -l); [ $((after - before)) -lt "$COUNT" ]; do
		sleep 0.02
		[ "$(echo "$(date +%s.%N) - $t0 > 120" | bc)" = 1 ] && break
	done
	t1=$(date +%s.%N)
	echo "$((after - before)) $(echo "scale=1; $COUNT / ($t1 - $t0)" | bc)"
}

# The baseline any milter pays: an empty libmilter milter that negotiates
# the same protocol steps and adds the same three headers, but analyses
# nothing. Postfix gets a third listener pointing at it.
cat >"$WORK/empty.c" <<'EOC'
/* empty.c: a milter that analyses nothing (bench/milter.sh baseline). */
#include <stdbool.h>
#include <stddef.h>
#include <libmilter/mfapi.h>
#define ACTIONS (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGBODY | SMFIF_QUARANTINE)
static sfsistat negotiate(SMFICTX *c, unsigned long a, unsigned long s, unsigned long f2, unsigned long f3,
			  unsigned long *pa, unsigned long *ps, unsigned long *p2, unsigned long *p3)
{
	*pa = ACTIONS;
	*ps = s & (SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NORCPT | SMFIP_NODATA | SMFIP_NOUNKNOWN |
		   SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY);
	*p2 = *p3 = 0;
	return SMFIS_CONTINUE;
}
static sfsistat envfrom(SMFICTX *c, char **a) { return SMFIS_CONTINUE; }
static sfsistat header(SMFICTX *c, char *n, char *v) { return SMFIS_NOREPLY; }
static sfsistat eoh(SMFICTX *c) { return SMFIS_NOREPLY; }
static sfsistat body(SMFICTX *c, unsigned char *b, size_t n) { return SMFIS_NOREPLY; }
static sfsistat eom(SMFICTX *c)
{
	smfi_addheader(c, "X-Leakguard-Verdict", "clean");
	smfi_addheader(c, "X-Leakguard-Score", "0.00");
	smfi_addheader(c, "X-Leakguard-Signals", "none");
	return SMFIS_CONTINUE;
}
int main(int argc, char **argv)
{
	struct smfiDesc d = {.xxfi_name = "empty", .xxfi_version = SMFI_VERSION, .xxfi_flags = ACTIONS,
			     .xxfi_envfrom = envfrom, .xxfi_header = header, .xxfi_eoh = eoh, .xxfi_body = body,
			     .xxfi_eom = eom, .xxfi_negotiate = negotiate};
	if (argc != 2 || smfi_register(d) != MI_SUCCESS || smfi_setconn(argv[1]) != MI_SUCCESS ||
	    smfi_opensocket(true) != MI_SUCCESS)
		return 1;
	return smfi_main();
}
EOC
cc -O2 -o "$WORK/empty-milter" "$WORK/empty.c" -lmilter
read -r EMPTY_PORT EMPTY_LISTEN_PORT <<<"$(free_ports 2)"
"$WORK/empty-milter" "inet:$EMPTY_PORT@127.0.0.1" &
EMPTY_PID=$!
wait_port "$EMPTY_PORT" 10
echo "127.0.0.1:$EMPTY_LISTEN_PORT inet n - n - - smtpd -o smtpd_milters=inet:127.0.0.1:$EMPTY_PORT" \
	>>"$PF_DIR/etc/master.cf"
postfix -c "$PF_DIR/etc" reload >/dev/null 2>&1
wait_port "$EMPTY_LISTEN_PORT" 10

say "warming up"
blast "$PF_PLAIN_PORT" 200 warm-plain@outside.test >/dev/null
blast "$PF_PORT" 200 warm-milter@outside.test >/dev/null
blast "$EMPTY_LISTEN_PORT" 200 warm-empty@outside.test >/dev/null

declare -a plain_rate milter_rate empty_rate
unaccounted=0
rows=""
for r in $(seq "$ROUNDS"); do
	for kind in plain empty milter; do
		case $kind in
		plain) port=$PF_PLAIN_PORT pid= ;;
		empty) port=$EMPTY_LISTEN_PORT pid=$EMPTY_PID ;;
		milter) port=$PF_PORT pid=$MILTER_PID ;;
		esac
		say "round $r: $COUNT corpus messages, $SESSIONS sessions, $kind"
		pf0=$(cpu_ticks "$MASTER") lg0=$([ -n "$pid" ] && cpu_ticks "$pid" || echo 0)
		out=$(blast "$port" "$COUNT" "bench-$kind-$r@outside.test")
		pf1=$(cpu_ticks "$MASTER") lg1=$([ -n "$pid" ] && cpu_ticks "$pid" || echo 0)
		pf_cpu=$(ms_per_msg $((pf1 - pf0)) "$COUNT") lg_cpu=$(ms_per_msg $((lg1 - lg0)) "$COUNT")
		rate=$(field "$out" msgs_per_sec)
		sent=$(field "$out" sent) delivered=$(field "$out" delivered) held=$(field "$out" held)
		rejected=$(field "$out" rejected) tempfailed=$(field "$out" tempfailed) errors=$(field "$out" errors)
		missing=$((sent - delivered - held - rejected))
		unaccounted=$((unaccounted + missing))
		case $kind in
		plain) plain_rate+=("$rate") lg_cpu=- ;;
		empty) empty_rate+=("$rate") ;;
		milter) milter_rate+=("$rate") ;;
		esac
		rows+="| $r | $kind | $sent | $delivered | $held | $rejected | $tempfailed | $errors | $missing | $(field "$out" seconds) | **$rate** | $(field "$out" data_ms_p50) | $(field "$out" data_ms_p99) | $pf_cpu | $lg_cpu |"$'\n'
	done
done

say "smtp-source generated messages"
read -r src_plain_n src_plain_rate < <(source_run "$PF_PLAIN_PORT")
read -r src_milter_n src_milter_rate < <(source_run "$PF_PORT")

# The milter's own time per message (log line "ms=") over the corpus runs.
lat=$(grep -E 'from=<bench-milter-[0-9]+@outside.test>' "$LOG" | sed -n 's/.* ms=\([0-9.]*\).*/\1/p' | sort -n)
nlat=$(wc -l <<<"$lat")
p50=$(sed -n "$(((nlat * 50 + 99) / 100))p" <<<"$lat")
p99=$(sed -n "$(((nlat * 99 + 99) / 100))p" <<<"$lat")
verdicts=$(grep -E 'from=<bench-milter-1@outside.test>' "$LOG" | sed -n 's/.* verdict=\([a-z]*\) .*action=\([a-z]*\) .*/\1 (\2)/p' |
	sort | uniq -c | awk '{printf "%s%s %s %s", sep, $1, $2, $3; sep=", "}')
banners=$(grep -E 'from=<bench-milter-1@outside.test>' "$LOG" | grep -c 'banner=' || true)
rss_kb=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$MILTER_PID/status")

best() { printf '%s\n' "$@" | sort -n | tail -n 1; }
bp=$(best "${plain_rate[@]}") bm=$(best "${milter_rate[@]}") be=$(best "${empty_rate[@]}")
pct() { printf '%.1f' "$(echo "scale=6; 100 * (1 - $1 / $2)" | bc)"; }
cost=$(pct "$bm" "$bp")
empty_cost=$(pct "$be" "$bp")
own_cost=$(pct "$bm" "$be")
src_cost=$(pct "$src_milter_rate" "$src_plain_rate")
verdict() { [ "$(echo "$1" | bc)" = 1 ] && echo "met" || echo "**missed**"; }

report=$(cat <<EOF
# leakguard milter: cost to Postfix

$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(postconf -d -h mail_version | sed 's/^/Postfix /'), leakguard $("$BIN" --version | awk '{print $2}') ($(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)), configuration: leakguard.conf as shipped (no state store, so no learned model), $(sed -n 's/.*with \([0-9]*\) analysis threads.*/\1/p' "$LOG" | head -n 1) analysis threads.

Listeners: *plain* has no milter; *empty* has a libmilter milter that analyses nothing but negotiates the same steps and adds the same three headers (the cost any milter pays); *milter* has leakguard.
Corpus runs: $COUNT messages drawn evenly from build/corpus/test (ham and spam), $SESSIONS parallel SMTP sessions (tests/milter/blast.py, pipelining), timed from the first connection until every accepted message is delivered or held.

| round | listener | sent | delivered | held | rejected | tempfailed | errors | unaccounted | seconds | msg/s | DATA→reply p50 ms | p99 ms | Postfix CPU ms/msg | milter CPU ms/msg |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${rows}
| | Postfix alone | Postfix + leakguard milter | cost | target |
|---|---|---|---|---|
| corpus, best round (msg/s) | $bp | $bm | $cost % | ≤ 10 %: $(verdict "$cost <= 10") |
| corpus, best round, empty milter (msg/s) | $bp | $be | $empty_cost % | (the protocol's own cost) |
| leakguard against the empty milter (msg/s) | $be | $bm | $own_cost % | (the analysis's cost) |
| smtp-source -l 6000, generated (msg/s) | $src_plain_rate | $src_milter_rate | $src_cost % | |
| milter time per message, p50 / p99 (ms) | | $p50 / $p99 | | p99 < 20 ms: $(verdict "$p99 < 20") |
| milter peak RSS | | $((rss_kb / 1024)) MiB | | |
| messages unaccounted for (all runs) | | $unaccounted | | 0: $( [ "$unaccounted" -eq 0 ] && echo met || echo "**missed**") |

Load average when the report was written: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows both listeners; the CPU columns are less sensitive to it than msg/s).
Verdicts in round 1 with the milter: $verdicts; $banners messages got the banner.
smtp-source deliveries counted: $src_plain_n alone, $src_milter_n with the milter.
EOF
)
echo "$report"
if [ -n "$SAVE" ]; then
	mkdir -p "$top/bench/results"
	echo "$report" >"$top/bench/results/milter-$(date -u +%Y%m%d-%H%M%S).md"
fi
[ "$unaccounted" -eq 0 ]
