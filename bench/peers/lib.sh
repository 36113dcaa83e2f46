# shellcheck shell=bash
# bench/peers/lib.sh: helpers shared by the peer scripts and the benchmarks.
# Sourced, never run. Bash 4+.
#
# What lives here:
#   - cleanup: lg_cleanup_add CMD registers a command that runs (last added
#     first) when the shell exits or is interrupted; servers are always stopped.
#   - ports: lg_free_port prints a free TCP port on 127.0.0.1, lg_wait_port
#     waits until something listens on one.
#   - processes: CPU seconds and peak RSS of a server and its children, read
#     from /proc (a server's work happens outside the client we time).
#   - messages: sorted lists of the .eml files in directories, deterministic
#     subsamples (every Nth file), and the scoring of a classification
#     (PATH<TAB>spam|ham<TAB>score lines) against the truth, which is the name
#     of each message's parent directory (ham/ or spam/).
#
# The common interface every peer script (bench/peers/NAME.sh) provides, for a
# peer NAME in {bogofilter, spamassassin, rspamd}:
#   NAME_setup WORK [OPTIONS]  create a private instance under WORK (no server yet)
#   NAME_start                 start its servers (no-op for bogofilter)
#   NAME_train ham|spam DIR... learn the messages in DIR as ham or spam
#   NAME_classify DIR...       print PATH<TAB>spam|ham<TAB>score per message
#   NAME_stop                  stop its servers (also done at exit)
#   NAME_server_pids           print the pids whose CPU the classification uses
# NAME_classify runs the peer's client under "${PEER_WRAP[@]}" (empty by
# default), so a benchmark can put `taskset -c 1 /usr/bin/time ...` in front of
# exactly the program that does the work; PEER_WRAP_TEXT is how the recorded
# command lines (lg_cmdlog) show that prefix. Servers start under the array
# NAME_SERVER_WRAP (SA_SERVER_WRAP, RSPAMD_SERVER_WRAP), e.g. (taskset -c 1).
# Each script also runs on its own: `bench/peers/NAME.sh --help`.

[ -n "${LG_PEER_LIB_LOADED:-}" ] && return 0
LG_PEER_LIB_LOADED=1

# shellcheck disable=SC2034  # used by the peer scripts that source this file
PEER_WRAP=()
LG_CLEANUP=()

lg_log() { printf '%s: %s\n' "${LG_LOG_TAG:-bench}" "$*" >&2; }
lg_die() { lg_log "error: $*"; exit 1; }

