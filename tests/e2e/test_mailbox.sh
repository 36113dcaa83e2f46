#!/usr/bin/env bash
# test_mailbox.sh BINARY: `leakguard check` reads every message of an mbox
# (RFC 4155, ">From " quoting), a Maildir (cur/ and new/, not tmp/) and a
# directory tree, gives one result per message, and names each one so a
# person can find it.
. "$(dirname "$0")/lib.sh" mailbox "$@"
export LEAKGUARD_DB=$T/store.db # no model trained elsewhere

# check_paths NAME EXPECTED_COUNT PATH...: runs check --json over the paths;
# leaves the results in $T/NAME.out.
check_paths() {
	local name=$1 want=$2
	shift 2
	timeout 120 "$BIN" check --config "$CONF" --json "$@" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	if [ $rc -gt 2 ]; then
		fail "$name: exit status $rc; stderr: $(tail -c 300 "$T/$name.err")"
	fi
	local n
	n=$(jq -s 'length' "$T/$name.out" 2>/dev/null || echo "unparsable")
	if [ "$n" != "$want" ]; then
		fail "$name: $n results, expected $want; paths: $(jq -r '.path' "$T/$name.out" 2>/dev/null | tr '\n' ' ')"
	fi
	if jq -e 'select(has("error"))' "$T/$name.out" >/dev/null 2>&1; then
		fail "$name: errors: $(jq -c 'select(has("error"))' "$T/$name.out")"
	fi
}

paths() {
	jq -r '.path' "$T/$1.out"
}

# ---------------------------------------------------------------- mbox
# Three messages; the second has body lines that started "From " and are
# quoted as ">From " (mboxrd, after a blank line too) and one ">>From ",
# which must not split it.
mbox=$T/archive.mbox
{
	echo "From jane.doe@example.com Mon Jul  1 09:00:00 2024"
	cat "$CASES/ham-colleague-lunch.eml"
	echo
	echo "From daniel.moreau@northwind-traders.com Mon Jul  1 10:00:00 2024"
	cat <<'EOF'
Date: Mon, 01 Jul 2024 12:00:00 +0200
From: Daniel Moreau <daniel.moreau@northwind-traders.com>
To: Robert Okafor <robert.okafor@example.com>
Subject: Notes from the call
Message-ID: <dm-notes-0701@northwind-traders.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Dear Robert,

Some notes from our call:

>From the warehouse side, nothing changes until September.
>>From an older thread: the loading bay stays where it is.

>From my side, thank you again.
Daniel
EOF
	echo
	echo "From accounts@example.com Mon Jul  1 11:00:00 2024"
	cat "$CASES/bec-ceo-wire-spoofed-replyto.eml"
	echo
} >"$mbox"
check_paths mbox 3 "$mbox"
[ $rc -eq 1 ] || fail "mbox with a phish: exit status $rc, expected 1"
if [ "$(paths mbox | sort -u | wc -l)" -ne 3 ]; then
	fail "mbox: the three results do not have three different paths: $(paths mbox | tr '\n' ' ')"
fi
paths mbox | grep -qv "archive.mbox" && fail "mbox: a path does not name the mbox file: $(paths mbox | tr '\n' ' ')"
# The quoted lines belong to the second message: it is clean and whole.
second=$(jq -s -c '.[1]' "$T/mbox.out" 2>/dev/null)
[ "$(jq -r '.verdict' <<<"$second" 2>/dev/null)" = clean ] ||
	fail "mbox: second message (with >From lines) not clean: $second"
[ "$(jq -s -r '.[2].verdict' "$T/mbox.out" 2>/dev/null)" = phishing ] ||
	fail "mbox: third message (the spoofed CEO) is not phishing: $(jq -s -c '.[2] | {path, verdict}' "$T/mbox.out")"

# ---------------------------------------------------------------- Maildir
md=$T/Maildir
mkdir -p "$md/cur" "$md/new" "$md/tmp"
cp "$CASES/ham-colleague-lunch.eml" "$md/cur/1719820800.M101P2001Q1.mailstore.example.com:2,S"
cp "$CASES/ham-well-spelt-business.eml" "$md/cur/1719820900.M102P2001Q2.mailstore.example.com:2,RS"
cp "$CASES/ham-freemail-friend.eml" "$md/new/1719821000.M103P2001Q3.mailstore.example.com"
# A delivery still in progress: not a message of the mailbox yet.
head -c 200 "$CASES/ham-newsletter-many-links.eml" >"$md/tmp/1719821100.M104P2001Q4.mailstore.example.com"
check_paths maildir 3 "$md"
[ $rc -eq 0 ] || fail "Maildir of clean mail: exit status $rc, expected 0"
for f in "cur/1719820800.M101P2001Q1.mailstore.example.com:2,S" \
	"cur/1719820900.M102P2001Q2.mailstore.example.com:2,RS" \
	"new/1719821000.M103P2001Q3.mailstore.example.com"; do
	paths maildir | grep -qF "$f" || fail "Maildir: no result for $f; paths: $(paths maildir | tr '\n' ' ')"
done
paths maildir | grep -q "/Maildir/tmp/" && fail "Maildir: tmp/ was read: $(paths maildir | tr '\n' ' ')"

# ---------------------------------------------------------------- tree
tree=$T/tree
mkdir -p "$tree/2024/06" "$tree/2024/07/partners"
cp "$CASES/ham-it-security-notice.eml" "$tree/2024/06/it-notice.eml"
cp "$CASES/phish-paypal-userinfo-link.eml" "$tree/2024/06/paypal.eml"
cp "$CASES/ham-fabrikam-invoice-pdf.eml" "$tree/2024/07/partners/invoice.eml"
cp "$CASES/ham-docx-project-plan.eml" "$tree/top-level.eml"
check_paths tree 4 "$tree"
[ $rc -eq 1 ] || fail "tree with a phish: exit status $rc, expected 1"
for f in 2024/06/it-notice.eml 2024/06/paypal.eml 2024/07/partners/invoice.eml top-level.eml; do
	paths tree | grep -qF "$f" || fail "tree: no result for $f; paths: $(paths tree | tr '\n' ' ')"
done
v=$(jq -r 'select(.path | endswith("paypal.eml")) | .verdict' "$T/tree.out" 2>/dev/null)
[ "$v" != clean ] || fail "tree: the PayPal phish inside the tree is clean"

# A tree holding a Maildir and an mbox: everything inside is found.
mkdir -p "$T/all"
cp -r "$md" "$T/all/Maildir"
cp "$mbox" "$T/all/archive.mbox"
cp "$CASES/ham-colleague-lunch.eml" "$T/all/loose.eml"
check_paths all 7 "$T/all"

# Several paths in one run: results add up.
check_paths several 7 "$mbox" "$md" "$CASES/ham-colleague-lunch.eml"

if grep -lE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T"/*.err 2>/dev/null; then
	fail "sanitizer reports in the files above"
fi

e2e_done
