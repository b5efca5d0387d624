#!/bin/bash
# I/O edge cases that a golden case cannot express (a full disk, a closed
# descriptor, a FIFO, a sparse tar built at test time, a device): one ctest
# per function below, run as "run.sh BIN DATA_DIR CASE". Each asserts the
# exact stderr line and exit code it expects, and fails with what it saw.
set -u
BIN=$1
DATA=$2
CASE=$3
export LC_ALL=C NO_COLOR=1 MT_DATA_DIR=$DATA MT_CACHE_DIR=
FIX=$DATA/tests/fixtures
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# expect RC EXPECTED_STDERR_FILE ACTUAL_RC ACTUAL_STDERR_FILE WHAT
expect() {
  if [ "$3" != "$1" ]; then
    fail "$5: exit $3, expected $1"
  fi
  if ! diff -u "$2" "$4" >&2; then
    fail "$5: stderr differs"
  fi
}

# Runs a command with SIGPIPE ignored and standard output a pipe whose
# reading end is already closed: every write fails with EPIPE, no race.
closed_pipe() {
  python3 -c '
import os, signal, subprocess, sys
r, w = os.pipe()
os.close(r)
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
sys.exit(subprocess.call(sys.argv[1:], stdout=w, restore_signals=False))
' "$@"
}

# Every command, its output sent where it cannot be written, must say so
# in one line and exit 2.
write_error_cases() {
  local redirect=$1 why=$2
  local cmds=("--help" "--version" "kb lint" "kb list" "kb list mrs"
              "kb show mrs-large-item-limit" "kb search large item"
              "kb export" "explain hr=0x8004010f"
              "--format json explain hr=0x8004010f"
              "$FIX/src/aadconnect-events.txt"
              "--format json $FIX/src/aadconnect-events.txt"
              "--format ndjson $FIX/src/aadconnect-events.txt"
              "-j2 $FIX")
  printf 'migtriage: write error: %s\n' "$why" > "$TMP/want"
  for c in "${cmds[@]}"; do
    # shellcheck disable=SC2086
    case $redirect in
    full) "$BIN" $c > /dev/full 2> "$TMP/err" ;;
    closed) "$BIN" $c >&- 2> "$TMP/err" ;;
    pipe) closed_pipe "$BIN" $c 2> "$TMP/err" ;;
    esac
    rc=$?
    # Notes about inputs (the binary files of the fixtures folder) and the
    # export's warnings may come too; the write error must be said once.
    grep -v '^migtriage: \(note\|warning\|error\): ' "$TMP/err" > "$TMP/err.own"
    expect 2 "$TMP/want" "$rc" "$TMP/err.own" "$c ($redirect)"
  done
}

case_write_full() { write_error_cases full "No space left on device"; }
case_write_closed() { write_error_cases closed "Bad file descriptor"; }
# A reader that goes away, SIGPIPE ignored: write() fails with EPIPE. Also
# a reader that stops early (head) while NDJSON is still streaming.
case_write_epipe() {
  local big=$TMP/big.txt i
  write_error_cases pipe "Broken pipe"
  for i in $(seq 1 400); do
    cat "$FIX/src/aadconnect-events.txt"
  done > "$big"
  printf 'migtriage: write error: Broken pipe\n' > "$TMP/want"
  (trap '' PIPE; "$BIN" --format ndjson "$big" "$big" 2> "$TMP/err" | head -c 10 > /dev/null; exit "${PIPESTATUS[0]}")
  expect 2 "$TMP/want" "$?" "$TMP/err" "--format ndjson into head -c 10"
}

