#!/usr/bin/env bash
# bench/scan.sh: `leakguard scan` speed and memory, one command.
#
# Usage: bench/scan.sh [--quick] [--no-save]
#
# Measures, with the scanner pinned to one core (taskset -c $BENCH_CORE,
# default 1) and the servers on another (BENCH_SERVER_CORE, default 0):
#   1. probes/s against bench/scan/responder.c, a minimal epoll HTTP/1.1
#      server answering every request with a fixed Azure 404
#      ContainerNotFound (the ceiling: the server costs almost nothing);
#   2. the same targets with every 100th one pointed at a listener that
#      accepts and never answers (the throughput drop); 1 and 2 run
#      alternately 3 times each (--quick: 2), keeping each one's least CPU;
#   3. probes/s against Azurite (npm azurite; anonymous List Blobs of
#      containers that do not exist, which Azurite answers 403);
#   4. candidate names generated per second (--list-names, many keywords);
#   5. peak RSS while listing a 100,000-object container (the responder's
#      paged mode, 5,000 objects a page).
# A probe is one HTTP request; counts come from the scanner's own JSON
# ("requests" per target). Wall and CPU time (user + system) of the scanner
# come from /usr/bin/time; on a shared machine trust the CPU figures.
# The report goes to stdout and bench/results/scan-DATE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/peers/lib.sh
. bench/peers/lib.sh
# shellcheck disable=SC2034  # read by lg_log in bench/peers/lib.sh
LG_LOG_TAG=bench/scan

quick=0 save=1
for a in "$@"; do
	case $a in
	--quick) quick=1 ;;
	--no-save) save=0 ;;
	-h | --help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) lg_die "unknown option $a" ;;
	esac
done

BIN=${LEAKGUARD:-build/leakguard}
CORE=${BENCH_CORE:-1}
SCORE=${BENCH_SERVER_CORE:-0}
W=${BENCH_DIR:-build/bench/scan}
TIMEOUT=2
if [ $quick = 1 ]; then
	N=20000 NAZ=1000 NKW=200 REPS=2
else
	N=100000 NAZ=5000 NKW=1000 REPS=3
