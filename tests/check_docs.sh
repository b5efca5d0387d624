#!/bin/sh
# check_docs.sh MIGTRIAGE SOURCE_DIR: every long option that --help shows is
# documented in the man page and offered by the bash and zsh completions,
# so they cannot fall behind the option table.
set -eu
bin=$1
src=$2
status=0
opts=$("$bin" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
for o in $opts; do
    esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
    grep -q -- "$esc" "$src/engine/cli/migtriage.1" ||
        { echo "migtriage.1 does not document $o"; status=1; }
    grep -q -- "$o" "$src/engine/cli/completions/migtriage.bash" ||
        { echo "bash completion lacks $o"; status=1; }
    grep -q -- "$o" "$src/engine/cli/completions/_migtriage" ||
        { echo "zsh completion lacks $o"; status=1; }
done
exit $status
