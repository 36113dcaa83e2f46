#!/usr/bin/env bash
# bench/peers/spamassassin.sh: Apache SpamAssassin as a benchmark peer: a
# private spamd (one child) on a free 127.0.0.1 port, queried with spamc.
#
# Private instance under WORK/spamassassin/:
#   site/     copy of /etc/spamassassin (Debian's plugin .pre files and
#             local.cf) plus zz-bench.cf: Bayes on or off, Bayes database in
#             bayes/, no auto-learning, required_score 5 (SpamAssassin's default)
#   bayes/    the Bayes database that sa-learn writes and spamd reads
#   home/     HOME for spamd's helpers and sa-learn (no ~/.spamassassin used)
#   spamd.log spamd's log
# Rules: the ones Debian ships in /usr/share/spamassassin (and compiled body
# rules if sa-compile ran). No network: spamd and sa-learn run with --local
# (no DNS blocklists, Razor, Pyzor, DCC, URIBL), as everywhere in these
# benchmarks.
#
# spamd runs one child (-m 1) so that it uses one core; spamc sends one message
# at a time (spamc -c: "score/threshold", exit code 1 for spam). Spam = score at
# or above required_score 5; the score printed is SpamAssassin's score.
#
# Setup options: --no-bayes (heuristic rules only), --threshold N.
#
# Sourced: provides spamassassin_setup/start/train/classify/stop/server_pids
# (see bench/peers/lib.sh). Run: bench/peers/spamassassin.sh --help.

# shellcheck source=bench/peers/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Commands put in front of spamd at start (e.g. taskset -c 1).
SA_SERVER_WRAP=()

# spamassassin_setup WORK [--no-bayes] [--threshold N]
spamassassin_setup()
{
	local work=$1 bayes=1
	SA_THRESHOLD=5
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--no-bayes) bayes=0 ;;
		--bayes) bayes=1 ;;
		--threshold) SA_THRESHOLD=$2; shift ;;
		*) lg_die "spamassassin_setup: unknown option $1" ;;
		esac
		shift
	done
	local p
	for p in spamd spamc sa-learn; do
		command -v "$p" >/dev/null || lg_die "$p is not installed (scripts/install-deps.sh)"
	done
	SA_DIR=$work/spamassassin
	# shellcheck disable=SC2034  # for callers: 1 when spamd uses Bayes
	SA_BAYES=$bayes
	rm -rf "$SA_DIR"
	mkdir -p "$SA_DIR/site" "$SA_DIR/bayes" "$SA_DIR/home"
	cp -r /etc/spamassassin/. "$SA_DIR/site/"
	cat >"$SA_DIR/site/zz-bench.cf" <<EOF
# leakguard bench: private, offline, deterministic.
required_score $SA_THRESHOLD
use_bayes $bayes
bayes_auto_learn 0
bayes_path $SA_DIR/bayes/bayes
bayes_file_mode 0666
lock_method flock
use_razor2 0
use_pyzor 0
skip_rbl_checks 1
EOF
	# spamd refuses to scan as root and falls back to nobody, which must be
	# able to read (and lock) the Bayes files.
	chmod 0777 "$SA_DIR/bayes" "$SA_DIR/home"
	chmod -R a+rX "$SA_DIR"
	SA_PORT=
	SA_PID=
}

# spamassassin_start: spamd with one child on a free port; waits until ready.
spamassassin_start()
{
	SA_PORT=$(lg_free_port)
	: >"$SA_DIR/spamd.log"
	lg_cmdlog "$(lg_wrap_text SA_SERVER_WRAP)spamd --local --nouser-config --username=nobody --siteconfigpath=$SA_DIR/site --helper-home-dir=$SA_DIR/home --listen=127.0.0.1:$SA_PORT --max-children=1 --min-children=1 --min-spare=1 --max-spare=1 --timeout-child=300 --syslog=$SA_DIR/spamd.log --pidfile=$SA_DIR/spamd.pid"
	"${SA_SERVER_WRAP[@]}" spamd --local --nouser-config --username=nobody \
		--siteconfigpath="$SA_DIR/site" --helper-home-dir="$SA_DIR/home" \
		--listen="127.0.0.1:$SA_PORT" --max-children=1 --min-children=1 \
		--min-spare=1 --max-spare=1 --timeout-child=300 \
		--syslog="$SA_DIR/spamd.log" --pidfile="$SA_DIR/spamd.pid" \
		>"$SA_DIR/spamd.out" 2>&1 &
	SA_PID=$!
	lg_cleanup_add "lg_stop_pid $SA_PID"
	if ! lg_wait_port "$SA_PORT" 120 "$SA_PID"; then
		lg_show_log "$SA_DIR/spamd.out"
		lg_die "spamd did not start on 127.0.0.1:$SA_PORT"
	fi
	# The first scan loads what the child loads lazily; not part of any timing.
	printf 'From: a@example.org\nTo: b@example.org\nSubject: warm-up\n\nhello\n' |
		spamc -d 127.0.0.1 -p "$SA_PORT" -c -x >/dev/null 2>&1 || true
}