lg_cleanup_run()
{
	local i
	for ((i = ${#LG_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${LG_CLEANUP[i]}" >/dev/null 2>&1 || true
	done
	LG_CLEANUP=()
}

# Registers a shell command to run at exit (and on INT/TERM), last added first.
lg_cleanup_add()
{
	if [ "${#LG_CLEANUP[@]}" -eq 0 ] && [ -z "${LG_TRAP_SET:-}" ]; then
		trap 'lg_cleanup_run' EXIT
		# $BASHPID, not $$: in a subshell the signal must end the subshell.
		trap 'lg_cleanup_run; trap - INT; kill -INT $BASHPID' INT
		trap 'lg_cleanup_run; trap - TERM; kill -TERM $BASHPID' TERM
		LG_TRAP_SET=1
	fi
	LG_CLEANUP+=("$1")
}

# Stops a process by pid: TERM, wait up to ~10 s, then KILL. Children are the
# server's own business (rspamd and spamd stop their workers on TERM).
lg_stop_pid()
{
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

lg_port_in_use()
{
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints a TCP port on 127.0.0.1 that no socket uses, that this shell has not
# handed out before, and that lies below the kernel's ephemeral range (so that
# no outgoing connection takes it between now and the server's bind).
lg_free_port()
{
	local p i lo=10000 hi
	hi=$(awk '{ print $1 - 1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32767)
	[ "${hi:-0}" -gt $((lo + 1000)) ] || { lo=40000; hi=60999; }
	for ((i = 0; i < 200; i++)); do
		p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1)))
		case " ${LG_PORTS_GIVEN:-} " in *" $p "*) continue ;; esac
		if ! lg_port_in_use "$p" && ! ss -Htan "sport = :$p" 2>/dev/null | grep -q .; then
			LG_PORTS_GIVEN="${LG_PORTS_GIVEN:-} $p"
			echo "$p"
			return 0
		fi
	done
	lg_die "no free port found"
}

# Waits until 127.0.0.1:PORT accepts connections; fails after TIMEOUT seconds
# or as soon as PID (if given) has exited.
lg_wait_port()
{
	local port=$1 timeout=${2:-30} pid=${3:-} i
	for ((i = 0; i < timeout * 10; i++)); do
		lg_port_in_use "$port" && return 0
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			return 1
		fi
		sleep 0.1
	done
	return 1
}

# Prints PID and all its descendants, one per line.
lg_proc_tree()
{
	local pid=$1 child
	[ -d "/proc/$pid" ] || return 0
	echo "$pid"
	# shellcheck disable=SC2013  # the file holds space-separated pids
	for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
		lg_proc_tree "$child"
	done
}

# Prints the CPU seconds (user + system, all threads) used so far by the given
# pids and their living descendants, plus what their reaped children used.
lg_proc_cpu()
{
	local pid p t hz ticks=0
	hz=$(getconf CLK_TCK)
	for pid in "$@"; do
		for p in $(lg_proc_tree "$pid"); do
			# after "pid (comm) ": $12 utime $13 stime $14 cutime $15 cstime
			t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' \
				/proc/"$p"/stat 2>/dev/null)
			ticks=$((ticks + ${t:-0}))
		done
	done
	awk -v t="$ticks" -v hz="$hz" 'BEGIN { printf "%.2f\n", t / hz }'
}

# Prints the largest peak RSS (VmHWM, KiB) among the given pids and their
# descendants, skipping processes whose command line matches the extended
# regex in LG_HWM_SKIP (e.g. a helper that only compiles at start-up).
lg_proc_hwm()
{
	local pid p kb max=0
	for pid in "$@"; do
		for p in $(lg_proc_tree "$pid"); do
			if [ -n "${LG_HWM_SKIP:-}" ] &&
				tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -Eq "$LG_HWM_SKIP"; then
				continue
			fi
			kb=$(awk '/^VmHWM:/ { print $2 }' /proc/"$p"/status 2>/dev/null)
			[ -n "$kb" ] && [ "$kb" -gt "$max" ] && max=$kb
		done
	done
	echo "$max"
}

# Prints the regular files directly in each DIR, sorted (C locale).
lg_list_messages()
{
	local d
	for d in "$@"; do
		find "$d" -maxdepth 1 -type f ! -name '.*' -print | LC_ALL=C sort
	done
}

# Copies every Nth message (positions 0, N, 2N, ... of each directory's sorted
# list) of SRC/ham and SRC/spam to DEST/ham and DEST/spam (hard links when
# possible). N=1 copies all. The result depends only on the file names.
lg_subsample()
{
	local src=$1 dest=$2 every=$3 kind list
	rm -rf "$dest"
	for kind in ham spam; do
		mkdir -p "$dest/$kind"
		list=$(lg_list_messages "$src/$kind" | awk -v n="$every" '(NR - 1) % n == 0')
		[ -n "$list" ] || continue
		printf '%s\n' "$list" | xargs -d '\n' ln -t "$dest/$kind" 2>/dev/null ||
			printf '%s\n' "$list" | xargs -d '\n' cp -t "$dest/$kind"
	done
}

# Reads classification lines (PATH<TAB>LABEL<TAB>SCORE) on stdin; the truth is
# the name of PATH's parent directory (ham or spam). Counts LABEL as positive
# when it matches the extended regex POSITIVE (default ^spam$). Prints
#   n_ham n_spam spam_detected ham_flagged unknown
# where unknown counts lines whose parent directory is neither ham nor spam.
lg_score()
{
	local positive=${1:-'^spam$'}
	awk -F'\t' -v pos="$positive" '
		{
			n = split($1, parts, "/")
			truth = (n >= 2) ? parts[n - 1] : ""
			flagged = ($2 ~ pos)
			if (truth == "ham") { nh++; fp += flagged }
			else if (truth == "spam") { ns++; tp += flagged }
			else unknown++
		}
		END { printf "%d %d %d %d %d\n", nh, ns, tp, fp, unknown }'
}

# Records a command line as run (free text, real paths and ports) in the file
# named by LG_CMDLOG, when set; benchmarks print these with their results.
lg_cmdlog()
{
	[ -n "${LG_CMDLOG:-}" ] || return 0
	printf '%s\n' "$*" >>"$LG_CMDLOG"
}

# Prints the words of PEER_WRAP (or of the array named by $1) quoted for a shell,
# followed by a space; nothing when empty.
lg_wrap_text()
{
	local -n arr=${1:-PEER_WRAP}
	[ "${#arr[@]}" -gt 0 ] || return 0
	printf '%q ' "${arr[@]}"
}

# Prints the last N lines of FILE to stderr with a heading (for failed starts).
lg_show_log()
{
	local file=$1 n=${2:-30}
	[ -f "$file" ] || return 0
	lg_log "last lines of $file:"
	tail -n "$n" "$file" >&2
}

# The command-line driver every peer script uses when run directly:
#   NAME.sh WORK [--setup-opt OPT]... [--train-ham DIR]... [--train-spam DIR]...
#           [--classify DIR]...
# sets up WORK, starts the servers, trains, classifies (to stdout) and stops.
lg_peer_main()
{
	local name=$1
	shift
	local usage="usage: $0 WORK [SETUP-OPTION]... [--train-ham DIR]... [--train-spam DIR]... [--classify DIR]...
Sets up a private $name instance under WORK, starts what it needs on
127.0.0.1 (free ports), trains on the given directories, prints
PATH<TAB>spam|ham<TAB>score for each message of the --classify directories,
and stops everything. SETUP-OPTIONs are passed to ${name}_setup:
${LG_SETUP_HELP:-  (none)}"
	case ${1:-} in -h | --help | '') echo "$usage"; [ -n "${1:-}" ]; return ;; esac
	local work=$1
	shift
	local setup=() actions=()
	while [ $# -gt 0 ]; do
		case $1 in
		--train-ham | --train-spam | --classify)
			[ $# -ge 2 ] || lg_die "$1 needs a directory"
			actions+=("$1" "$2")
			shift 2
			;;
		-h | --help) echo "$usage"; return 0 ;;
		*) setup+=("$1"); shift ;;
		esac
	done
	"${name}_setup" "$work" "${setup[@]}"
	"${name}_start"
	set -- "${actions[@]}"
	while [ $# -gt 0 ]; do
		case $1 in
		--train-ham) "${name}_train" ham "$2" ;;
		--train-spam) "${name}_train" spam "$2" ;;
		--classify) "${name}_classify" "$2" ;;
		esac
		shift 2
	done
	"${name}_stop"
}

