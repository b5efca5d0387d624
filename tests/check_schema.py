#!/usr/bin/env python3
"""Checks every JSON and NDJSON expectation of the golden cases against the
output schema (engine/include/migtriage-output.schema.json). Together with
the golden comparison this checks the real output against the schema."""
import json
import pathlib
import sys

import jsonschema

root = pathlib.Path(sys.argv[1])
schema = json.loads((root / "engine/include/migtriage-output.schema.json").read_text())
validator = jsonschema.Draft7Validator(schema)
checked = failed = 0
for case in sorted((root / "tests/cases").iterdir()):
    cmd = case / "cmd"
    out = case / "expected.out"
    if not cmd.is_file() or not out.is_file():
        continue
    args = cmd.read_text().split()
    if "explain" in args or "kb" in args:
        continue  # lookup output has its own shape (README, "Lookup")
    if "json" in args:
        docs = [out.read_text()]
    elif "ndjson" in args:
        docs = [l for l in out.read_text().splitlines() if l.strip()]
    else:
        continue
    for i, text in enumerate(docs):
        checked += 1
        try:
            doc = json.loads(text)
        except ValueError as e:
            print(f"{case.name}: document {i}: not JSON: {e}")
            failed += 1
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        for e in errors[:5]:
            print(f"{case.name}: document {i}: {'/'.join(map(str, e.path))}: {e.message}")
        failed += bool(errors)
    if "ndjson" in args and docs and json.loads(docs[-1]).get("type") != "summary":
        print(f"{case.name}: the last NDJSON line is not the summary")
        failed += 1
print(f"schema: {checked} documents checked, {failed} failed")
if checked == 0:
    print("schema: no JSON golden cases found")
    sys.exit(1)
sys.exit(1 if failed else 0)
