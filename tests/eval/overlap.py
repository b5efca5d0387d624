#!/usr/bin/env python3
"""overlap.py: which held-out texts were already known to the KB authors.

A held-out text overlaps when its most distinctive 40-character substring
occurs in the knowledge base (kb/*.json) or the signatures (patterns/*.json)
of the tree given, after both sides are reduced to single-spaced text. The
most distinctive window is the one with the most characters that belong to
"specific" tokens (tokens holding a digit or '@', and dotted host names
other than .NET class names: GUIDs, codes, addresses, servers), so that a shared boilerplate phrase ("The remote server returned
an error") does not count. A text with no such token overlaps when at least
80% of it is found as one run in the corpus.

A text also overlaps when its SOURCE was used by the KB authors: a key of
its `# source:` line (a GitHub issue, a Microsoft Q&A question, a support
article's file name, a KB number, a stored file id, a web address) occurs
in the knowledge base's strings (refs), in the headers of the texts KB
helpers mined (tests/eval/mined-*/), or in a sources file given with
--sources FILE (the integrator's list of what helpers reported). Such a
text was read by someone who wrote the KB, even if no sample copies it.

Also printed: the longest run of the text found in the corpus, for review.

Usage: overlap.py TREE [SETDIR] [--mark]
  --mark  add '# overlap: yes' to the header of overlapping files that lack it
Read-only on TREE; --mark writes only in SETDIR.
"""
import glob
import json
import os
import re
import sys

WIN = 40


def norm(s):
    return re.sub(r"\s+", " ", s).strip().lower()


def strings_of(node, out):
    if isinstance(node, str):
        out.append(node)
    elif isinstance(node, list):
        for x in node:
            strings_of(x, out)
    elif isinstance(node, dict):
        for x in node.values():
            strings_of(x, out)


def corpus(tree):
    parts = []
    for sub in ("patterns", "kb"):
        for path in sorted(glob.glob(os.path.join(tree, sub, "**", "*.json"),
                                     recursive=True)):
            try:
                with open(path, encoding="utf-8") as f:
                    strings_of(json.load(f), parts)
            except (OSError, ValueError):
                continue
    return "\n".join(norm(p) for p in parts)


def mined_headers(tree):
    """The `# source:` lines of the texts KB helpers mined to write from."""
    out = []
    for path in sorted(glob.glob(os.path.join(tree, "tests", "eval",
                                              "mined-*", "*.txt"))):
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if not line.startswith("# "):
                    break
                if line.startswith("# source:"):
                    out.append(line.lower())
    return "\n".join(out)


SOURCE_KEYS = [
    # owner/repo/issues/N or owner/repo#N: the repository and number
    (re.compile(r"([\w.-]+)/(?:issues|pull)/(\d+)"), "{0}#{1}"),
    (re.compile(r"([\w.-]+)\s*#(\d+)"), "{0}#{1}"),
    (re.compile(r"answers/questions/(\d+)"), "questions/{0}"),
    (re.compile(r"\bq&a\s+(?:question\s+|thread\s+)?(\d{5,})"),
     "questions/{0}"),
    # a page's file name or address slug, not a repository name
    (re.compile(r"(?<![\w-])([a-z0-9]+(?:-[a-z0-9]+){3,})(?:\.md)?"
                r"(?![\w-]|\s*[/#])"), "{0}"),
    (re.compile(r"\bkb\s*(\d{6,7})\b"), "{0}"),
    (re.compile(r"\b(?:file\s+)?id\s+(\d{8,})"), "{0}"),
]


def source_keys(header_line):
    """The keys a source line is known by elsewhere (lower case)."""
    line = header_line.lower()
    keys = set()
    for rx, fmt in SOURCE_KEYS:
        for m in rx.finditer(line):
            keys.add(fmt.format(*m.groups()))
    return keys


def known_sources(text):
    """Lower-cased text of what the KB authors used, with issue numbers
    spelled one way (repo#N), also in lists such as 'repo #1 #2'."""
    text = text.lower()
    text = re.sub(r"/(?:issues|pull)/(\d+)", r"#\1", text)

    def expand(m):
        repo = m.group(1)
        nums = re.findall(r"#(\d+)", m.group(2))
        return " ".join(repo + "#" + n for n in nums)
    return re.sub(r"([\w.-]+)((?:[\s,]*#\d+)+)", expand, text)


def source_hit(head, known):
    for h in head:
        if h.startswith("# source:"):
            for k in source_keys(h):
                if k in known:
                    return k
    return None


def body_of(path):
    head, body = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not body and line.startswith("# ") and ":" in line:
                head.append(line)
            else:
                body.append(line)
    return head, "".join(body)


SPECIFIC = re.compile(
    r"\S*(?:\d|@)\S*"
    r"|(?<!\S)(?!microsoft\.|system\.)[\w'\"(]*\w+\.\w+\.\w+\S*")


def distinctive_window(text):
    weight = [0] * len(text)
    for m in SPECIFIC.finditer(text):
        for i in range(m.start(), m.end()):
            weight[i] = 1
    if len(text) <= WIN:
        return text
    best, best_i, cur = -1, 0, sum(weight[:WIN])
    for i in range(0, len(text) - WIN + 1):
        if i:
            cur += weight[i + WIN - 1] - weight[i - 1]
        if cur > best:
            best, best_i = cur, i
    return text[best_i:best_i + WIN]


def longest_run(text, corp):
    best = run = 0
    for i in range(0, max(1, len(text) - WIN + 1)):
        if text[i:i + WIN] in corp:
            run += 1
            best = max(best, run)
        else:
            run = 0
    return best + WIN - 1 if best else 0


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    if not args:
        sys.stderr.write(__doc__)
        return 2
    corp = corpus(args[0])
    known = corp + "\n" + mined_headers(args[0])
    if "--sources" in argv:
        i = argv.index("--sources")
        with open(argv[i + 1], encoding="utf-8", errors="replace") as f:
            known += "\n" + f.read().lower()
        args = [a for a in args if a != argv[i + 1]]
    known = known_sources(known)
    setdir = args[1] if len(args) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "heldout")
    for name in sorted(os.listdir(setdir)):
        if not name.endswith(".txt"):
            continue
        path = os.path.join(setdir, name)
        head, body = body_of(path)
        text = norm(body)
        win = distinctive_window(text)
        run = longest_run(text, corp)
        if SPECIFIC.search(win):
            hit = win in corp
        else:
            hit = run >= 0.8 * len(text)
        by_source = source_hit(head, known)
        if by_source and not hit:
            hit = True
            win = "source " + by_source
        marked = any(h.startswith("# overlap:") for h in head)
        print("%-8s %-5s run=%-4d/%-4d marked=%-3s %r" % (
            name, "HIT" if hit else "-", run, len(text),
            "yes" if marked else "no", win))
        if hit and not marked and "--mark" in argv:
            with open(path, encoding="utf-8") as f:
                lines = f.readlines()
            at = len(head)
            lines.insert(at, "# overlap: yes\n")
            with open(path, "w", encoding="utf-8") as f:
                f.writelines(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
