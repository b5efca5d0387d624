#!/bin/sh
# check_progress.sh MIGTRIAGE FOLDER: progress goes to stderr only when
# asked for (a terminal, or --progress always), never into a pipe with the
# default, never into stdout, and its line is cleared at the end.
# MIGTRIAGE_PROGRESS_AFTER=0 drops the one-second wait so a short run shows
# it.
set -eu
bin=$1
dir=$2
tmp=${TMPDIR:-/tmp}/mt-progress.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
status=0
export MIGTRIAGE_PROGRESS_AFTER=0 NO_COLOR=1

# Default (auto), stderr a pipe: nothing but messages.
"$bin" --format json "$dir" >"$tmp/auto.out" 2>"$tmp/auto.err" || true
if grep -q 'MiB/s' "$tmp/auto.err"; then
    echo "FAIL: progress written to a piped stderr"; status=1
fi
# Always: progress on stderr, cleared last, stdout the same JSON.
"$bin" --progress always -j 2 --format json "$dir" >"$tmp/always.out" \
    2>"$tmp/always.err" || true
if ! grep -q 'MiB/s' "$tmp/always.err"; then
    echo "FAIL: --progress always wrote no progress"; status=1
fi
if [ "$(tail -c 4 "$tmp/always.err" | od -An -c | tr -d ' \n')" != '\r033[K' ]; then
    echo "FAIL: the progress line is not cleared at the end"; status=1
fi
if ! cmp -s "$tmp/auto.out" "$tmp/always.out"; then
    echo "FAIL: progress changed stdout"; status=1
fi
if grep -q 'MiB/s' "$tmp/always.out"; then
    echo "FAIL: progress on stdout"; status=1
fi
[ $status -eq 0 ] && echo "ok: progress only where asked, cleared, stdout unchanged"
exit $status
