#!/usr/bin/env python3
"""The HTML report in a real browser (headless Chromium): the page loads
and its script runs to the end (it sets data-ready on <html>) with no
console error; hostile log text (<script>, "><img onerror>, </script>)
is shown as text, never run; a screenshot is kept in the build dir.

Usage: check_html.py MIGTRIAGE FIXTURE WORK_DIR. Exits 77 (skip) when no
chromium is installed."""
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def run_browser(browser, profile, *args):
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--no-first-run", "--user-data-dir=" + profile,
           "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def main():
    migtriage, fixture, work = sys.argv[1:4]
    browser = chromium()
    if browser is None:
        print("SKIP: chromium is not installed (apt-get install chromium)")
        return SKIP
    os.makedirs(work, exist_ok=True)
    page = os.path.join(work, "report.html")
    with open(page, "wb") as out:
        rc = subprocess.run([migtriage, "--format", "html", fixture],
                            stdout=out).returncode
    if rc not in (0, 1):
        print("migtriage exited", rc)
        return 1
    failures = []
    with tempfile.TemporaryDirectory() as profile:
        res = run_browser(browser, profile, "--dump-dom",
                          "file://" + os.path.abspath(page))
        dom = res.stdout
        console = [l for l in res.stderr.splitlines() if "CONSOLE" in l or
                   "Uncaught" in l]
        if console:
            failures.append("console output: " + " | ".join(console))
        if 'data-ready="1"' not in dom:
            failures.append("the page script did not run to the end")
        # The hostile strings are there, as text.
        for text in ("&lt;script&gt;alert(1)&lt;/script&gt;",
                     "&lt;img src=x onerror=alert(1)&gt;",
                     "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;"):
            if text not in dom:
                failures.append("not shown as text: " + text)
        # ... and never became elements.
        for element in ("<img src=\"x\"", "<img src=x", "<b>x"):
            if element in dom:
                failures.append("became markup: " + element)
        if dom.count("<script") != 2:
            failures.append("expected 2 script elements, found %d"
                            % dom.count("<script"))
        shot = os.path.join(work, "report.png")
        res = run_browser(browser, profile, "--screenshot=" + shot,
                          "--window-size=1280,2200",
                          "file://" + os.path.abspath(page))
        if not os.path.exists(shot) or os.path.getsize(shot) < 1000:
            failures.append("no screenshot written to " + shot)
    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("ok: page loads, script ran, hostile text stays text; "
              "screenshot", shot)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
