#!/usr/bin/env python3
"""score.py: recall of migtriage on a held-out set of real error texts.

Each file of the set (tests/eval/heldout/*.txt) is one real error as it was
published, with a header of '# key: value' lines:

    # source: where the text was published (URL)
    # family: the knowledge-base family it belongs to
    # topic:  what the error is about, in a few words
    # expect: the article id(s) that explain it, '|' between alternatives;
    #         'none' when the knowledge base rightly has no article for it
    # overlap: yes when the text was already among the KB authors' samples
    #          (see overlap.py); such texts are scored and listed, but kept
    #          out of the recall and reach figures

The rest of the file is the text, fed to `migtriage --format json -` as a
user would paste it. A text counts as
  - sure      when a finding names an expected article (signature or name),
  - possible  when only a 'possible' (nearest-article) match names one,
  - wrong     when something else was reported and no expected article,
  - missed    when nothing was reported.
Recall is sure / total; 'reach' is (sure + possible) / total, both over
the held-out texts only (overlapping texts are reported apart). Texts whose
expectation is 'none' are scored for silence instead (a false alarm when a
sure finding is reported).

Usage: score.py MIGTRIAGE [SETDIR] [--json] [--verbose]
Exit 0 always (this measures, it does not gate); the numbers go to the
closing note and tests/eval/README.md.
"""
import collections
import json
import os
import subprocess
import sys


def read_case(path):
    meta, body = {}, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not body and line.startswith("# ") and ":" in line:
                k, v = line[2:].split(":", 1)
                meta[k.strip()] = v.strip()
            else:
                body.append(line)
    return meta, "".join(body)


def report_of(mt, text):
    """migtriage's JSON report of one text pasted on stdin (None when its
    output is not JSON: a crash or a usage error)."""
    p = subprocess.run([mt, "--format", "json", "--fail-on", "critical",
                        "-"], input=text.encode("utf-8"),
                       capture_output=True, timeout=60)
    try:
        return json.loads(p.stdout.decode("utf-8"))
    except ValueError:
        return None


def articles_of(report):
    """(sure, possible) article ids in a report, whatever its version."""
    sure, possible = set(), set()
    for f in report.get("findings", []):
        if f.get("article"):
            sure.add(f["article"])
    for p in report.get("possible", []):
        if p.get("article"):
            possible.add(p["article"])
    return sure, possible


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    flags = {a for a in argv[1:] if a.startswith("--")}
    if not args:
        sys.stderr.write(__doc__)
        return 2
    mt = args[0]
    setdir = args[1] if len(args) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "heldout")
    rows = []
    for name in sorted(os.listdir(setdir)):
        if not name.endswith(".txt"):
            continue
        meta, text = read_case(os.path.join(setdir, name))
        expect = [x.strip() for x in meta.get("expect", "").split("|")
                  if x.strip()]
        report = report_of(mt, text) or {}
        sure, possible = articles_of(report)
        if expect == ["none"]:
            verdict = "false-alarm" if sure else "quiet"
        elif not expect:
            verdict = "unlabelled"
        elif sure & set(expect):
            verdict = "sure"
        elif possible & set(expect):
            verdict = "possible"
        elif sure or possible:
            verdict = "wrong"
        else:
            verdict = "missed"
        rows.append({"file": name, "family": meta.get("family", "?"),
                     "overlap": meta.get("overlap", "").lower() == "yes",
                     "expect": expect, "verdict": verdict,
                     "sure": sorted(sure), "possible": sorted(possible)})

    held = [r for r in rows if not r["overlap"]]
    overlapping = [r for r in rows if r["overlap"]]
    by_family = collections.OrderedDict()
    for r in held:
        by_family.setdefault(r["family"], collections.Counter())[
            r["verdict"]] += 1
    total = collections.Counter(r["verdict"] for r in held)
    scored = sum(total[v] for v in ("sure", "possible", "wrong", "missed"))

    if "--json" in flags:
        json.dump({"rows": rows, "total": total, "by_family": by_family,
                   "overlap": {"files": [r["file"] for r in overlapping],
                               "verdicts": collections.Counter(
                                   r["verdict"] for r in overlapping)}},
                  sys.stdout, indent=1)
        print()
        return 0
    if "--verbose" in flags:
        for r in rows:
            print("%-8s %-10s %-12s %sexpect=%s sure=%s possible=%s" % (
                r["file"], r["family"], r["verdict"],
                "overlap " if r["overlap"] else "", "|".join(r["expect"]),
                ",".join(r["sure"]), ",".join(r["possible"])))
        print()
    print("%-10s %5s %5s %8s %5s %6s %7s %7s" % (
        "family", "texts", "sure", "possible", "wrong", "missed", "recall",
        "reach"))
    for fam in sorted(by_family):
        c = by_family[fam]
        n = sum(c[v] for v in ("sure", "possible", "wrong", "missed"))
        if n == 0:
            continue
        print("%-10s %5d %5d %8d %5d %6d %6.0f%% %6.0f%%" % (
            fam, n, c["sure"], c["possible"], c["wrong"], c["missed"],
            100.0 * c["sure"] / n, 100.0 * (c["sure"] + c["possible"]) / n))
    if scored:
        print("%-10s %5d %5d %8d %5d %6d %6.0f%% %6.0f%%" % (
            "all", scored, total["sure"], total["possible"], total["wrong"],
            total["missed"], 100.0 * total["sure"] / scored,
            100.0 * (total["sure"] + total["possible"]) / scored))
    if total["quiet"] or total["false-alarm"]:
        print("texts expected to be quiet: %d quiet, %d false alarms" % (
            total["quiet"], total["false-alarm"]))
    if total["unlabelled"]:
        print("unlabelled (no '# expect:'): %d" % total["unlabelled"])
    if overlapping:
        oc = collections.Counter(r["verdict"] for r in overlapping)
        print("overlapping with KB samples (not in recall): %d texts (%s): %s"
              % (len(overlapping),
                 ", ".join("%s %d" % (v, oc[v]) for v in sorted(oc)),
                 " ".join(r["file"] for r in overlapping)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
