# cases.sh: runs a directory of end-to-end cases as data, sourced by run.sh
# and by test scripts that prepare a store first (test_context.sh).
#
# check_cases DIR CONF BIN WORK: every DIR/NAME.eml goes through one
# `BIN check --config CONF --json` run (with the caller's LEAKGUARD_DB) and
# is held against DIR/NAME.expect (assertions described in run.sh). Adds
# to the caller's `passed` and `failed` counters and prints each failure.
# Needs jq; run from the repository root.

# Signal names known to the build, to catch typos in .expect files.
KNOWN=""
if [ -f src/detect/signal.h ]; then
	KNOWN=" $(sed -n 's/^[[:space:]]*X(\([A-Z_][A-Z_0-9]*\),.*/\1/p' src/detect/signal.h | tr '\n' ' ')"
fi

# Sanitizer reports go to stderr; any of them fails the run.
sanitizer_errors() {
	grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$1" | head -5
}

# Reduces one result to lines: "verdict V", "score S", "error E",
# "sig NAME<TAB>SCORE<TAB>REASON", "defect TEXT".
summarise() {
	jq -r '
		(if has("error") then "error \(.error)" else empty end),
		(if has("verdict") then "verdict \(.verdict)" else empty end),
		(if has("score") then "score \(.score)" else empty end),
		((.signals // [])[] | "sig \(.name)\t\(.score)\t\(.reason)"),
		((.defects // [])[] | "defect \(.)")' "$1" 2>/dev/null
}

# Reasons show addresses defanged so that a banner is not clickable.
refang() {
	sed -e 's/\[\.\]/./g' -e 's/\[@\]/@/g' -e 's/\[:\]/:/g' -e 's/hxxp/http/g'
}

show_actual() {
	local sum=$1
	local v
	v=$(sed -n 's/^verdict //p' <<<"$sum")
	echo "    actual: verdict=${v:-none} score=$(sed -n 's/^score //p' <<<"$sum")"
	sed -n 's/^error /    error: /p' <<<"$sum"
	grep '^sig ' <<<"$sum" | while IFS=$'\t' read -r name score reason; do
		printf '    %-24s %6s  %s\n' "${name#sig }" "$score" "$reason"
	done
	sed -n 's/^defect /    defect: /p' <<<"$sum"
}

check_cases() {
local CASES=$1 CONF=$2 BIN=$3 WORK=$4
local emls eml name expect res sum verdict sigs errs lineno line kw arg rest reason rc san p
shopt -s nullglob
emls=("$CASES"/*.eml)
shopt -u nullglob

if [ ${#emls[@]} -gt 0 ]; then
	timeout 600 "$BIN" check --config "$CONF" --json "${emls[@]}" \
		>"$WORK/batch.jsonl" 2>"$WORK/batch.err"
	rc=$?
	if [ $rc -ge 124 ]; then
		echo "FAIL batch run: exit status $rc (timeout or crash); stderr:"
		tail -5 "$WORK/batch.err" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
	san=$(sanitizer_errors "$WORK/batch.err")
	if [ -n "$san" ]; then
		echo "FAIL batch run: sanitizer report:"
		while IFS= read -r l; do echo "    $l"; done <<<"$san"
		failed=$((failed + 1))
	fi
	# One file per result, named after the message: WORK/res/NAME.json.
	mkdir -p "$WORK/res"
	while IFS= read -r line; do
		p=$(jq -r '.path // empty' <<<"$line" 2>/dev/null) || continue
		[ -n "$p" ] || continue
		printf '%s\n' "$line" >"$WORK/res/$(basename "$p" .eml).json"
	done <"$WORK/batch.jsonl"
fi

for eml in "${emls[@]}"; do
	name=$(basename "$eml" .eml)
	expect=$CASES/$name.expect
	res=$WORK/res/$name.json
	if [ ! -f "$expect" ]; then
		echo "FAIL $name: no $expect"
		failed=$((failed + 1))
		continue
	fi
	if [ ! -f "$res" ]; then
		# Not in the batch output (crash part-way?): run it alone.
		timeout 60 "$BIN" check --config "$CONF" --json "$eml" >"$WORK/one.jsonl" 2>"$WORK/one.err"
		rc=$?
		head -n 1 "$WORK/one.jsonl" >"$res"
		san=$(sanitizer_errors "$WORK/one.err")
		if [ -n "$san" ]; then
			echo "FAIL $name: sanitizer report when run alone:"
			while IFS= read -r l; do echo "    $l"; done <<<"$san"
			failed=$((failed + 1))
			continue
		fi
		if [ ! -s "$res" ]; then
			echo "FAIL $name: no result (exit status $rc); stderr:"
			tail -3 "$WORK/one.err" | sed 's/^/    /'
			failed=$((failed + 1))
			continue
		fi
	fi
	sum=$(summarise "$res")
	verdict=$(sed -n 's/^verdict //p' <<<"$sum")
	sigs=" $(sed -n 's/^sig \([^\t]*\)\t.*/\1/p' <<<"$sum" | tr '\n' ' ')"
	errs=()
	if grep -q '^error ' <<<"$sum"; then
		errs+=("message could not be read: $(sed -n 's/^error //p' <<<"$sum")")
	fi
	lineno=0
	while IFS= read -r line || [ -n "$line" ]; do
		lineno=$((lineno + 1))
		line=${line%%#*}
		read -r kw arg rest <<<"$line"
		[ -n "${kw:-}" ] || continue
		if [ -n "${arg:-}" ] && [ "$kw" != verdict ] && [ "$kw" != verdict-not ] &&
			[ -n "$KNOWN" ] && [[ $KNOWN != *" $arg "* ]]; then
			errs+=("$expect:$lineno: unknown signal '$arg'")
			continue
		fi
		case $kw in
		verdict)
			[ "$verdict" = "$arg" ] || errs+=("expected verdict $arg, got ${verdict:-none}") ;;
		verdict-not)
			[ "$verdict" != "$arg" ] || errs+=("expected a verdict other than $arg") ;;
		signal)
			[[ $sigs == *" $arg "* ]] || errs+=("expected signal $arg") ;;
		nosignal)
			[[ $sigs != *" $arg "* ]] || errs+=("unexpected signal $arg") ;;
		reason)
			if [[ $sigs != *" $arg "* ]]; then
				errs+=("expected signal $arg (with reason containing '$rest')")
			else
				reason=$(grep "^sig $arg"$'\t' <<<"$sum" | cut -f3- | refang)
				if ! grep -qiF -- "$rest" <<<"$reason"; then
					errs+=("expected $arg reason to contain '$rest', got '$reason'")
				fi
			fi ;;
		*)
			errs+=("$expect:$lineno: unknown assertion '$kw'") ;;
		esac
	done <"$expect"
	if [ ${#errs[@]} -eq 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $name:"
		for e in "${errs[@]}"; do
			echo "    $e"
		done
		show_actual "$sum"
	fi
done
}
