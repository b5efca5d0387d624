#!/usr/bin/env python3
"""Allocation-failure torture test, after curl's.

For each case, runs migtriage-torture once to count its allocations and keep
its output, then again with MT_FAIL_ALLOC=k for a sample of k in 1..N. Every
run must either

  - give the same exit code, stdout and stderr as the clean run (the failure
    was absorbed, e.g. PCRE2's JIT falling back to the interpreter), or
  - exit with status 4 and end stderr with "migtriage: error: out of memory",
    any other line on stderr being one the clean run printed too (so no
    input is reported as bad because memory ran out);

and never die of a signal, hang, or trip a sanitizer (leaks included, when
the binary is built with ASan).

Most allocations of a run load the knowledge base, the same for every case;
half the samples go to the allocations after the load (those of the case
itself), half are spread over the whole run. --all tries every k.

  torture.py --bin build/tests/torture/migtriage-torture --data . [--all]
  MT_FAIL_ALLOC=k build/tests/torture/migtriage-torture ARGS  (to reproduce)
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

EXIT_NOMEM = 4
OOM_LINE = "migtriage: error: out of memory"
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                   "UndefinedBehaviorSanitizer")

# (name, arguments relative to the source tree, standard input or None,
# exhaustive). tests/torture/small is a knowledge base cut down to a few
# signatures, whose load is short enough to fail at every point.
SMALL = ["--patterns", "tests/torture/small/patterns",
         "--kb", "tests/torture/small/kb"]
CASES = [
    ("small-kb-lint", SMALL + ["kb", "lint"], None, True),
    ("small-kb-paste", SMALL + ["-"],
     "tests/cases/autod-helpdesk-paste/stdin", True),
    ("fl-move-report", ["--format", "text",
                        "tests/fixtures/movereport-largeitems.fl.utf16le.txt"],
     None, False),
    ("clixml", ["--format", "json",
                "tests/fixtures/movereport.clixml.utf16le.xml"], None, False),
    ("zip", ["tests/fixtures/bundle.zip"], None, False),
    ("gzip", ["tests/fixtures/hcw.log.gz"], None, False),
    ("folder-j2", ["-j", "2", "--format", "ndjson", "tests/fixtures/folder"],
     None, False),
    ("explain", ["explain", "0x8004010f"], None, False),
    ("kb-lint", ["kb", "lint"], None, False),
]
# Loads the knowledge and does next to nothing else: its count is where
# the load ends in every case.
BASELINE = ["kb", "list", "no-such-family"]


def run(binary, args, data, fail_at=0, timeout=30, stdin=None):
    env = dict(os.environ)
    env.pop("MT_FAIL_ALLOC", None)
    env["MT_DATA_DIR"] = data
    env["MT_USER_DIR"] = ""  # no user knowledge, no cache: the same
    env["MT_CACHE_DIR"] = ""  # allocations on every run
    env["NO_COLOR"] = "1"
    with tempfile.NamedTemporaryFile(prefix="mt-torture-") as count_file:
        env["MT_ALLOC_COUNT"] = count_file.name
        if fail_at:
            env["MT_FAIL_ALLOC"] = str(fail_at)
        try:
            with open(os.path.join(data, stdin) if stdin else os.devnull,
                      "rb") as f:
                p = subprocess.run([binary] + args, cwd=data, env=env,
                                   stdin=f, capture_output=True,
                                   timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        count = count_file.read().decode().strip()
    return (p.returncode, p.stdout, p.stderr.decode("utf-8", "replace"),
            int(count) if count else 0)


def check(clean, got):
    """Returns None when got is acceptable, else what is wrong."""
    if got is None:
        return "hung (timeout)"
    rc, out, err, _ = got
    if rc < 0:
        return "killed by signal %d" % -rc
    if any(m in err for m in SANITIZER_MARKS):
        return "sanitizer report"
    if (rc, out, err) == clean[:3]:
        return None
    lines = err.splitlines()
    if rc != EXIT_NOMEM:
        return "exit %d with a report different from the clean run's" % rc
    if not lines or lines[-1] != OOM_LINE:
        return "exit %d without '%s' as the last line" % (rc, OOM_LINE)
    if lines.count(OOM_LINE) != 1:
        return "out of memory reported %d times" % lines.count(OOM_LINE)
    known = set(clean[2].splitlines())
    extra = [l for l in lines[:-1] if l not in known]
    if extra:
        return "message the clean run did not print: %r" % extra[0]
    return None


def sample(n, base, samples, everything, stride, tail):
    """The failure points to try: all of 1..n, every stride-th, all those
    after the load (tail), or samples of them."""
    if everything or n <= samples:
        return list(range(1, n + 1))
    if stride or tail:
        picks = set(range(1, n + 1, stride)) if stride else set()
        if tail:
            picks.update(range(min(base, n - 1) + 1, n + 1))
        return sorted(picks)
    picks = set()
    tail = max(n - base, 1)
    half = samples // 2
    for i in range(half):  # the case's own allocations, after the load
        picks.add(n - tail + 1 + (i * tail) // half)
    for i in range(samples - half):  # the whole run, the load included
        picks.add(1 + (i * n) // (samples - half))
    picks.update(range(1, 4))
    picks.update(range(max(n - 2, 1), n + 1))
    return sorted(k for k in picks if 1 <= k <= n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--samples", type=int, default=250)
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--stride", type=int, default=0,
                    help="try every Nth failure point of the whole run")
    ap.add_argument("--quick", action="store_true",
                    help="sample the small-knowledge cases too")
    ap.add_argument("--tail", action="store_true",
                    help="try every failure point after the load")
    ap.add_argument("--case", action="append",
                    help="run only this case (repeatable)")
    a = ap.parse_args()
    data = os.path.abspath(a.data)

    bases = {}
    failures = 0
    total_runs = 0
    for name, args, stdin, exhaustive in CASES:
        if a.case and name not in a.case:
            continue
        start = time.monotonic()
        knowledge = SMALL if args[:len(SMALL)] == SMALL else []
        if tuple(knowledge) not in bases:
            base = run(a.bin, knowledge + BASELINE, data)
            if base is None or base[3] == 0:
                print("torture: %s counts no allocations: not a torture"
                      " build" % a.bin)
                return 1
            bases[tuple(knowledge)] = base
        base = bases[tuple(knowledge)]
        clean = run(a.bin, args, data, stdin=stdin)
        if clean is None or check(clean, clean) is not None:
            print("torture: %s: the clean run failed" % name)
            failures += 1
            continue
        n = clean[3]
        points = sample(n, min(base[3], n - 1), a.samples,
                        a.all or (exhaustive and not a.quick), a.stride,
                        a.tail)
        bad = 0
        for k in points:
            why = check(clean, run(a.bin, args, data, k, stdin=stdin))
            if why is not None:
                bad += 1
                if bad <= 5:
                    print("torture: %s: MT_FAIL_ALLOC=%d: %s\n  reproduce:"
                          " MT_FAIL_ALLOC=%d %s %s%s" %
                          (name, k, why, k, a.bin, " ".join(args),
                           " <" + stdin if stdin else ""))
        total_runs += len(points) + 1
        failures += bad
        print("torture: %s: %d allocations, %d after the load; %d failure"
              " points tried, %d bad (%.1f s)" %
              (name, n, max(n - base[3], 0), len(points), bad,
               time.monotonic() - start))
    print("torture: %d runs; %d passed, %d failed" %
          (total_runs, total_runs - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
