#!/usr/bin/env python3
"""quiet.py: near-miss texts that must not be taken for errors.

Each text of the set (tests/eval/nearmiss/*.txt, '# key: value' header as
in README.md, '# expect: none') is real text that names stable error
names without reporting an error: Get-Help output, cmdlet reference
parameter tables and syntax, documentation tables and schemas of status
values, scripts with exception type literals, healthy status listings.
Each is fed to `migtriage --format json -` on its own and its findings
are counted in four kinds:

  name       a finding from a stable name (kb/names), match "name"
  similar    a resemblance finding (nearest article, close enough to be
             reported), match "similar"
  possible   a nearest-article possible match
  signature  a finding from a signature (patterns/*.json)

Usage: quiet.py MIGTRIAGE [SETDIR] [--gate] [--verbose]
--gate exits 1 when any text has a name or resemblance finding or a
possible match (the ctest); signature findings are listed and counted, they belong to the
families' own non-samples.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from score import read_case, report_of  # noqa: E402  same header, same run


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    flags = {a for a in argv[1:] if a.startswith("--")}
    if not args:
        sys.stderr.write(__doc__)
        return 2
    mt = args[0]
    setdir = args[1] if len(args) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "nearmiss")
    totals = {"name": 0, "similar": 0, "possible": 0, "signature": 0}
    texts = 0
    for name in sorted(os.listdir(setdir)):
        if not name.endswith(".txt"):
            continue
        texts += 1
        report = report_of(mt, read_case(os.path.join(setdir, name))[1])
        if report is None:
            sys.stderr.write("%s: migtriage gave no JSON report\n" % name)
            return 1
        got = []
        for f in report.get("findings", []):
            kind = f.get("match") or "signature"
            got.append((kind, f["article"], f["signature"], f["message"]))
        for x in report.get("possible", []):
            got.append(("possible", x["article"], "", x.get("message", "")))
        for kind, article, sig, message in got:
            totals[kind] += 1
            if "--verbose" in flags or kind != "signature":
                print("%s: %s %s %s: %s" % (name, kind, article, sig,
                                            message[:80]))
    print("near-miss texts: %d; name findings %d, resemblance findings %d, "
          "possible matches %d, signature findings %d"
          % (texts, totals["name"], totals["similar"], totals["possible"],
             totals["signature"]))
    if "--gate" in flags and (totals["name"] + totals["similar"] +
                              totals["possible"]) > 0:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