# File names and log text with C0 controls, ESC, DEL, C1 controls as UTF-8
# (U+009B is CSI) and as raw bytes reach stderr and the text report only
# as '?': nothing that a terminal would act on.
case_control_chars() {
  local dir=$TMP/in name
  mkdir "$dir"
  name=$(printf 'evil\xc2\x9b31m\x9b2J\x1b[1m\x7f\x01.txt')
  { cat "$FIX/src/paste-error.txt"; printf 'caf\xe9 \xc2\x9b2J \x1b]0;title\x07\n'; } > "$dir/$name"
  ln -s /nonexistent "$dir/$(printf 'dangle\xc2\x85\x9b')"
  "$BIN" "$dir" > "$TMP/out" 2> "$TMP/err"
  rc=$?
  cat > "$TMP/want" <<EOT
migtriage: error: $dir/dangle??: broken symbolic link
migtriage: warning: $dir/evil?31m?2J?[1m??.txt: not valid UTF-8 (first at byte $(($(wc -c < "$FIX/src/paste-error.txt") + 3))); read as Windows-1252
EOT
  expect 3 "$TMP/want" "$rc" "$TMP/err" "scan of names with controls"
  grep -q "first seen: $dir/evil?31m?2J?\[1m??.txt:3:" "$TMP/out" ||
    fail "text report: first seen line not cleaned"
  # Standard output and error: valid UTF-8, no control but newline.
  python3 - "$TMP/out" "$TMP/err" <<'EOT' || fail "a control character got through"
import sys
for path in sys.argv[1:]:
    text = open(path, 'rb').read().decode('utf-8')  # raw 0x9B fails here
    bad = [c for c in text if (ord(c) < 0x20 and c != '\n') or 0x7f <= ord(c) <= 0x9f]
    if bad:
        print(path, 'holds', [hex(ord(c)) for c in bad[:5]])
        sys.exit(1)
EOT
  "$BIN" "$(printf -- '--\xc2\x9b2J\x9b')" 2> "$TMP/err"
  rc=$?
  printf "migtriage: unknown option '--?2J?'\nTry 'migtriage --help'\n" > "$TMP/want"
  expect 2 "$TMP/want" "$rc" "$TMP/err" "unknown option with controls"
}

# Endless sources end: /dev/urandom as an input is skipped as binary (at
# once, or at its first 64 KiB window when the first 4 KiB pass), and an
# endless pipe of text stops at the expanded-bytes limit.
case_endless_sources() {
  local i
  for i in 1 2 3 4 5 6; do
    timeout 120 "$BIN" /dev/urandom > /dev/null 2> "$TMP/err"
    rc=$?
    if [ "$rc" = 124 ]; then
      fail "/dev/urandom read for 120 s"
    elif ! grep -q '^migtriage: \(note: /dev/urandom: binary data, skipped\|warning: /dev/urandom: binary data in bytes [0-9]*-[0-9]* (more than 5% control bytes); the rest skipped\)$' "$TMP/err"; then
      fail "/dev/urandom: no binary note"; cat "$TMP/err" >&2
    fi
  done
  printf 'migtriage: error: (stdin): longer than the expanded-bytes limit (20000000 bytes); stopped\n' > "$TMP/want"
  (yes 'Error: The call timed out.' | timeout 120 "$BIN" --limit expanded-bytes=20000000 - > /dev/null 2> "$TMP/err"; exit "${PIPESTATUS[1]}")
  expect 3 "$TMP/want" "$?" "$TMP/err" "endless pipe"
}

# A 20 KB tar whose sparse member declares 1 TiB (text, then a hole): the
# header's size counts against expanded-bytes before a byte is read, and
# with no such limit the holes count as expansion, so the ratio stops it.
# Built here with GNU tar, in its two sparse formats.
case_sparse_tar() {
  local fmt
  truncate -s 1T "$TMP/big.log" || { fail "truncate"; return; }
  for i in $(seq 1 200); do echo "Error: line $i before the hole"; done |
    dd of="$TMP/big.log" conv=notrunc 2> /dev/null
  for fmt in gnu posix; do
    tar -C "$TMP" --sparse --format=$fmt -cf "$TMP/$fmt.tar" big.log
    [ "$(wc -c < "$TMP/$fmt.tar")" -lt 65536 ] || fail "$fmt.tar is not small"
    printf 'migtriage: error: %s!big.log: declares 1099511627776 bytes (sparse), beyond the expanded-bytes limit (68719476736): possible bomb; skipped\n' "$TMP/$fmt.tar" > "$TMP/want"
    timeout 60 "$BIN" "$TMP/$fmt.tar" > /dev/null 2> "$TMP/err"
    expect 3 "$TMP/want" "$?" "$TMP/err" "$fmt sparse tar, default limits"
    timeout 60 "$BIN" --limit expanded-bytes=0 "$TMP/$fmt.tar" > /dev/null 2> "$TMP/err"
    rc=$?
    [ "$rc" = 3 ] || fail "$fmt sparse tar, no expanded-bytes limit: exit $rc"
    grep -q "^migtriage: error: $TMP/$fmt.tar!big.log: expands beyond the limit ([0-9]* bytes, ratio [0-9]*): possible zip bomb; stopped\$" "$TMP/err" ||
      { fail "$fmt sparse tar, no expanded-bytes limit: no ratio stop"; cat "$TMP/err" >&2; }
  done
}

# "explain -" reads a paste of up to 1 MiB; more is said, not cut.
case_explain_stdin_limit() {
  { printf 'Error: MapiExceptionNotFound (hr=0x8004010f)\n'; head -c 1048531 /dev/zero | tr '\0' 'a'; } > "$TMP/paste"
  [ "$(wc -c < "$TMP/paste")" = 1048576 ] || fail "paste is not 1 MiB"
  "$BIN" explain - < "$TMP/paste" > "$TMP/out" 2> "$TMP/err"
  rc=$?
  : > "$TMP/want"
  expect 0 "$TMP/want" "$rc" "$TMP/err" "explain - of exactly 1 MiB"
  grep -q 'MAPI_E_NOT_FOUND' "$TMP/out" || fail "1 MiB paste not explained"
  printf 'x' >> "$TMP/paste"
  "$BIN" explain - < "$TMP/paste" > "$TMP/out" 2> "$TMP/err"
  rc=$?
  printf "migtriage: explain: standard input is longer than 1048576 bytes, more than a paste; nothing explained (scan a log with 'migtriage -')\n" > "$TMP/want"
  expect 3 "$TMP/want" "$rc" "$TMP/err" "explain - of 1 MiB + 1"
  [ -s "$TMP/out" ] && fail "output despite the limit"
}

"case_$CASE"
if [ "$failures" -ne 0 ]; then
  echo "$CASE: $failures failure(s)" >&2
  exit 1
fi
exit 0
