#!/usr/bin/env bash
# bench/peers/rspamd.sh: rspamd as a benchmark peer, network off, with its own
# configuration, state and (for Bayes) its own redis-server, all on free
# 127.0.0.1 ports. Follows /work/shared/NOTES.md ("rspamd 3.4 as a
# side-by-side peer, network off"):
#
#   WORK/rspamd/conf/   copy of /etc/rspamd; rspamd.conf edited so that the
#                       normal and controller workers listen on free ports and
#                       the proxy worker is gone; local.d/ holds our changes:
#     options.inc       DNS to a dead 127.0.0.1 port, 0.2 s timeout, no retries
#                       (without network every DNS lookup would stall a message)
#     NAME.conf         enabled = false for every module that needs the
#                       network or Redis state (list in RSPAMD_DISABLED below)
#     phishing.conf     phishtank and openphish feeds off
#     classifier-bayes.conf  Bayes on the private Redis, no autolearn (--bayes)
#   WORK/rspamd/db/     DBDIR: hyperscan cache, symbol cache (kept between runs
#                       of the same WORK when HS_CACHE is set, see below)
#   WORK/rspamd/run/, log/   RUNDIR, LOGDIR (log/rspamd.log)
#   WORK/rspamd/redis/  the private redis-server's directory (--bayes only)
#
# rspamd runs one normal worker (its default count = 1); start waits until the
# log says the hyperscan database is loaded and scans a few warm-up messages.
# Classification uses rspamc in batch mode (-n parallel requests, default 8),
# which prints one result per file; the scanning is done in the server
# (rspamd_server_pids).
#
# Verdict: spam when the action is neither "no action" nor "greylist", i.e.
# "add header" (score >= 6 by default), "rewrite subject", "soft reject" or
# "reject" (>= 15). The score printed is rspamd's score.
#
# Bayes (--bayes): learning goes through the controller (rspamc learn_spam /
# learn_ham), one message at a time in sorted order (the outcome depends on
# the order). rspamd's default learn condition skips messages that Bayes
# already classifies confidently and messages already learned, so the learned
# counts (rspamd_bayes_stats) end below the number of training messages.
#
# Setup options: --bayes (default: heuristics only, no Bayes, no Redis),
# --parallel N (rspamc -n, default 8).
# Environment: RSPAMD_HS_CACHE=DIR keeps hyperscan's compiled databases in DIR
# (compiling them takes minutes on the first start; they depend only on the
# rules, so later runs reuse them).
#
# Sourced: provides rspamd_setup/start/train/classify/stop/server_pids (see
# bench/peers/lib.sh). Run: bench/peers/rspamd.sh --help.

# shellcheck source=bench/peers/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Commands put in front of rspamd and redis-server at start (e.g. taskset -c 1).
RSPAMD_SERVER_WRAP=()

# Modules that use DNS or other network services, or Redis state that a
# benchmark must not carry from one message to the next.
RSPAMD_DISABLED=(rbl surbl spf dkim dmarc arc fuzzy_check asn emails mx_check
	rspamd_update reputation neural ratelimit greylist replies history_redis dcc
	url_redirector hfilter once_received)

