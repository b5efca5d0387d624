#!/usr/bin/env python3
"""run.py: times migtriage against rg, ugrep and grep on the data of gen.py,
with the same knowledge (the patterns `migtriage kb export` writes), and
checks that the tools agree on how many lines match.

    python3 tests/bench/gen.py --size 1G       # once: tests/bench/data/
    python3 tests/bench/run.py                 # prints the table

Each row runs --runs times (median wall time; peak RSS from /usr/bin/time
-f %M). A peer whose first run would take longer than --budget seconds on
the whole file runs on a slice of it instead (the row says so; MB/s is
then of the slice). Nothing here asserts a time: it measures and reports.
Python 3 standard library only.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ENV = dict(os.environ, LC_ALL="C.UTF-8", NO_COLOR="1")
MiB = 1 << 20
# gen.py's shapes: the plain file and the manifest of each.
SHAPES = {"mixed": ("big.log", "manifest.json"),
          "healthy": ("healthy.log", "manifest-healthy.json")}


def have(tool):
    return shutil.which(tool) is not None


def run_once(cmd, stdin_path=None):
    """Runs cmd under /usr/bin/time; returns (wall seconds, peak RSS KiB,
    exit code, CPU seconds (user + system)). Standard output goes to a
    file, never /dev/null: GNU grep (and ugrep) stop at the first match
    when it is /dev/null."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf, \
            tempfile.TemporaryFile() as sink:
        full = ["/usr/bin/time", "-f", "%M %U %S", "-o", tf.name] + cmd
        fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        t0 = time.perf_counter()
        p = subprocess.run(full, stdin=fin, stdout=sink,
                           stderr=subprocess.DEVNULL, env=ENV)
        wall = time.perf_counter() - t0
        if stdin_path:
            fin.close()
        cpu = None
        try:
            last = tf.read().strip().splitlines()[-1].split()
            rss = int(last[0])
            cpu = float(last[1]) + float(last[2])
        except (ValueError, IndexError):
            rss = 0
    return wall, rss, p.returncode, cpu


def capture(cmd, stdin_path=None):
    fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    p = subprocess.run(cmd, stdin=fin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=ENV)
    if stdin_path:
        fin.close()
    return p


def grep_count(cmd):
    """Sum of the counts a grep-like tool prints with -c (one per file:
    'N' or 'path:N')."""
    p = capture(cmd)
    total = 0
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        tail = line.rsplit(":", 1)[-1].strip()
        if tail.isdigit():
            total += int(tail)
    return total


def mt_lines(mt, path, extra=()):
    """Records with at least one finding: distinct origins of the NDJSON
    findings (an origin names the input and the record's first line), and
    the summary's records and findings."""
    p = subprocess.Popen([mt, "--format", "ndjson", *extra, path],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         env=ENV)
    origins = set()
    summary = {}
    for raw in p.stdout:
        d = json.loads(raw)
        if d.get("type") == "finding":
            origins.add(d["origin"])
        elif d.get("type") == "summary":
            summary = d.get("summary", {})
    p.wait()
    return len(origins), summary


def make_slice(src, size, dst):
    """The first size bytes of src, cut back to a line end."""
    if os.path.exists(dst) and os.path.getsize(dst) <= size:
        return dst
    with open(src, "rb") as f:
        data = f.read(size)
    cut = data.rfind(b"\n")
    with open(dst, "wb") as f:
        f.write(data[:cut + 1])
    return dst


def machine():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) // 1024
    return "%d CPUs (nproc), %s, %d MiB RAM, %s %s" % (
        os.cpu_count(), model, mem, platform.system(), platform.release())


def version(cmd):
    try:
        p = capture(cmd)
        return p.stdout.decode().splitlines()[0].strip()
    except (OSError, IndexError):
        return "?"


