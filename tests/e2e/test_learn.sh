#!/usr/bin/env bash
# leakguard learn end to end: learning, stats, idempotence, forgetting,
# a kill in the middle of learning, a damaged store, and check using the
# model. Generates its own mail; prints failures and exits non-zero on any.
. "$(dirname "$0")/lib.sh" learn "$@"

# gen_mbox FILE KIND COUNT SEED: an mbox of COUNT messages of one kind.
gen_mbox() {
	awk -v kind="$2" -v n="$3" -v seed="$4" 'BEGIN {
		srand(seed)
		split("claim prize winner lottery transfer fee urgent money million bank offer free cheap pills", spam, " ")
		split("meeting agenda project review thursday build patch release notes kernel mailing list thanks", ham, " ")
		for (i = 1; i <= n; i++) {
			printf "From sender@example.net Mon Jan  1 00:00:00 2024\n"
			printf "From: %s%d@%s.example\nSubject: %s %d\nMessage-ID: <%s%d.%d@x>\n\n", kind, i, kind, kind, i, kind, i, seed
			for (w = 0; w < 40; w++)
				printf "%s%s", (kind == "spam" ? spam[int(rand() * 15) + 1] : ham[int(rand() * 15) + 1]), (w % 10 == 9 ? "\n" : " ")
			printf "\nref %d-%d\n\n", seed, i
		}
	}' > "$1"
}

stat_field() { "$BIN" learn --db "$1" --stats --json | jq -r ".$2"; }

gen_mbox "$T/spam.mbox" spam 60 1
gen_mbox "$T/ham.mbox" ham 60 2
db="$T/model.db"

out=$("$BIN" learn --db "$db" --spam "$T/spam.mbox" --ham "$T/ham.mbox" --json) || fail "learn exited $?"
[ "$(echo "$out" | jq .learnt)" = 120 ] || fail "learnt: $out"
[ "$(stat_field "$db" spam_messages)" = 60 ] || fail "stats spam: $(stat_field "$db" spam_messages)"
tokens=$(stat_field "$db" tokens)
[ "$tokens" -gt 0 ] || fail "no tokens"

# Idempotent: the same messages again change nothing.
out=$("$BIN" learn --db "$db" --spam "$T/spam.mbox" --json)
[ "$(echo "$out" | jq .already_known)" = 60 ] || fail "relearn: $out"
[ "$(stat_field "$db" spam_messages)" = 60 ] || fail "relearn counted twice"
[ "$(stat_field "$db" tokens)" = "$tokens" ] || fail "relearn changed tokens"

# check uses the model.
gen_mbox "$T/probe.mbox" spam 1 99
"$BIN" check --db "$db" --json "$T/probe.mbox" > "$T/probe.json"
jq -e '.signals | map(.name) | index("LEARNED_SPAM")' "$T/probe.json" > /dev/null || fail "no LEARNED_SPAM: $(cat "$T/probe.json")"
jq -e '.spam_probability > 0.9' "$T/probe.json" > /dev/null || fail "spam_probability: $(cat "$T/probe.json")"

# check maps the snapshot learn leaves; without it, it reads the store: same answer.
[ -f "$db.model" ] || fail "learn left no model snapshot"
mv "$db.model" "$T/saved.model"
"$BIN" check --db "$db" --json "$T/probe.mbox" > "$T/probe-store.json"
mv "$T/saved.model" "$db.model"
[ "$(jq -c '[.verdict, .spam_probability]' "$T/probe.json")" = "$(jq -c '[.verdict, .spam_probability]' "$T/probe-store.json")" ] ||
	fail "snapshot and store disagree"
printf 'garbage' > "$T/bad.model" && cp "$T/bad.model" "$db.model"
"$BIN" check --db "$db" --json "$T/probe.mbox" > "$T/probe-bad.json" 2> /dev/null
[ "$(jq -c '[.verdict, .spam_probability]' "$T/probe.json")" = "$(jq -c '[.verdict, .spam_probability]' "$T/probe-bad.json")" ] ||
	fail "a damaged snapshot was used"
rm -f "$db.model"

# Forget undoes learning exactly.
"$BIN" learn --db "$db" --forget --spam "$T/spam.mbox" > /dev/null || fail "forget exited $?"
[ "$(stat_field "$db" spam_messages)" = 0 ] || fail "forget left spam: $(stat_field "$db" spam_messages)"
out=$("$BIN" learn --db "$db" --spam "$T/spam.mbox" --json)
[ "$(echo "$out" | jq .learnt)" = 60 ] || fail "learn after forget: $out"
[ "$(stat_field "$db" tokens)" = "$tokens" ] || fail "learn-forget-learn tokens $(stat_field "$db" tokens) != $tokens"

# A kill at any moment leaves a usable store, and a re-run completes it.
gen_mbox "$T/big-spam.mbox" spam 3000 3
gen_mbox "$T/big-ham.mbox" ham 3000 4
"$BIN" learn --db "$T/clean.db" --spam "$T/big-spam.mbox" --ham "$T/big-ham.mbox" > /dev/null
for delay in 0.3 0.8 1.5; do
	kdb="$T/killed-$delay.db"
	"$BIN" learn --db "$kdb" --spam "$T/big-spam.mbox" --ham "$T/big-ham.mbox" > /dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
	if [ -f "$kdb" ]; then
		"$BIN" learn --db "$kdb" --stats > /dev/null || fail "store unusable after kill at $delay s"
	fi
	"$BIN" learn --db "$kdb" --spam "$T/big-spam.mbox" --ham "$T/big-ham.mbox" > /dev/null || fail "re-run after kill"
	for f in spam_messages ham_messages tokens; do
		a=$(stat_field "$kdb" $f) b=$(stat_field "$T/clean.db" $f)
		[ "$a" = "$b" ] || fail "after kill at $delay s and re-run: $f $a, clean run $b"
	done
done

# A damaged store: a clear error with the way out, never a crash.
head -c 4096 /dev/urandom > "$T/broken.db"
"$BIN" learn --db "$T/broken.db" --spam "$T/spam.mbox" 2> "$T/err" > /dev/null
rc=$?
[ $rc = 2 ] || fail "learn on a broken store exited $rc"
grep -q "rebuild" "$T/err" || fail "no rebuild advice: $(cat "$T/err")"
"$BIN" check --db "$T/broken.db" --json "$T/probe.mbox" > "$T/out" 2> "$T/err"
rc=$?
[ $rc -le 1 ] || fail "check on a broken store exited $rc"
grep -q "rebuild" "$T/err" || fail "check gave no warning: $(cat "$T/err")"
[ "$(jq -r .verdict "$T/out")" != "" ] || fail "check gave no verdict"

# Unreadable and non-mail inputs are reported and skipped.
printf '\x00\x01binary' > "$T/junk.bin"
"$BIN" learn --db "$db" --ham "$T/junk.bin" --ham "$T/missing.eml" --json > "$T/out" 2> "$T/err"
grep -q "missing.eml" "$T/err" || fail "missing file not reported"
grep -q "junk.bin" "$T/err" || fail "non-mail not reported"
# usage errors
"$BIN" learn --db "$db" "$T/spam.mbox" 2> /dev/null
[ $? = 2 ] || fail "learn without --spam/--ham should exit 2"

e2e_done
