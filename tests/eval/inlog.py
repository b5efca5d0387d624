#!/usr/bin/env python3
"""inlog.py: is an error recognised inside a log as it is recognised alone?

Issue 8 found migtriage recognised a quarter of the errors inside mixed
logs, against about half of the same errors pasted alone. This script
measures that gap. It takes

  - the texts of tests/eval/dev (those with an article in '# expect:'),
  - one sample of every finding signature (patterns/*.json; a bare one
    when the signature has one, else the first),

writes each alone (as a user would paste it) and embedded in the shapes
of /work/shared/FORMATS.md, with healthy output around it:

  fl       Get-MoveRequestStatistics | Format-List: the error is the
           Message value, word-wrapped at 120 columns (en cultures: breaks
           at spaces, the space kept at the end of the broken line),
           continuation lines indented to the value column (section 2)
  fl16     the same object wrapped at 80 columns at the exact column, mid
           word (every non-en/fr/de/it/pt/es culture), written by Out-File:
           UTF-16LE with BOM, CRLF (section 0)
  entries  a run of move-report entries "<time> [SERVER] text"; the error
           is one entry, its later lines carry no timestamp (section 3)
  script   a PowerShell transcript with other commands' table output
           around the error, CRLF
  console  the transcript as copied from a console window 120 columns
           wide: every line longer than that hard-wrapped at the column,
           mid-word, no indent (forum pastes, section 0); error record
           fields wrapped by the error view, 3 spaces in (section 2)
  hcw      an HCW log: the error is the Results= text of a *ERROR* FINISH
           line, later lines indented 35 spaces (section 6)

(a signature anchored at the start of a record keys on a whole line: its
sample goes into the Format-List object as a property when it is one,
and into the transcripts as a line; entries and HCW logs leave it out)
and runs migtriage once over the alone files and once over the embedded
ones (--format ndjson: each finding with its file). An item counts when
migtriage finds its article alone; the embedded sure rate is the share of
(item, shape) pairs of those items in which it is still found for sure,
the reach rate the same counting possible matches too (on both sides). Everything is generated from the repository's files,
so the numbers are reproducible.

Usage: inlog.py MIGTRIAGE [--root DIR] [--out DIR] [--min PCT] [--verbose]
  --root  the source tree (default: two levels up from this script)
  --out   where to write the files (default: a temporary folder, removed)
  --min   exit 1 when the embedded sure rate is below PCT (the ctest gate)
Prints the rate per shape and per source, and with --verbose every loss.
"""
import collections
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from score import read_case  # noqa: E402  the set's header format

SHAPES = ("fl", "fl16", "entries", "script", "console", "hcw")

# A sample already written in a shape of its own: prefer a bare one.
SHAPED = re.compile(r"^(?:\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4} |\w[\w ]*\s:\s|"
                    r"\s*\+ |\d{4}\.\d\d\.\d\d )")
EXCEPTION = re.compile(r"\b([A-Z][A-Za-z0-9]*Exception)\b")
# A signature anchored at the start of a record keys on a whole line (a
# Format-List field, a table row, a bare status word): embedded, it can
# only be found where it stays a line of its own.
ANCHORED = re.compile(r"^(?:\(\?[a-z]+\))?(?:\(\?:)?\^")
FIELD_LINE = re.compile(r"^(\w+)\s*:\s(.*)$")


def items_of(root):
    """(name, text, expected articles, whole line) of every item, in a
    stable order."""
    items = []
    for path in sorted(glob.glob(os.path.join(root, "tests/eval/dev/*.txt"))):
        meta, text = read_case(path)
        expect = [x.strip() for x in meta.get("expect", "").split("|")
                  if x.strip() and x.strip() != "none"]
        if expect:
            items.append(("dev-" + os.path.basename(path)[:-4], text,
                          expect, False))
    for path in sorted(glob.glob(os.path.join(root, "patterns/*.json"))):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        for sig in data["signatures"]:
            if sig.get("kind", "finding") != "finding":
                continue
            texts = [s if isinstance(s, str) else s["text"]
                     for s in sig.get("samples", [])]
            if not texts:
                continue
            bare = [t for t in texts if not SHAPED.match(t)]
            items.append(("sig-" + sig["id"], (bare or texts)[0],
                          [sig["article"]],
                          bool(ANCHORED.match(sig["pattern"]))))
    return items


