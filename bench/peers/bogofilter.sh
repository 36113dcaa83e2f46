#!/usr/bin/env bash
# bench/peers/bogofilter.sh: bogofilter (Bayesian filter, Robinson-Fisher) as a
# benchmark peer, with its own wordlist under WORK/bogofilter/.
#
# bogofilter runs with -C (no system or user config file), so its built-in
# defaults apply: spam_cutoff 0.99, ham_cutoff 0.45. Between the two it answers
# "Unsure"; unsure counts as ham here (only "Spam" is a detection), which is
# how a mail system that files only bogofilter's Spam verdict would behave.
# The score printed is bogofilter's spamicity (0..1).
#
# Training registers whole directories in one process each (-s / -n with -b,
# file names on stdin); classification is one process over all messages
# (-b -v: bulk mode, one "PATH X-Bogosity: ..." line per message).
#
# Sourced: provides bogofilter_setup/start/train/classify/stop/server_pids
# (see bench/peers/lib.sh). Run: bench/peers/bogofilter.sh --help.

# shellcheck source=bench/peers/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# bogofilter_setup WORK: an empty wordlist directory WORK/bogofilter.
bogofilter_setup()
{
	command -v bogofilter >/dev/null || lg_die "bogofilter is not installed (scripts/install-deps.sh)"
	BOGOFILTER_DIR=$1/bogofilter
	rm -rf "$BOGOFILTER_DIR"
	mkdir -p "$BOGOFILTER_DIR"
}

bogofilter_start() { :; }
bogofilter_stop() { :; }
bogofilter_server_pids() { :; }

# bogofilter_train ham|spam DIR...: registers every message of the DIRs.
bogofilter_train()
{
	local kind=$1 flag
	shift
	case $kind in ham) flag=-n ;; spam) flag=-s ;; *) lg_die "bogofilter_train: ham or spam, not '$kind'" ;; esac
	lg_cmdlog "find $* -maxdepth 1 -type f | LC_ALL=C sort | bogofilter -C -d $BOGOFILTER_DIR $flag -b"
	lg_list_messages "$@" | bogofilter -C -d "$BOGOFILTER_DIR" "$flag" -b ||
		lg_die "bogofilter failed to learn $kind from $*"
}

# bogofilter_classify DIR...: PATH<TAB>spam|ham<TAB>spamicity per message, in
# one bogofilter process (run under "${PEER_WRAP[@]}").
bogofilter_classify()
{
	local rc=0
	lg_list_messages "$@" >"$BOGOFILTER_DIR/classify.list"
	lg_cmdlog "find $* -maxdepth 1 -type f | LC_ALL=C sort | ${PEER_WRAP_TEXT:-}bogofilter -C -d $BOGOFILTER_DIR -v -b"
	"${PEER_WRAP[@]}" bogofilter -C -d "$BOGOFILTER_DIR" -v -b <"$BOGOFILTER_DIR/classify.list" \
		>"$BOGOFILTER_DIR/classify.out" || rc=$?
	# bogofilter exits 0 spam, 1 ham, 2 unsure, 3 error (for the last message).
	[ "$rc" -le 2 ] || lg_die "bogofilter failed to classify $*"
	awk '
		{
			i = index($0, " X-Bogosity: ")
			if (i == 0) next
			path = substr($0, 1, i - 1)
			rest = substr($0, i + 13)
			verdict = (rest ~ /^Spam,/) ? "spam" : "ham"
			score = rest
			sub(/.*spamicity=/, "", score)
			sub(/,.*/, "", score)
			printf "%s\t%s\t%s\n", path, verdict, score
		}' "$BOGOFILTER_DIR/classify.out"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	LG_LOG_TAG=bogofilter
	lg_peer_main bogofilter "$@"
fi