# --- what every leakguard benchmark needs ------------------------------------

# lg_need_gnu_time: /usr/bin/time (CPU seconds and peak RSS of one run),
# installed on the spot when running as root.
lg_need_gnu_time() {
	[ -x /usr/bin/time ] && return 0
	[ "$(id -u)" -eq 0 ] || lg_die "/usr/bin/time is missing: apt-get install time"
	lg_log "installing the 'time' package (/usr/bin/time measures CPU and peak memory)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >&2 || lg_die "could not install 'time'"
}

# lg_need_corpus: the fixed train/test split of the SpamAssassin corpus.
lg_need_corpus() {
	[ -f build/corpus/.complete ] && return 0
	lg_log "laying out the corpus split (scripts/corpus-split.sh)"
	scripts/corpus-split.sh build/corpus >&2
}

# lg_pick_binary REV MAKE_FIRST: chooses the leakguard to measure and says
# where it came from, in LG_BIN and LG_BIN_ORIGIN. REV (may be empty) builds
# `git archive REV` in build/bench/rev-SHA (kept for the next run); else
# $LEAKGUARD; else build/leakguard, made first when MAKE_FIRST is 1 and we
# are not already inside make.
lg_pick_binary() {
	local rev=$1 make_first=$2 sha revdir
	if [ -n "$rev" ]; then
		sha=$(git rev-parse --verify "$rev^{commit}") || lg_die "no commit '$rev'"
		revdir=build/bench/rev-$sha
		if [ ! -x "$revdir/build/leakguard" ]; then
			lg_log "building leakguard at ${sha:0:10} in $revdir"
			rm -rf "$revdir"
			mkdir -p "$revdir"
			git archive "$sha" | tar -x -C "$revdir"
			make -s -C "$revdir" build/leakguard >&2 || lg_die "make failed for $rev"
		fi
		LG_BIN=$revdir/build/leakguard
		LG_BIN_ORIGIN="commit $(git rev-parse --short "$sha"), built from git archive in $revdir"
	elif [ -n "${LEAKGUARD:-}" ]; then
		LG_BIN=$LEAKGUARD
		LG_BIN_ORIGIN="binary given by LEAKGUARD=$LEAKGUARD"
	else
		if [ "$make_first" = 1 ] && [ -z "${MAKELEVEL:-}" ]; then
			lg_log "make"
			make -s >&2 || lg_die "make failed (use --no-make or LEAKGUARD=PATH to measure an existing binary)"
		fi
		LG_BIN=build/leakguard
		LG_BIN_ORIGIN="build/leakguard from the working tree at commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
		git diff --quiet HEAD -- src Makefile 2>/dev/null ||
			LG_BIN_ORIGIN+=" with uncommitted changes to src/ or Makefile"
	fi
	[ -x "$LG_BIN" ] || lg_die "$LG_BIN does not exist (run make)"
}