def wrap_word(line, width):
    """Format-List word wrap (en cultures): break at spaces, the space
    kept at the end of the broken line; split only overlong words."""
    out, cur = [], ""
    for word in re.findall(r"\S+\s*", line):
        while len(word.rstrip()) > width:
            if cur:
                out.append(cur)
                cur = ""
            out.append(word[:width])
            word = word[width:]
        if cur and len(cur) + len(word.rstrip()) > width:
            out.append(cur)
            cur = ""
        cur += word
    out.append(cur.rstrip())
    return out


ERROR_FIELD = re.compile(r"^\s*\+ \w+\s*: ")


def console_rows(line, width):
    """A line as a console shows it: cut at the width, mid-word; an error
    record field ("    + CategoryInfo : ...") is wrapped by the error view
    itself, its later rows indented by 3 spaces (FORMATS.md section 2)."""
    if not ERROR_FIELD.match(line):
        return wrap_exact(line, width)
    rows = wrap_exact(line, width)
    out = [rows[0]]
    rest = "".join(rows[1:])
    while rest:
        part = wrap_exact(rest, width - 3)[0]
        out.append("   " + part)
        rest = rest[len(part):]
    return out


def cells(ch):
    """Console cells of one character: East Asian wide ones take two."""
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def wrap_exact(line, width):
    """Format-List wrap of the other cultures: at the exact column (in
    console cells, as PowerShell counts them)."""
    out, cur, used = [], "", 0
    for ch in line:
        if used + cells(ch) > width:
            out.append(cur)
            cur, used = "", 0
        cur += ch
        used += cells(ch)
    out.append(cur)
    return out


FL_BEFORE = [
    ("RunspaceId", "5b3c2a1e-7d44-4e8a-9a1b-0c6e1f2d3a4b"),
    ("Name", "Move"),
    ("Status", "Failed"),
    ("StatusDetail", "FailedOther"),
    ("SyncStage", "SyncFinished"),
    ("Flags", "IntraOrg, Pull, Suspend, SuspendWhenReadyToComplete"),
    ("RequestStyle", "IntraOrg"),
    ("Direction", "Pull"),
    ("IsOffline", "False"),
    ("Priority", "Normal"),
    ("WorkloadType", "Local"),
    ("RecipientTypeDetails", "UserMailbox"),
    ("SourceVersion", "Version 15.1 (Build 2507.6)"),
    ("SourceDatabase", "DB01"),
    ("SourceServer", "EX01.contoso.local"),
    ("TargetVersion", "Version 15.2 (Build 1118.7)"),
    ("TargetDatabase", "DB19"),
    ("TargetServer", "EX19.contoso.local"),
    ("BatchName", ""),
    ("BadItemLimit", "10"),
    ("BadItemsEncountered", "0"),
    ("LargeItemLimit", "0"),
    ("LargeItemsEncountered", "0"),
    ("FailureCode", "-2146233088"),
]
FL_AFTER = [
    ("PercentComplete", "95"),
    ("TotalMailboxSize", "2.301 GB (2,470,723,322 bytes)"),
    ("TotalMailboxItemCount", "21854"),
    ("ItemsTransferred", "20761"),
    ("DataConsistencyScore", "Perfect"),
    ("OverallDuration", "04:12:31.8370312"),
    ("TotalFailedDuration", "00:03:11.1000000"),
    ("IsValid", "True"),
    ("ObjectState", "New"),
]


