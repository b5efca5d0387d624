#!/bin/sh
# check_healthy.sh BIN WORKDIR: generates the healthy corpus and fails when
# migtriage reports anything above info on it, or any possible match.
set -e
bin=$1
work=$2
here=$(dirname "$0")
python3 "$here/gen_healthy.py" "$work"
"$bin" -f json "$work" > "$work.json" || true
python3 - "$work.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
loud = [f for f in d["findings"] if f["severity"] != "info"]
possible = d.get("possible", [])
print("healthy corpus: %d records, %d findings above info, %d possible "
      "matches, %d unknown lines" % (d["summary"]["records"], len(loud),
      len(possible), d["summary"]["unknown_records"]))
for f in loud[:5]:
    print("  finding:", f["article"], f["origin"], f["message"][:120])
for p in possible[:5]:
    print("  possible:", p["article"], p["origin"], p["message"][:120])
sys.exit(1 if loud or possible else 0)
PY