# rspamd_setup WORK [--bayes] [--parallel N]
rspamd_setup()
{
	local work=$1
	shift
	RSPAMD_BAYES=0
	RSPAMD_PARALLEL=8
	while [ $# -gt 0 ]; do
		case $1 in
		--bayes) RSPAMD_BAYES=1 ;;
		--no-bayes) RSPAMD_BAYES=0 ;;
		--parallel) RSPAMD_PARALLEL=$2; shift ;;
		*) lg_die "rspamd_setup: unknown option $1" ;;
		esac
		shift
	done
	if ! command -v rspamd >/dev/null || ! command -v rspamc >/dev/null; then
		lg_die "rspamd is not installed (scripts/install-deps.sh)"
	fi
	if [ "$RSPAMD_BAYES" = 1 ]; then
		command -v redis-server >/dev/null || lg_die "redis-server is not installed"
	fi
	RSPAMD_DIR=$work/rspamd
	rm -rf "$RSPAMD_DIR"
	mkdir -p "$RSPAMD_DIR"/{conf,db,run,log}
	if [ -n "${RSPAMD_HS_CACHE:-}" ]; then
		mkdir -p "$RSPAMD_HS_CACHE"
		RSPAMD_HS_DIR=$(cd "$RSPAMD_HS_CACHE" && pwd)
	else
		RSPAMD_HS_DIR=$RSPAMD_DIR/db
	fi
	cp -r /etc/rspamd/. "$RSPAMD_DIR/conf/"
	RSPAMD_PORT=$(lg_free_port)
	RSPAMD_CTL_PORT=$(lg_free_port)
	local conf=$RSPAMD_DIR/conf
	# Workers on our ports; the proxy (milter) worker removed.
	sed -i -e "s|bind_socket = \"localhost:11333\"|bind_socket = \"127.0.0.1:$RSPAMD_PORT\"|" \
		-e "s|bind_socket = \"localhost:11334\"|bind_socket = \"127.0.0.1:$RSPAMD_CTL_PORT\"|" \
		-e '/^worker "rspamd_proxy" {/,/^}/d' "$conf/rspamd.conf"
	if ! grep -q "127.0.0.1:$RSPAMD_PORT" "$conf/rspamd.conf" ||
		! grep -q "127.0.0.1:$RSPAMD_CTL_PORT" "$conf/rspamd.conf" ||
		grep -q rspamd_proxy "$conf/rspamd.conf"; then
		lg_die "unexpected /etc/rspamd/rspamd.conf layout (worker sockets not found)"
	fi
	local dead
	dead=$(lg_free_port)
	cat >"$conf/local.d/options.inc" <<EOF
# leakguard bench: no network. DNS goes to a port nobody listens on.
dns {
    nameserver = ["127.0.0.1:$dead"];
    timeout = 0.2s;
    retransmits = 0;
}
hs_cache_dir = "$RSPAMD_HS_DIR/";
EOF
	local m
	for m in "${RSPAMD_DISABLED[@]}"; do
		echo "enabled = false;" >"$conf/local.d/$m.conf"
	done
	cat >"$conf/local.d/phishing.conf" <<EOF
phishtank_enabled = false;
openphish_enabled = false;
EOF
	RSPAMD_REDIS_PORT=
	if [ "$RSPAMD_BAYES" = 1 ]; then
		RSPAMD_REDIS_PORT=$(lg_free_port)
		mkdir -p "$RSPAMD_DIR/redis"
		cat >"$conf/local.d/classifier-bayes.conf" <<EOF
backend = "redis";
servers = "127.0.0.1:$RSPAMD_REDIS_PORT";
autolearn = false;
EOF
	else
		# No Redis servers: rspamd disables its Bayes classifier.
		:
	fi
	RSPAMD_PID=
	RSPAMD_REDIS_PID=
}