def format_list(text, width, wrap, field=None):
    """A Get-MoveRequestStatistics object with the error as Message, or
    with field (label, value) as one more property."""
    m = EXCEPTION.search(text)
    props = list(FL_BEFORE) + [
        ("DisplayName", "Jane Doe"),
        ("Identity", "contoso.local/Users/Jane Doe"),
        ("FailureType", m.group(1) if m else ""),
        ("FailureSide", "Source"),
        field or ("Message", text),
    ] + FL_AFTER
    label = max(len(k) for k, _ in props)
    indent = " " * (label + 3)
    out = ["", ""]
    for k, v in props:
        lines = []
        for part in v.split("\n"):
            lines.extend(wrap(part, width - label - 3))
        first = ("%-*s : %s" % (label, k, lines[0])).rstrip()
        out.append(first)
        out.extend(indent + x for x in lines[1:])
    out.extend(["", ""])
    return out


def entries(text):
    server = "[EX19]"
    head = [
        "'contoso.local/Users/admin' created move request.",
        "The Microsoft Exchange Mailbox Replication service "
        "'EX19.contoso.local' (15.2.1118.7 ServerCaps:07FFFF, "
        "ProxyCaps:1FFFFFC7FFFFFFFFFFFFFF, MailboxCaps:, legacyCaps:07FFFF) "
        "is examining the request.",
        "Connected to target mailbox 'Jane Doe', database 'DB19', Mailbox "
        "server 'EX19.contoso.local' Version 15.2 (Build 1118.0).",
        "Request processing started.",
        "Stage: CreatingFolderHierarchy. Percent complete: 10.",
        "Stage: LoadingMessages. Percent complete: 20.",
        "Copy progress: 723/1456 messages, 225.8 MB (236,732,045 bytes)/"
        "416.5 MB (436,712,733 bytes), 18/31 folders completed.",
    ]
    tail = [
        "Request is no longer stalled and will continue.",
        "Stage: CopyingMessages. Percent complete: 95.",
    ]
    out = []
    minute = 32
    for line in head:
        out.append("3/29/2021 3:%02d:27 PM %s %s" % (minute, server, line))
        minute += 1
    lines = text.split("\n")
    out.append("3/29/2021 3:%02d:27 PM %s %s" % (minute, server, lines[0]))
    out.extend(lines[1:])
    for line in tail:
        minute += 1
        out.append("3/29/2021 3:%02d:27 PM %s %s" % (minute, server, line))
    return out


def transcript(text):
    out = [
        "**********************",
        "Windows PowerShell transcript start",
        "Start time: 20210329153012",
        "Username: CONTOSO\\admin",
        "RunAs User: CONTOSO\\admin",
        "Configuration Name: ",
        "Machine: EX19 (Microsoft Windows NT 10.0.17763.0)",
        "Host Application: C:\\Windows\\system32\\WindowsPowerShell\\v1.0"
        "\\powershell.exe -noexit -command . 'C:\\Program Files\\Microsoft"
        "\\Exchange Server\\V15\\bin\\RemoteExchange.ps1'; Connect-"
        "ExchangeServer -auto -ClientApplication:ManagementShell ",
        "Process ID: 4412",
        "PSVersion: 5.1.17763.2183",
        "PSEdition: Desktop",
        "BuildVersion: 10.0.17763.2183",
        "CLRVersion: 4.0.30319.42000",
        "**********************",
        "Transcript started, output file is C:\\Temp\\move-jdoe.txt",
        "[PS] C:\\Windows\\system32>Get-Mailbox jdoe | Format-Table "
        "Name,Database,ServerName",
        "",
        "Name Database ServerName",
        "---- -------- ----------",
        "jdoe DB01     ex01",
        "",
        "",
        "[PS] C:\\Windows\\system32>Get-MoveRequest jdoe | "
        "Get-MoveRequestStatistics | Format-Table DisplayName,StatusDetail,"
        "PercentComplete",
        "",
    ]
    out.extend(text.split("\n"))
    out.extend([
        "",
        "[PS] C:\\Windows\\system32>Get-MoveRequest -BatchName 'Wave 3' | "
        "Format-Table DisplayName,Status,TargetDatabase",
        "",
        "DisplayName Status    TargetDatabase",
        "----------- ------    --------------",
        "Ann Lee     Completed DB19",
        "Bob Stone   InProgress DB19",
        "",
        "",
        "[PS] C:\\Windows\\system32>Stop-Transcript",
        "**********************",
        "Windows PowerShell transcript end",
        "End time: 20210329153544",
        "**********************",
    ])
    return out


