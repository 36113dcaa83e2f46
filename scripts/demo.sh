#!/usr/bin/env bash
# `make demo`: runs leakguard check over the bundled sample mailbox with the
# example configuration, showing each verdict and its reasons, then a summary.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/build/leakguard}
"$bin" check --config "$top/samples/leakguard.conf" --no-progress "$top/samples/mail"
status=$?
# 1 means "something was flagged", which is what the sample is for.
[ "$status" -le 1 ]
