#!/bin/sh
# measure.sh BIN: development-set recall of migtriage (not an evaluation
# set: the texts were picked while building the name layer). For each
# text, says how its expected article was reached: by a signature, by a
# stable name (match "name"), as a possible match, or not at all.
# Usage: tests/eval/dev/measure.sh build/migtriage
bin=${1:-build/migtriage}
dir=$(dirname "$0")
sig=0 name=0 poss=0 wrong=0 miss=0 total=0
for f in "$dir"/*.txt; do
    want=$(sed -n "s/^# expect: //p" "$f")
    [ "$want" = none ] && continue
    total=$((total + 1))
    how=$(sed '/^# /d' "$f" | "$bin" -f json - 2>/dev/null | python3 -c '
import json, sys
want = sys.argv[1].split("|")
d = json.load(sys.stdin)
hits = [x for x in d["findings"] if x["article"] in want]
if any(x.get("match") != "name" for x in hits): print("signature")
elif hits: print("name")
elif any(p["article"] in want for p in d.get("possible", [])): print("possible")
elif d["findings"] or d.get("possible"): print("wrong")
else: print("miss")' "$want")
    echo "$how $(basename "$f")"
    case $how in
    signature) sig=$((sig + 1)) ;; name) name=$((name + 1)) ;;
    possible) poss=$((poss + 1)) ;; wrong) wrong=$((wrong + 1)) ;;
    *) miss=$((miss + 1)) ;;
    esac
done
echo "dev set: $total texts with an article: $sig by signature, $name by name, $poss possible, $wrong wrong, $miss missed"