def hcw(text):
    pre = "2024.01.31 20:44:%02d.%03d %-7s %d [Client=UX, %s, Thread=10] %s"
    out = [
        pre % (11, 120, "", 10276, "Activity=Mail Flow, Session=OnPremises,"
               " Cmdlet=Get-ReceiveConnector", "START Get-ReceiveConnector"),
        pre % (11, 861, "", 10277, "Activity=Mail Flow, Session=OnPremises,"
               " Cmdlet=Get-ReceiveConnector",
               "FINISH Time=741.0ms Results=PASSED"),
        pre % (12, 5, "", 10276, "Activity=Mail Flow, Session=Tenant, "
               "Cmdlet=Set-OnPremisesOrganization",
               "START Set-OnPremisesOrganization -Identity 'a1b2c3' "
               "-HybridDomains 'contoso.com'"),
    ]
    lines = text.split("\n")
    out.append(pre % (17, 693, "*ERROR*", 10277, "Activity=Mail Flow, "
                      "Session=Tenant, Cmdlet=Set-OnPremisesOrganization",
                      "FINISH Time=5688.1ms Results=" + lines[0]))
    out.extend(" " * 35 + x for x in lines[1:])
    out.append(pre % (19, 774, "", 10271, "Page=Configuring, fn=RunWorkflow, "
                      "Workflow=Hybrid, Task=Initial, Phase=Configure",
                      "FINISH Time=2.0ms Results=PASSED (Configuration "
                      "Complete)"))
    return out


def embed(shape, text, whole_line):
    """(lines, line end, encoding) of text embedded in shape, or None when
    a whole-line text has no place in it."""
    field = None
    if whole_line:
        m = FIELD_LINE.match(text)
        if shape in ("entries", "hcw") or (shape.startswith("fl") and
                                           not m):
            return None
        field = m.groups() if m else None
    if shape == "fl":
        return format_list(text, 120, wrap_word, field), "\n", "utf-8"
    if shape == "fl16":
        return format_list(text, 80, wrap_exact, field), "\r\n", "utf-16"
    if shape == "entries":
        return entries(text), "\n", "utf-8"
    if shape == "script":
        return transcript(text), "\r\n", "utf-8"
    if shape == "console":
        return [part for line in transcript(text)
                for part in console_rows(line, 120)], "\r\n", "utf-8"
    return hcw(text), "\n", "utf-8"


def write(path, lines, eol, encoding):
    data = (eol.join(lines) + eol).encode(encoding)  # utf-16: LE with BOM
    with open(path, "wb") as f:
        f.write(data)


def found_by_file(mt, path, found=None):
    """{file name: set of (finding|possible, article)} for a folder or a
    file (added to found)."""
    p = subprocess.run([mt, "--format", "ndjson", "--fail-on", "critical",
                        path], capture_output=True, timeout=600)
    if found is None:
        found = collections.defaultdict(set)
    for line in p.stdout.decode("utf-8").splitlines():
        rec = json.loads(line)
        if rec.get("type") in ("finding", "possible") and rec.get("article"):
            name = os.path.basename(rec["origin"].rsplit(":", 1)[0])
            found[name].add((rec["type"], rec["article"]))
    return found


def reached(found, expect, kinds):
    return any((k, a) in found for k in kinds for a in expect)