spamassassin_stop()
{
	lg_stop_pid "$SA_PID"
	SA_PID=
}

spamassassin_server_pids() { if [ -n "${SA_PID:-}" ]; then echo "$SA_PID"; fi; }

# spamassassin_train ham|spam DIR...: sa-learn into the private Bayes database.
# With --no-bayes the database is still written (for a later Bayes run) but
# spamd does not use it.
spamassassin_train()
{
	local kind=$1
	shift
	case $kind in ham | spam) ;; *) lg_die "spamassassin_train: ham or spam, not '$kind'" ;; esac
	lg_cmdlog "HOME=$SA_DIR/home sa-learn --local --siteconfigpath=$SA_DIR/site --cf='use_bayes 1' --max-size=0 --$kind $*"
	HOME=$SA_DIR/home sa-learn --local --siteconfigpath="$SA_DIR/site" \
		--cf="use_bayes 1" --max-size=0 --"$kind" "$@" >&2 ||
		lg_die "sa-learn failed to learn $kind from $*"
	chmod -R a+rw "$SA_DIR/bayes"
}

# spamassassin_classify DIR...: PATH<TAB>spam|ham<TAB>score per message. The
# client loop (one spamc per message) runs under "${PEER_WRAP[@]}"; the
# scanning itself happens in spamd (spamassassin_server_pids).
spamassassin_classify()
{
	[ -n "$SA_PID" ] || lg_die "spamassassin_classify: spamd is not running"
	lg_list_messages "$@" >"$SA_DIR/classify.list"
	lg_cmdlog "find $* -maxdepth 1 -type f | LC_ALL=C sort | ${PEER_WRAP_TEXT:-}bash -c 'while read f; do spamc -d 127.0.0.1 -p $SA_PORT -c -x -s 20000000 -t 300 <\$f; done'   (one spamc per message, one after another)"
	# shellcheck disable=SC2016  # the loop is a script of its own
	"${PEER_WRAP[@]}" bash -c '
		port=$1
		while IFS= read -r f; do
			# spamc -c prints "score/threshold" (nothing or 0/0 on failure)
			# and exits 1 for spam, 0 for ham, more for errors. No $(...):
			# a subshell per message would add to the client time.
			printf "F\t%s\n" "$f"
			spamc -d 127.0.0.1 -p "$port" -c -x -s 20000000 -t 300 <"$f"
			printf "R\t%s\n" "$?"
		done' spamc-loop "$SA_PORT" <"$SA_DIR/classify.list" >"$SA_DIR/classify.out"
	awk -F'\t' '
		$1 == "F" && NF == 2 { path = $2; out = ""; next }
		$1 == "R" && NF == 2 {
			if ($2 > 1 || out !~ /^-?[0-9.]+\//) { errors++; printf "%s\terror\tNaN\n", path; next }
			split(out, s, "/")
			printf "%s\t%s\t%s\n", path, ($2 == 1 ? "spam" : "ham"), s[1]
			next
		}
		{ out = $0 }
		END { if (errors) printf "spamassassin: %d messages failed (label error)\n", errors > "/dev/stderr" }
	' "$SA_DIR/classify.out"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	LG_LOG_TAG=spamassassin
	LG_SETUP_HELP="  --no-bayes     heuristic rules only (default: Bayes on)
  --threshold N  required_score (default 5)"
	lg_peer_main spamassassin "$@"
fi