class Bench:
    def __init__(self, a):
        self.a = a
        self.rows = []
        self.notes = []

    def skipped(self, label):
        for x in self.a.skip:
            if x in label:
                self.notes.append("%s: left out (--skip '%s')" % (label, x))
                return True
        return False

    def time_row(self, label, cmd, size, runs=None, stdin_path=None,
                 tool="", note=""):
        runs = runs or self.a.runs
        walls, rsss, cpus = [], [], []
        rc = None
        for _ in range(runs):
            w, r, rc, cpu = run_once(cmd, stdin_path)
            walls.append(w)
            rsss.append(r)
            if cpu is not None:
                cpus.append(cpu)
        med = statistics.median(walls)
        # On a shared machine the least CPU time of the runs is the
        # steadiest figure (waiting for a core costs wall time, not CPU).
        row = {"label": label, "tool": tool, "cmd": " ".join(cmd),
               "bytes": size, "wall": med, "walls": walls,
               "cpu": min(cpus) if cpus else None,
               "rss_kib": max(rsss), "rc": rc, "note": note, "runs": runs}
        self.rows.append(row)
        print("  %-44s %8.3f s %9.1f MB/s cpu %s s %8d KiB  rc=%s %s" % (
            label, med, size / MiB / med if med else 0,
            "%.3f" % row["cpu"] if cpus else "-", max(rsss), rc, note),
            flush=True)
        return row

    def peer_row(self, label, cmd_for, path, tool, slice_dir):
        """Times a peer on the whole file, or on a slice when one run would
        exceed the budget (estimated from a run on a small slice)."""
        size = os.path.getsize(path)
        # 1 MiB first: some pattern sets make a peer take minutes a MiB.
        for probe_size in (MiB, self.a.probe * MiB):
            probe_size = min(size, probe_size)
            probe = path
            if probe_size < size:
                probe = make_slice(path, probe_size, os.path.join(
                    slice_dir, "slice-%dM.log" % (probe_size // MiB)))
            w, _, _, _ = run_once(cmd_for(probe))
            if w > 1.0:
                break
        rate = os.path.getsize(probe) / max(w, 1e-6)
        target = path
        note = ""
        if size / rate > self.a.budget:
            want = max(MiB, int(rate * self.a.budget) // MiB * MiB)
            want = min(want, size)
            if want < size:
                target = make_slice(path, want, os.path.join(
                    slice_dir, "slice-%dM.log" % (want // MiB)))
                note = "on the first %d MiB (whole file: ~%.0f s a run)" % (
                    want // MiB, size / rate)
        row = self.time_row(label, cmd_for(target), os.path.getsize(target),
                            tool=tool, note=note)
        row["target"] = target
        return row


def fmt_table(rows, ref_rate):
    out = ["| what | input | median wall | MB/s | CPU s (least) | MB/CPU s | "
           "peak RSS | time/MB vs migtriage | note |",
           "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        rate = r["bytes"] / MiB / r["wall"] if r["wall"] else 0
        vs = ""
        if r.get("ref") and ref_rate.get(r["ref"]):
            # Time per MB relative to migtriage on the same kind of input:
            # above 1 the row is slower than migtriage, below 1 faster.
            vs = "%.2f" % (ref_rate[r["ref"]] / rate) if rate else ""
        shown = "%.1f" % rate if r["bytes"] >= MiB else "-"
        cpu = r.get("cpu")
        cpu_rate = "%.1f" % (r["bytes"] / MiB / cpu) if cpu and \
            r["bytes"] >= MiB else "-"
        out.append("| %s | %s | %.3f s | %s | %s | %s | %.1f MiB | %s | %s |"
                   % (r["label"], r.get("input", ""), r["wall"], shown,
                      "%.2f" % cpu if cpu is not None else "-", cpu_rate,
                      r["rss_kib"] / 1024, vs, r["note"]))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    ap.add_argument("--migtriage",
                    default=os.path.join(ROOT, "build-bench", "migtriage"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--budget", type=float, default=30.0,
                    help="seconds a peer run may take before it is moved "
                    "to a slice (default 30)")
    ap.add_argument("--probe", type=int, default=16,
                    help="MiB of the slice used to estimate a peer's speed")
    ap.add_argument("--skip-peers", action="store_true")
    ap.add_argument("--shape", action="append", choices=SHAPES,
                    help="data shape to time (repeatable; default: every "
                    "shape gen.py has written): mixed is big.log and its "
                    "archives and reports/, healthy is healthy.log")
    ap.add_argument("--skip", action="append", default=[],
                    help="leave out rows whose label contains this text "
                    "(repeatable), e.g. --skip 'ugrep -c' for a peer that "
                    "takes minutes")
    a = ap.parse_args()

    mt = os.path.abspath(a.migtriage)
    d = os.path.abspath(a.data)
    shapes = a.shape or [x for x in SHAPES
                         if os.path.exists(os.path.join(d, SHAPES[x][0]))]
    for x in shapes:
        if not os.path.exists(os.path.join(d, SHAPES[x][0])):
            sys.exit("run.py: %s missing; run tests/bench/gen.py --shape %s "
                     "first" % (os.path.join(d, SHAPES[x][0]), x))
    if not shapes:
        sys.exit("run.py: no data in %s; run tests/bench/gen.py first" % d)
    # The rows of big.log's archives and reports/ come with the mixed shape.
    big = os.path.join(d, SHAPES[shapes[0]][0])
    if "mixed" in shapes:
        big = os.path.join(d, "big.log")
    if not os.path.exists("/usr/bin/time"):
        sys.exit("run.py: /usr/bin/time missing (apt-get install time)")
    work = os.path.join(d, "work")
    os.makedirs(work, exist_ok=True)

    # The same knowledge for everyone: exported by this binary.
    pat = {}
    for flavor in ("rg", "ugrep", "grep", "pcre"):
        pat[flavor] = os.path.join(work, "patterns.%s" % flavor)
        with open(pat[flavor], "wb") as f:
            p = subprocess.run([mt, "kb", "export", "--flavor", flavor],
                               stdout=f, stderr=subprocess.PIPE, env=ENV)
        if p.returncode != 0:
            sys.exit("run.py: migtriage kb export failed: " +
                     p.stderr.decode())
        skipped = [x for x in p.stderr.decode().splitlines() if x]
        if skipped:
            print("kb export --flavor %s left out %d signature(s):" % (
                flavor, len(skipped)))
            for x in skipped:
                print("  " + x)
    npat = {k: sum(1 for _ in open(v, "rb")) for k, v in pat.items()}

    help_text = capture([mt, "--help"]).stdout.decode()
    has_j = "--jobs" in help_text or "-j," in help_text

    size = os.path.getsize(big)
    manifests = {}
    for x in shapes:
        mf = os.path.join(d, SHAPES[x][1])
        manifests[x] = {}
        if os.path.exists(mf):
            with open(mf) as f:
                manifests[x] = json.load(f)
    manifest = manifests.get("mixed", {})
    b = Bench(a)
    rows = b.rows
    print("machine: " + machine())
    print("shapes: %s; patterns: rg %d, grep %d, pcre %d" % (
        ", ".join(shapes), npat["rg"], npat["grep"], npat["pcre"]))

    def tag(row, inp, ref=None, tool=""):
        row["input"] = inp
        row["ref"] = ref
        row["tool"] = tool
        return row

    # Plain files, one group of rows a shape: migtriage with -j 1 (one
    # scanning thread, the read-ahead thread reading beside it), with -j 2
    # (two threads scan the file; what the default -j 0 does on two
    # CPUs), and held to one core (taskset), then the peers on the same
    # file.
    one = ["-j", "1"] if has_j else []
    all_peers = []
    if not a.skip_peers:
        all_peers = [
            ("rg -c -f (rg flavor)", "rg",
             lambda p: ["rg", "--no-config", "-c", "-f", pat["rg"], p]),
            ("ugrep -c -f (ugrep flavor)", "ugrep",
             lambda p: ["ugrep", "-c", "-f", pat["ugrep"], p]),
            ("grep -cE -f (grep flavor)", "grep",
             lambda p: ["grep", "-cE", "-f", pat["grep"], p]),
            ("rg -P -c -f (pcre flavor)", "rg",
             lambda p: ["rg", "--no-config", "-P", "-c", "-f", pat["pcre"],
                        p]),
            ("ugrep -P -c -f (pcre flavor)", "ugrep",
             lambda p: ["ugrep", "-P", "-c", "-f", pat["pcre"], p]),
        ]
    peer_rows = []
    for shape in shapes:
        path = os.path.join(d, SHAPES[shape][0])
        name = os.path.basename(path)
        psize = os.path.getsize(path)
        ref = "plain" if shape == "mixed" else "plain-" + shape
        tag(b.time_row("cat (read floor)", ["cat", path], psize), name, ref)
        r = b.time_row("migtriage %s--format json" % ("-j 1 " if one else ""),
                       [mt, *one, "--format", "json", path], psize)
        tag(r, name, ref, "migtriage")
        if has_j:
            # Two threads on the one file (decoding beside the records).
            r = b.time_row("migtriage -j 2 --format json",
                           [mt, "-j", "2", "--format", "json", path], psize)
            tag(r, name, None, "migtriage")
        if have("taskset"):
            r = b.time_row("migtriage --format json (1 core: taskset -c 0)",
                           ["taskset", "-c", "0", mt, "--format", "json",
                            path], psize)
            tag(r, name, None, "migtriage")
        # On the healthy shape only the peers that finish in seconds: the
        # others are slow on any shape (see the mixed rows).
        peers = all_peers if shape == "mixed" else [
            x for x in all_peers if x[0].startswith(("rg -c", "grep -cE"))]
        for label, tool, fn in peers:
            if b.skipped(label):
                continue
            if not have(tool):
                b.notes.append("%s not installed: row skipped" % tool)
                continue
            r = b.peer_row(label, fn, path, tool, work)
            tag(r, name if r["target"] == path else
                os.path.basename(r["target"]), ref, tool)
            r["count_cmd"] = fn
            r["shape_path"] = path
            peer_rows.append(r)

    # Compressed (mixed shape).
    gz = os.path.join(d, "big.log.gz") if "mixed" in shapes else ""
    zp = os.path.join(d, "big.zip") if "mixed" in shapes else ""
    tgz = os.path.join(d, "big.tar.gz") if "mixed" in shapes else ""
    comp_rows = []
    if os.path.exists(gz):
        tag(b.time_row("zcat > /dev/null (gunzip floor)", ["zcat", gz],
                       size), "big.log.gz", "gz")
        # igzip (Debian package isal) is ISA-L's own gunzip: the floor the
        # issue names for .gz, and the library migtriage inflates with.
        if have("igzip"):
            tag(b.time_row("igzip -d -c (ISA-L gunzip floor)",
                           ["igzip", "-d", "-c", gz], size),
                "big.log.gz", "gz")
        else:
            b.notes.append("igzip not installed (apt-get install isal): "
                           "its row skipped")
    for path, name in ((gz, "big.log.gz"), (zp, "big.zip"),
                       (tgz, "big.tar.gz")):
        if os.path.exists(path):
            r = b.time_row("migtriage %s--format json"
                           % ("-j 1 " if one else ""),
                           [mt, *one, "--format", "json", path], size)
            tag(r, name, "gz" if path == gz else None, "migtriage")
            comp_rows.append((r, path))
            if has_j and path == gz:
                r = b.time_row("migtriage -j 2 --format json",
                               [mt, "-j", "2", "--format", "json", path],
                               size)
                tag(r, name, None, "migtriage")
    if not a.skip_peers and os.path.exists(gz):
        for label, tool, fn in (
                ("rg -z -c -f", "rg",
                 lambda p: ["rg", "--no-config", "-z", "-c", "-f",
                            pat["rg"], p]),
                ("ugrep -z -c -f", "ugrep",
                 lambda p: ["ugrep", "-z", "-c", "-f", pat["ugrep"], p])):
            if not have(tool) or b.skipped(label):
                continue
            # A slice of a gzip stream is not a gzip file: when the peer is
            # too slow for the whole .gz it is timed on the gzipped slice.
            sl = [x for x in peer_rows if x["tool"] == tool and
                  x["label"].endswith(("(rg flavor)", "(ugrep flavor)"))]
            target, note = gz, ""
            if sl and sl[0]["target"] != big:
                target = sl[0]["target"] + ".gz"
                if not os.path.exists(target):
                    subprocess.run(["gzip", "-6", "-k", "-f", "-n",
                                    sl[0]["target"]], check=True)
                note = sl[0]["note"]
            r = b.time_row(label, fn(target),
                           size if target == gz else
                           os.path.getsize(sl[0]["target"]), tool=tool,
                           note=note)
            tag(r, os.path.basename(target), "gz", tool)
            r["count_cmd"] = fn
            r["target"] = target

    # The folder of small reports.
    rep = os.path.join(d, "reports")
    rep_rows = []
    if "mixed" in shapes and os.path.isdir(rep):
        rep_size = manifest.get("reports_bytes") or sum(
            os.path.getsize(os.path.join(dp, f))
            for dp, _, fs in os.walk(rep) for f in fs)
        jobs = [("", [])]
        if has_j:
            jobs = [(" -j 1", ["-j", "1"]), (" -j 2", ["-j", "2"])]
        else:
            b.notes.append("migtriage has no -j yet: the folder row is one "
                           "thread")
        for suffix, extra in jobs:
            r = b.time_row("migtriage --format json" + suffix,
                           [mt, "--format", "json", *extra, rep], rep_size)
            tag(r, "reports/ (%d files)" % manifest.get("reports", 0),
                "reports" if not extra or extra[1] == "1" else None,
                "migtriage")
            rep_rows.append((r, extra))
        if not a.skip_peers:
            for label, tool, cmd in (
                    ("rg -c -f (default threads)", "rg",
                     ["rg", "--no-config", "--no-ignore", "-c", "-f",
                      pat["rg"], rep]),
                    ("rg -j1 -c -f", "rg",
                     ["rg", "--no-config", "--no-ignore", "-j1", "-c", "-f",
                      pat["rg"], rep]),
                    ("ugrep -r -c -f (default threads)", "ugrep",
                     ["ugrep", "-r", "-c", "-f", pat["ugrep"], rep]),
                    ("grep -r -cE -f", "grep",
                     ["grep", "-r", "-cE", "-f", pat["grep"], rep])):
                if not have(tool) or b.skipped(label):
                    continue
                # A peer that needed a slice of big.log would take minutes
                # here too: skip it rather than wait.
                slow = [x for x in peer_rows if x["tool"] == tool and
                        x["note"] and x["label"].endswith(
                            ("(rg flavor)", "(ugrep flavor)"))]
                if slow and "(rg flavor)" in label or (
                        slow and tool == "ugrep"):
                    b.notes.append("%s on reports/ skipped: %s" % (
                        label, "it needed a slice of big.log"))
                    continue
                w, _, _, _ = run_once(cmd)
                if w > a.budget:
                    b.notes.append("%s on reports/ took %.0f s once; not "
                                   "repeated" % (label, w))
                    continue
                r = b.time_row(label, cmd, rep_size, tool=tool)
                tag(r, "reports/", "reports", tool)
                r["count_cmd"] = cmd

    # A 20-line paste through stdin: startup, knowledge load, one scan.
    paste = os.path.join(work, "paste20.txt")
    with open(big, "rb") as f:
        head = f.read(1 << 20).split(b"\n")
    pool_path = os.path.join(d, "pool.txt")
    pool = open(pool_path, "rb").read().split(b"\n")[:2] \
        if os.path.exists(pool_path) else []
    with open(paste, "wb") as f:
        f.write(b"\n".join(head[:18] + pool) + b"\n")
    psize = os.path.getsize(paste)
    r = b.time_row("migtriage - (20-line paste)", [mt, "-"], psize, runs=20,
                   stdin_path=paste)
    tag(r, "stdin, 20 lines", "paste", "migtriage")
    if not a.skip_peers and have("rg"):
        r = b.time_row("rg -c -f - (20-line paste)",
                       ["rg", "--no-config", "-c", "-f", pat["rg"], "-"],
                       psize, runs=20, stdin_path=paste)
        tag(r, "stdin, 20 lines", "paste", "rg")

    # Agreement: records (lines) with a finding, per input.
    print("counting matching lines ...", flush=True)
    agree = []
    for shape in shapes:
        path = os.path.join(d, SHAPES[shape][0])
        mt_n, mt_sum = mt_lines(mt, path)
        agree.append(("migtriage", os.path.basename(path), mt_n,
                      "summary: %s records, %s findings" % (
                          mt_sum.get("records"), mt_sum.get("findings"))))
    expected = manifest.get("error_lines")
    slice_counts = {}
    for r in peer_rows:
        n = grep_count(r["count_cmd"](r["target"]))
        where = os.path.basename(r["target"])
        if r["target"] != r["shape_path"]:
            if r["target"] not in slice_counts:
                slice_counts[r["target"]] = mt_lines(mt, r["target"])[0]
            agree.append(("migtriage", where, slice_counts[r["target"]], ""))
        agree.append((r["label"], where, n, ""))
    for r in rows:
        if r.get("label", "").startswith(("rg -z", "ugrep -z")):
            n = grep_count(r["count_cmd"](r["target"]))
            agree.append((r["label"], os.path.basename(r["target"]), n, ""))
    for r, path in comp_rows:
        n, s = mt_lines(mt, path)
        agree.append(("migtriage", os.path.basename(path), n,
                      "summary findings %s" % s.get("findings")))
    if rep_rows:
        for r, extra in rep_rows:
            n, s = mt_lines(mt, rep, extra)
            agree.append(("migtriage" + (" " + " ".join(extra) if extra
                                         else ""), "reports/", n, ""))
        for r in rows:
            if r.get("input") == "reports/" and r.get("count_cmd"):
                agree.append((r["label"], "reports/",
                              grep_count(r["count_cmd"]), ""))

    # The reference of each group of rows: migtriage's first row in it.
    ref_rate = {}
    for r in rows:
        if r["tool"] == "migtriage" and r.get("ref") and \
                r["ref"] not in ref_rate:
            ref_rate[r["ref"]] = r["bytes"] / MiB / r["wall"]

    now = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")
    lines = []
    lines.append("Run %s on %s." % (now, machine()))
    lines.append("")
    lines.append("Tools: %s; %s; %s; %s; migtriage %s." % (
        version(["rg", "--version"]), version(["ugrep", "--version"]),
        version(["grep", "--version"]), version(["zcat", "--version"]),
        version([mt, "--version"])))
    for shape in shapes:
        mf = manifests[shape]
        path = os.path.join(d, SHAPES[shape][0])
        lines.append("Data (%s shape): %s %d bytes (%s lines, %s error lines "
                     "injected)%s." % (
                         shape, os.path.basename(path),
                         os.path.getsize(path), mf.get("lines", "?"),
                         mf.get("error_lines"),
                         "; reports/ %s files (%s bytes)" % (
                             mf.get("reports"), mf.get("reports_bytes"))
                         if shape == "mixed" else ""))
    lines.append("%d runs a row (20 for the paste): median wall time, least "
                 "CPU time." % a.runs)
    lines.append("Patterns: %d (rg flavor), %d (grep flavor), %d (pcre "
                 "flavor, all of migtriage's finding signatures)." % (
                     npat["rg"], npat["grep"], npat["pcre"]))
    lines.append("")
    lines.append(fmt_table(rows, ref_rate))
    lines.append("")
    lines.append("Matching lines (records with at least one finding):")
    lines.append("")
    lines.append("| tool | input | lines | note |")
    lines.append("|---|---|---:|---|")
    for who, where, n, note in agree:
        lines.append("| %s | %s | %d | %s |" % (who, where, n, note))
    if expected is not None:
        lines.append("")
        lines.append("gen.py injected %s error lines into big.log and %s "
                     "into reports/." % (expected,
                                         manifest.get("reports_error_lines")))
    if "healthy" in manifests:
        lines.append("")
        lines.append("gen.py injected %s error lines into healthy.log." %
                     manifests["healthy"].get("error_lines"))
    for n in b.notes:
        lines.append("")
        lines.append("Note: " + n)
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    with open(os.path.join(d, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(d, "results.json"), "w") as f:
        json.dump({"rows": [{k: v for k, v in r.items() if k != "count_cmd"}
                            for r in rows],
                   "agree": agree, "machine": machine(), "date": now}, f,
                  indent=1)


if __name__ == "__main__":
    main()