# rspamd_start: (redis-server,) rspamd; waits for hyperscan and warms up.
rspamd_start()
{
	if [ "$RSPAMD_BAYES" = 1 ]; then
		lg_cmdlog "$(lg_wrap_text RSPAMD_SERVER_WRAP)redis-server --bind 127.0.0.1 --port $RSPAMD_REDIS_PORT --dir $RSPAMD_DIR/redis --save '' --appendonly no --daemonize no --logfile $RSPAMD_DIR/log/redis.log"
		"${RSPAMD_SERVER_WRAP[@]}" redis-server --bind 127.0.0.1 --port "$RSPAMD_REDIS_PORT" \
			--dir "$RSPAMD_DIR/redis" --save '' --appendonly no --daemonize no \
			--logfile "$RSPAMD_DIR/log/redis.log" &
		RSPAMD_REDIS_PID=$!
		lg_cleanup_add "lg_stop_pid $RSPAMD_REDIS_PID"
		if ! lg_wait_port "$RSPAMD_REDIS_PORT" 30 "$RSPAMD_REDIS_PID"; then
			lg_show_log "$RSPAMD_DIR/log/redis.log"
			lg_die "redis-server did not start on 127.0.0.1:$RSPAMD_REDIS_PORT"
		fi
	fi
	local log=$RSPAMD_DIR/log/rspamd.log
	: >"$log"
	lg_cmdlog "$(lg_wrap_text RSPAMD_SERVER_WRAP)rspamd -f -i -u root -g root -c $RSPAMD_DIR/conf/rspamd.conf --var=CONFDIR=$RSPAMD_DIR/conf --var=LOCAL_CONFDIR=$RSPAMD_DIR/conf --var=DBDIR=$RSPAMD_DIR/db --var=RUNDIR=$RSPAMD_DIR/run --var=LOGDIR=$RSPAMD_DIR/log   (config: /etc/rspamd copy; workers on 127.0.0.1:$RSPAMD_PORT and :$RSPAMD_CTL_PORT; local.d: options.inc (dead DNS), phishing.conf, ${RSPAMD_DISABLED[*]} disabled$([ "$RSPAMD_BAYES" = 1 ] && echo "; classifier-bayes.conf: redis 127.0.0.1:$RSPAMD_REDIS_PORT, autolearn off"))"
	"${RSPAMD_SERVER_WRAP[@]}" rspamd -f -i -u root -g root -c "$RSPAMD_DIR/conf/rspamd.conf" \
		--var=CONFDIR="$RSPAMD_DIR/conf" --var=LOCAL_CONFDIR="$RSPAMD_DIR/conf" \
		--var=DBDIR="$RSPAMD_DIR/db" --var=RUNDIR="$RSPAMD_DIR/run" \
		--var=LOGDIR="$RSPAMD_DIR/log" >"$RSPAMD_DIR/log/rspamd.out" 2>&1 &
	RSPAMD_PID=$!
	lg_cleanup_add "lg_stop_pid $RSPAMD_PID"
	if ! lg_wait_port "$RSPAMD_PORT" 120 "$RSPAMD_PID" || ! lg_wait_port "$RSPAMD_CTL_PORT" 30 "$RSPAMD_PID"; then
		lg_show_log "$RSPAMD_DIR/log/rspamd.out"
		lg_show_log "$log"
		lg_die "rspamd did not start on 127.0.0.1:$RSPAMD_PORT"
	fi
	# Hyperscan: the hs_helper worker compiles what the cache lacks (minutes
	# on a cold cache; until then rspamd scans with PCRE, slowly) and logs
	# "compiled N regular expressions"; with N > 0 the normal worker then logs
	# "full hyperscan database ... has been loaded". With N = 0 the main
	# process had loaded the full database from the cache before forking.
	local i n ready=0
	for ((i = 0; i < 1800; i++)); do
		kill -0 "$RSPAMD_PID" 2>/dev/null || { lg_show_log "$log"; lg_die "rspamd exited"; }
		n=$(sed -n 's/.*rspamd_rs_compile_cb: compiled \([0-9]*\) regular expressions.*/\1/p' "$log" | tail -n 1)
		if [ -n "$n" ]; then
			if [ "$n" -gt 0 ] && grep -q '(normal).*full hyperscan database of [0-9]* regexps has been loaded' "$log"; then
				ready=1
			elif [ "$n" -eq 0 ] && grep -q '(main).*full hyperscan database of [0-9]* regexps has been loaded' "$log"; then
				ready=1
			fi
		fi
		[ "$ready" = 1 ] && break
		[ $((i % 60)) -eq 59 ] && lg_log "waiting for rspamd's hyperscan database ($((i + 1)) s)"
		sleep 1
	done
	[ "$ready" = 1 ] ||
		lg_log "warning: rspamd never reported a loaded hyperscan database; timings may be slow"
	sleep 2
	# Warm-up: a few scans so that lazy initialisation is not timed.
	for ((i = 0; i < 3; i++)); do
		printf 'From: a@example.org\nTo: b@example.org\nSubject: warm-up %d\nMessage-ID: <w%d@example.org>\n\nhello\n' "$i" "$i" |
			rspamc -h "127.0.0.1:$RSPAMD_PORT" -t 30 >/dev/null 2>&1 || true
	done
}

rspamd_stop()
{
	lg_stop_pid "$RSPAMD_PID"
	lg_stop_pid "$RSPAMD_REDIS_PID"
	RSPAMD_PID=
	RSPAMD_REDIS_PID=
}