def main(argv):
    args = [a for a in argv[1:]]
    opts = {"--root": os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "..", ".."), "--out": None, "--min": None}
    verbose = "--verbose" in args
    args = [a for a in args if a != "--verbose"]
    pos = []
    while args:
        a = args.pop(0)
        if a in opts and args:
            opts[a] = args.pop(0)
        else:
            pos.append(a)
    if len(pos) != 1:
        sys.stderr.write(__doc__)
        return 2
    mt = os.path.abspath(pos[0])
    out = opts["--out"] or tempfile.mkdtemp(prefix="mt-inlog-")
    items = items_of(opts["--root"])
    for sub in ("alone",) + SHAPES:
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
        os.makedirs(os.path.join(out, sub))
    for i, (name, text, _, whole_line) in enumerate(items):
        fname = "%04d.txt" % i
        write(os.path.join(out, "alone", fname), text.split("\n"), "\n",
              "utf-8")
        for shape in SHAPES:
            shaped = embed(shape, text, whole_line)
            if shaped is not None:
                write(os.path.join(out, shape, fname), *shaped)
    alone = found_by_file(mt, os.path.join(out, "alone"))
    found = {s: found_by_file(mt, os.path.join(out, s)) for s in SHAPES}
    # A possible match is dropped when its article is found for sure in
    # any input of the run: the dev texts' files are run one by one.
    for i, (name, text, _, whole_line) in enumerate(items):
        if name.startswith("dev-"):
            fname = "%04d.txt" % i
            found_by_file(mt, os.path.join(out, "alone", fname), alone)
            for shape in SHAPES:
                found_by_file(mt, os.path.join(out, shape, fname),
                              found[shape])
    if opts["--out"] is None:
        shutil.rmtree(out)

    kept = collections.Counter()
    tried = collections.Counter()
    losses = []
    nalone = nreach = 0
    sure = ("finding",)
    both = ("finding", "possible")
    for i, (name, text, expect, whole_line) in enumerate(items):
        fname = "%04d.txt" % i
        source = name.split("-", 1)[0]
        for kinds, what in ((sure, "sure"), (both, "reach")):
            if not reached(alone[fname], expect, kinds):
                continue
            if what == "sure":
                nalone += 1
            else:
                nreach += 1
            for shape in SHAPES:
                if embed(shape, text, whole_line) is None:
                    continue
                tried[what, shape, source] += 1
                if reached(found[shape][fname], expect, kinds):
                    kept[what, shape, source] += 1
                else:
                    losses.append((what, shape, fname, name, text))
    print("items %d: found alone %d, reached alone (also as a possible "
          "match) %d; embedded in %d shapes" % (len(items), nalone, nreach,
                                               len(SHAPES)))
    print("%-8s %12s %12s %12s %12s" % ("shape", "dev sure", "samples sure",
                                        "dev reach", "samples reach"))
    for shape in SHAPES:
        cells = ["%d/%d" % (kept[what, shape, source],
                            tried[what, shape, source])
                 for what in ("sure", "reach") for source in ("dev", "sig")]
        print("%-8s %12s %12s %12s %12s" % tuple([shape] + cells))
    rates = {}
    for what in ("sure", "reach"):
        k = sum(v for key, v in kept.items() if key[0] == what)
        t = sum(v for key, v in tried.items() if key[0] == what)
        rates[what] = 100.0 * k / t if t else 0.0
        print("embedded %s rate: %d/%d = %.1f%%" % (what, k, t,
                                                   rates[what]))
    rate = rates["sure"]
    if verbose:
        for what, shape, fname, name, text in losses:
            print("lost %-5s %-8s %s %s: %s" % (what, shape, fname, name,
                                               text.split("\n")[0][:100]))
    if opts["--min"] is not None and rate < float(opts["--min"]):
        print("embedded rate %.1f%% is below %s%%" % (rate, opts["--min"]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