fi
LISTED=100000
[ -x "$BIN" ] || lg_die "$BIN not built (make)"
mkdir -p "$W"
rm -f "$W"/*.port "$W"/*.out "$W"/*.time

RESP=$W/responder
if [ ! -x "$RESP" ] || [ bench/scan/responder.c -nt "$RESP" ]; then
	cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$RESP" bench/scan/responder.c
fi

# start_responder MODE [OBJECTS]: sets PORT
start_responder()
{
	local mode=$1 pf=$W/$1.port pid
	taskset -c "$SCORE" "$RESP" "$mode" "$pf" ${2:+"$2"} >/dev/null 2>"$W/$mode.log" &
	pid=$!
	lg_cleanup_add "kill $pid"
	for _ in $(seq 50); do [ -s "$pf" ] && break; sleep 0.1; done
	[ -s "$pf" ] || lg_die "responder $mode did not start"
	PORT=$(cat "$pf")
}

# timed NAME CMD...: runs CMD pinned under /usr/bin/time, stdout to NAME.out;
# leaves "wall user sys maxrss_kb" in NAME.time
timed()
{
	local name=$1
	shift
	case $name in
	min-[2-9] | stall-[2-9]) ;; # logged once
	names) lg_cmdlog "taskset -c $CORE $BIN scan --list-names --keyword org1 ... --keyword org$NKW" ;;
	*) lg_cmdlog "taskset -c $CORE $*" ;;
	esac
	/usr/bin/time -o "$W/$name.time" -f '%e %U %S %M' taskset -c "$CORE" "$@" >"$W/$name.out" 2>"$W/$name.err" || {
		local rc=$?
		# scan exits 1 when something is open: not an error here
		[ $rc -eq 1 ] || { cat "$W/$name.err" >&2; lg_die "$name failed ($rc)"; }
	}
	tail -n 1 "$W/$name.time" >"$W/$name.time.1" && mv "$W/$name.time.1" "$W/$name.time"
}
t_wall() { awk '{ print $1 }' "$W/$1.time"; }
t_cpu() { awk '{ printf "%.2f", $2 + $3 }' "$W/$1.time"; }
t_rss() { awk '{ printf "%.1f", $4 / 1024 }' "$W/$1.time"; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }

LG_CMDLOG=$W/commands.txt
: >"$LG_CMDLOG"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# -- 1, 2: the minimal responder, then 1% stalled targets
lg_log "minimal responder: $N targets"
start_responder absent
P_ABS=$PORT
start_responder stall
P_STALL=$PORT
seq -f 'azure://devstoreaccount1/c%07g' 1 "$N" >"$W/targets.txt"
awk 'NR % 100 == 0 { printf "s3://stall-%07d\n", NR; next } { print }' "$W/targets.txt" >"$W/targets-stall.txt"
common=(scan --json --timeout "$TIMEOUT" --endpoint "http://127.0.0.1:$P_ABS/devstoreaccount1"
	--s3-endpoint "http://127.0.0.1:$P_STALL")
# alternately, REPS times each, keeping the run with the least CPU time of
# each kind: load on the shared machine then falls on both alike
for ((i = 1; i <= REPS; i++)); do
	timed "min-$i" "$BIN" "${common[@]}" --targets "$W/targets.txt"
	timed "stall-$i" "$BIN" "${common[@]}" --targets "$W/targets-stall.txt"
done
best()
{
	local kind=$1 b="" i
	for ((i = 1; i <= REPS; i++)); do
		if [ -z "$b" ] || awk -v a="$(t_cpu "$kind-$i")" -v c="$(t_cpu "$b")" 'BEGIN { exit !(a < c) }'; then
			b=$kind-$i
		fi
	done
	cp "$W/$b.time" "$W/$kind.time"
	cp "$W/$b.out" "$W/$kind.out"
	for ((i = 1; i <= REPS; i++)); do
		printf '%s %s s wall, %s CPU s\n' "$kind-$i" "$(t_wall "$kind-$i")" "$(t_cpu "$kind-$i")"
	done >>"$W/reps.txt"
}
: >"$W/reps.txt"
best min
best stall
min_probes=$(jq -s 'map(.requests) | add' "$W/min.out")
min_absent=$(jq -s 'map(select(.state == "absent")) | length' "$W/min.out")
st_probes=$(jq -s 'map(select(.provider == "azure") | .requests) | add' "$W/stall.out")
st_absent=$(jq -s 'map(select(.provider == "azure" and .state == "absent")) | length' "$W/stall.out")
st_unknown=$(jq -s 'map(select(.provider == "s3" and .state == "unknown")) | length' "$W/stall.out")
st_stalled=$(grep -c '^s3://' "$W/targets-stall.txt")
[ "$min_absent" = "$N" ] || lg_log "warning: $min_absent of $N targets absent against the responder"

# -- 3: Azurite
lg_log "Azurite: $NAZ targets"
if [ ! -f node_modules/azurite/dist/src/blob/main.js ]; then
	npm install --no-audit --no-fund --silent >&2 || lg_die "npm install azurite"
fi
P_AZ=$(lg_free_port)
taskset -c "$SCORE" node node_modules/azurite/dist/src/blob/main.js --blobHost 127.0.0.1 --blobPort "$P_AZ" \
	--loose --skipApiVersionCheck --disableTelemetry --inMemoryPersistence >"$W/azurite.log" 2>&1 &
az_pid=$!
lg_cleanup_add "kill $az_pid"
lg_wait_port "$P_AZ" 60 "$az_pid" || { lg_show_log "$W/azurite.log"; lg_die "Azurite did not start"; }
head -n "$NAZ" "$W/targets.txt" >"$W/targets-az.txt"
# warm-up (Azurite compiles its routes on first use)
curl -s -o /dev/null "http://127.0.0.1:$P_AZ/devstoreaccount1/warm?restype=container&comp=list" || true
az_cpu0=$(lg_proc_cpu "$az_pid")
timed azurite "$BIN" scan --json --no-probe --timeout 10 --endpoint "http://127.0.0.1:$P_AZ/devstoreaccount1" \
	--targets "$W/targets-az.txt"
az_cpu1=$(lg_proc_cpu "$az_pid")
az_probes=$(jq -s 'map(.requests) | add' "$W/azurite.out")
az_states=$(jq -r .state "$W/azurite.out" | sort | uniq -c | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')
az_server_cpu=$(awk -v a="$az_cpu0" -v b="$az_cpu1" 'BEGIN { printf "%.2f", b - a }')

# -- 4: names
lg_log "names: $NKW keywords"
kw=()
for i in $(seq 1 "$NKW"); do kw+=(--keyword "org$i"); done
timed names "$BIN" scan --list-names "${kw[@]}"
n_names=$(wc -l <"$W/names.out")

# -- 5: listing a 100,000-object container
lg_log "listing $LISTED objects"
start_responder paged "$LISTED"
P_PAGED=$PORT
timed list "$BIN" scan --json --max-pages 1000 --page-size 5000 \
	--endpoint "http://127.0.0.1:$P_PAGED/devstoreaccount1" azure://devstoreaccount1/many
l_objects=$(jq -r .objects "$W/list.out")
l_pages=$(jq -r .pages "$W/list.out")
l_bytes=$(jq -r .bytes_received "$W/list.out")
# the same binary doing nothing network-bound: its floor of memory
timed floor "$BIN" scan --json --endpoint "http://127.0.0.1:$P_ABS/devstoreaccount1" azure://devstoreaccount1/one

load_end=$(cut -d' ' -f1-3 /proc/loadavg)

min_cps=$(rate "$min_probes" "$(t_cpu min)")
st_cps=$(rate "$st_probes" "$(t_cpu stall)")
drop_cpu=$(awk -v a="$min_cps" -v b="$st_cps" 'BEGIN { printf "%.1f", (a > 0 ? (a - b) * 100 / a : 0) }')
# wall: the stalled run ends one timeout after its last stalled target started
st_wall_net=$(awk -v w="$(t_wall stall)" -v t="$TIMEOUT" 'BEGIN { printf "%.2f", w - t }')
drop_wall=$(awk -v a="$(rate "$min_probes" "$(t_wall min)")" -v b="$(rate "$st_probes" "$st_wall_net")" \
	'BEGIN { printf "%.1f", (a > 0 ? (a - b) * 100 / a : 0) }')
met() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = op == "ge" ? v >= t : v <= t; print ok ? "met" : "not met" }'; }

report()
{
	echo "# leakguard scan — $(date '+%Y-%m-%d %H:%M %Z')$([ $quick = 1 ] && echo ' (--quick)')"
	echo
	echo "Scanner pinned to core $CORE, servers to core $SCORE; $(nproc) cores; load average $load_start at start, $load_end at end."
	echo "A probe is one anonymous HTTP request. CPU s = user + system of the scanner (/usr/bin/time); on a"
	echo "shared machine the per-CPU-second figures are the ones to trust."
	echo
	echo "| measure | count | wall s | CPU s | per wall s | per CPU s | peak RSS MiB |"
	echo "|---|---|---|---|---|---|---|"
	echo "| probes, minimal C responder (404 ContainerNotFound) | $min_probes | $(t_wall min) | $(t_cpu min) | $(rate "$min_probes" "$(t_wall min)") | $min_cps | $(t_rss min) |"
	echo "| probes, same with 1% of targets stalled ($st_stalled of $N; answered probes counted) | $st_probes | $(t_wall stall) | $(t_cpu stall) | $(rate "$st_probes" "$st_wall_net") (wall less one ${TIMEOUT} s timeout) | $st_cps | $(t_rss stall) |"
	echo "| probes, Azurite (403 for absent containers; --no-probe) | $az_probes | $(t_wall azurite) | $(t_cpu azurite) | $(rate "$az_probes" "$(t_wall azurite)") | $(rate "$az_probes" "$(t_cpu azurite)") | $(t_rss azurite) |"
	echo "| candidate names, $NKW keywords (--list-names) | $n_names | $(t_wall names) | $(t_cpu names) | $(rate "$n_names" "$(t_wall names)") | $(rate "$n_names" "$(t_cpu names)") | $(t_rss names) |"
	echo "| listing one container of $LISTED objects ($l_pages pages, $l_bytes bytes) | $l_objects objects | $(t_wall list) | $(t_cpu list) | $(rate "$l_objects" "$(t_wall list)") | $(rate "$l_objects" "$(t_cpu list)") | $(t_rss list) |"
	echo "| one probe (the process's floor) | 1 | $(t_wall floor) | $(t_cpu floor) | | | $(t_rss floor) |"
	echo
	echo "| target | result | |"
	echo "|---|---|---|"
	echo "| ≥ 20,000 probes/s against the minimal responder | $min_cps per CPU-second, $(rate "$min_probes" "$(t_wall min)") per wall second | $(met "$min_cps" 20000 ge) |"
	echo "| throughput drop with 1% stalled targets ≤ 5% | ${drop_cpu}% per CPU-second; ${drop_wall}% per wall second (less the final timeout) | $(met "$drop_cpu" 5 le) |"
	echo "| peak RSS listing 100,000 objects < 32 MiB | $(t_rss list) MiB | $(met "$(t_rss list)" 32 le) |"
	echo
	echo "- Probe runs (alternating; the table keeps the least CPU of each): $(paste -sd ';' "$W/reps.txt" | sed 's/;/; /g')."
	echo "- Stalled run: $st_absent of $((N - st_stalled)) answered targets absent, $st_unknown of $st_stalled stalled targets unknown (timeout ${TIMEOUT} s)."
	echo "- Azurite: states $az_states; Azurite's own CPU meanwhile $az_server_cpu s (it is the bottleneck: the scanner idles)."
	echo "- Memory grows with the number of targets (all are queued at start): see the RSS of the probe rows."
	echo
	echo "Commands (ports are this run's):"
	echo
	sed 's/^/    /' "$LG_CMDLOG"
}
out=$(report)
printf '%s\n' "$out"
if [ $save = 1 ]; then
	mkdir -p bench/results
	file=bench/results/scan-$(date +%Y-%m-%d)
	[ -e "$file.md" ] && file+=-$(date +%H%M%S)
	printf '%s\n' "$out" >"$file.md"
	lg_log "saved $file.md"
fi