# Prints rspamd's main pid (its workers are its children); the Redis server
# too with --bayes (Bayes work happens there as well).
rspamd_server_pids()
{
	[ -n "${RSPAMD_PID:-}" ] && echo "$RSPAMD_PID"
	[ -n "${RSPAMD_REDIS_PID:-}" ] && echo "$RSPAMD_REDIS_PID"
	return 0
}

# rspamd_train ham|spam DIR...: rspamc learn_ham / learn_spam via the controller.
rspamd_train()
{
	local kind=$1
	shift
	case $kind in ham | spam) ;; *) lg_die "rspamd_train: ham or spam, not '$kind'" ;; esac
	[ "$RSPAMD_BAYES" = 1 ] || lg_die "rspamd_train: set up without --bayes"
	# One request at a time: the learn condition looks at what Bayes already
	# knows, so the order matters; in parallel it would vary with timing.
	lg_cmdlog "find $* -maxdepth 1 -type f | LC_ALL=C sort | xargs -d '\n' rspamc -h 127.0.0.1:$RSPAMD_CTL_PORT -t 60 -n 1 learn_$kind"
	lg_list_messages "$@" | xargs -d '\n' rspamc -h "127.0.0.1:$RSPAMD_CTL_PORT" -t 60 \
		-n 1 "learn_$kind" >>"$RSPAMD_DIR/learn-$kind.out" 2>&1 ||
		{ tail -n 20 "$RSPAMD_DIR/learn-$kind.out" >&2; lg_die "rspamc learn_$kind failed"; }
}

# Prints "learned_spam offered_spam learned_ham offered_ham": how many
# training messages Bayes accepted (rspamc answered success) out of how many
# it was given since setup (--bayes only).
rspamd_bayes_stats()
{
	local kind f
	for kind in spam ham; do
		f=$RSPAMD_DIR/learn-$kind.out
		if [ -f "$f" ]; then
			printf '%s %s ' "$(grep -c '^success = true;' "$f")" "$(grep -c '^Results for file: ' "$f")"
		else
			printf '0 0 '
		fi
	done
	echo
}

# rspamd_classify DIR...: PATH<TAB>spam|ham<TAB>score per message, sorted by
# path (rspamc answers in completion order); rspamc (one process, parallel
# requests) runs under "${PEER_WRAP[@]}".
rspamd_classify()
{
	[ -n "$RSPAMD_PID" ] || lg_die "rspamd_classify: rspamd is not running"
	lg_list_messages "$@" >"$RSPAMD_DIR/classify.list"
	lg_cmdlog "find $* -maxdepth 1 -type f | LC_ALL=C sort | ${PEER_WRAP_TEXT:-}xargs -d '\n' -x -s 1000000 rspamc -h 127.0.0.1:$RSPAMD_PORT -t 60 -n $RSPAMD_PARALLEL   (one rspamc for all files)"
	local rc=0
	"${PEER_WRAP[@]}" xargs -d '\n' -x -s 1000000 rspamc -h "127.0.0.1:$RSPAMD_PORT" -t 60 \
		-n "$RSPAMD_PARALLEL" <"$RSPAMD_DIR/classify.list" >"$RSPAMD_DIR/classify.out" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || lg_log "warning: rspamc exited with $rc"
	awk '
		function flush() {
			if (file == "") return
			if (action == "") { verdict = "error"; score = "NaN"; errors++ }
			else verdict = (action == "no action" || action == "greylist") ? "ham" : "spam"
			printf "%s\t%s\t%s\n", file, verdict, score
			file = ""
		}
		/^Results for file: / {
			flush()
			file = $0
			sub(/^Results for file: /, "", file)
			sub(/ \([0-9.]+ seconds\)$/, "", file)
			action = ""; score = "NaN"
			next
		}
		/^Action: / { action = substr($0, 9) }
		/^Score: / { score = $2 }
		END { flush(); if (errors) printf "rspamd: %d messages without a result (label error)\n", errors > "/dev/stderr" }
	' "$RSPAMD_DIR/classify.out" | LC_ALL=C sort -t "$(printf '\t')" -k1,1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	LG_LOG_TAG=rspamd
	LG_SETUP_HELP="  --bayes        Bayes with a private redis-server (default: heuristics only)
  --parallel N   parallel rspamc requests (default 8)"
	lg_peer_main rspamd "$@"
fi
