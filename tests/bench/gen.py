#!/usr/bin/env python3
"""gen.py: seeded, reproducible benchmark inputs for migtriage and its peers.

Two data shapes (--shape):
  mixed (default) what a migration consultant collects: report entry runs,
                  Format-List dumps, HCW logs, AAD Connect event text, with
                  about 1 error line in 1,000 (big.log and the files below)
  healthy         the common case of a server's logs: long runs of healthy
                  IIS W3C request lines, Windows Application event text of
                  Exchange sources and MRS copy-progress entries, with about
                  1 error line in 10,000 (healthy.log, manifest-healthy.json)

Writes, under --out (default tests/bench/data, git-ignored):
  big.log         --size bytes of mixed migration log text (UTF-8, LF):
                  move-report entry runs, Format-List dumps of move
                  statistics (values wrapped at the console width), HCW log
                  lines, AAD Connect event text; about --error-rate of the
                  lines are real error lines drawn from the KB's samples
  big.log.gz      the same, gzip
  big.zip         the same as the one member of a zip (deflate)
  big.tar.gz      the same as the one member of a tar.gz
  reports/        --reports small move reports (Format-List object + entry
                  run), 100 per sub-folder, with the same error rate
  pool.txt        the distinct error lines that were injected, one a line
  manifest.json   sizes, line counts, injected error lines, seed
  healthy.log     (--shape healthy) --size bytes of the healthy shape, and
  healthy.log.gz  the same, gzip (unless --no-archives)

Background lines are chosen so that no signature matches them; the error
lines are whole lines, never wrapped, so that one matching line is one
matching record for every tool (see README.md, "How counts are compared").
Python 3 standard library only. The same seed and size give the same bytes.
"""

import argparse
import concurrent.futures
import gzip
import json
import os
import random
import re
import sys
import tarfile
import time
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

MONTHS_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
FIRST = ["Anna", "Ben", "Carla", "David", "Elif", "Farid", "Grace", "Hiro",
         "Ines", "Jonas", "Kofi", "Lena", "Marco", "Nadia", "Omar", "Petra",
         "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wim", "Xenia",
         "Yusuf", "Zoe"]
LAST = ["Adams", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia",
        "Hansen", "Ito", "Jensen", "Kowalski", "Lopez", "Meyer", "Novak",
        "Olsen", "Peters", "Quist", "Rossi", "Schmidt", "Tanaka", "Urban",
        "Vogel", "Weber", "Young", "Zimmer"]
DOMAINS = ["contoso.com", "fabrikam.com", "litware.org", "northwind.net",
           "adatum.com", "tailspintoys.com"]
EXO_SERVERS = ["BL2PRD0410CA012", "CY4PR19MB0056", "MWHPR14MB1245",
               "BY2PR02MB315", "AM6PR04MB5432", "DB8PR09MB3412",
               "SN6PR2101MB1232", "VI1PR0701MB2957"]
ONPREM = ["EXCH", "EXCH01", "EX2016-MBX1", "EX2019-02", "MAILSRV3"]
STAGES = ["LoadingMessages", "CopyingMessages", "IncrementalSync",
          "FinalIncrementalSync", "CreatingFolderHierarchy",
          "CreatingInitialSyncCheckpoint", "Completion"]
FOLDERS = ["Inbox", "Sent Items", "Calendar", "Contacts", "Archive",
           "Projects", "Deleted Items", "Drafts", "Notes", "Tasks"]
HCW_PAGES = ["Configuring", "HybridFeatures", "OrganizationConfig",
             "CredentialsPage", "DomainOwnership", "Transport"]
HCW_CMDLETS = ["Get-AcceptedDomain", "Get-ExchangeServer",
               "Get-ExchangeCertificate", "Get-ReceiveConnector",
               "Get-SendConnector", "Get-OrganizationRelationship",
               "Get-FederationTrust", "Get-RemoteDomain",
               "Get-HybridConfiguration", "Set-HybridConfiguration",
               "Get-IntraOrganizationConnector", "Get-OnPremisesOrganization"]


def parse_size(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGkmg]?)(?:i?[Bb])?", text.strip())
    if not m:
        raise argparse.ArgumentTypeError("size like 64M, 256M, 1G: " + text)
    mult = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(m.group(1)) * mult[m.group(2).upper()])


def has_lookaround(pattern):
    return any(t in pattern for t in ("(?<=", "(?<!", "(?!"))


def load_pool(patterns_dir):
    """Error lines from the samples of the finding signatures.

    Signatures with look-behind or negative look-ahead are left out: rg and
    grep -E cannot say them, so their lines would be found by migtriage
    alone and the line counts could not be compared."""
    pool = []
    seen = set()
    for name in sorted(os.listdir(patterns_dir)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(patterns_dir, name), encoding="utf-8") as f:
            doc = json.load(f)
        for sig in doc.get("signatures", []):
            if sig.get("kind", "finding") != "finding":
                continue
            if has_lookaround(sig["pattern"]):
                continue
            for s in sig.get("samples", []):
                text = s if isinstance(s, str) else s["text"]
                text = text.replace("\r", " ").replace("\n", " ").rstrip()
                if not text.strip() or text in seen:
                    continue
                seen.add(text)
                pool.append((sig["id"], text))
    return pool


class Gen:
    """Background text: every helper returns a list of lines (no '\\n')."""

    def __init__(self, rng):
        self.r = rng
        self.year = 2021
        self.clock = 0
        self.date = None

    def name(self):
        r = self.r
        return r.choice(FIRST), r.choice(LAST)

    def guid(self):
        return "%08x-%04x-%04x-%04x-%012x" % (
            self.r.getrandbits(32), self.r.getrandbits(16),
            self.r.getrandbits(16), self.r.getrandbits(16),
            self.r.getrandbits(48))

    def size(self, lo=1 << 20, hi=8 << 30):
        b = self.r.randint(lo, hi)
        if b >= 1 << 30:
            human = "%.2f GB" % (b / (1 << 30))
        elif b >= 1 << 20:
            human = "%.1f MB" % (b / (1 << 20))
        else:
            human = "%.1f KB" % (b / 1024)
        return b, "%s (%s bytes)" % (human, format(b, ","))

    def stamp_us(self, h24=False):
        r = self.r
        self.clock += r.randint(0, 40)
        if self.clock >= 86400 or self.date is None:
            # A new day: report lines run forward in time.
            self.clock %= 86400
            month = r.randint(1, 12)
            self.date = (month, r.randint(1, MONTHS_DAYS[month - 1]))
        month, day = self.date
        sec = self.clock % 86400
        hh, mm, ss = sec // 3600, sec // 60 % 60, sec % 60
        if h24:
            return "%d/%d/%d %02d:%02d:%02d" % (month, day, self.year, hh, mm,
                                                ss)
        ampm = "AM" if hh < 12 else "PM"
        h12 = hh % 12 or 12
        return "%d/%d/%d %d:%02d:%02d %s" % (month, day, self.year, h12, mm,
                                            ss, ampm)

    def entry_run(self):
        """Report.Entries as text: `<time> [<server>] <message>` lines."""
        r = self.r
        first, last = self.name()
        dom = r.choice(DOMAINS)
        alias = (first[0] + last).lower()
        tenant = dom.split(".")[0] + ".onmicrosoft.com"
        server = r.choice(EXO_SERVERS + ONPREM)
        h24 = r.random() < 0.15
        self.date = None
        g = self.guid()
        items = r.randint(200, 60000)
        total_b, total = self.size(50 << 20, 20 << 30)
        out = []

        def e(msg):
            out.append("%s [%s] %s" % (self.stamp_us(h24), server, msg))

        e("'MigrationService (on behalf of '')' created move request.")
        e("The Microsoft Exchange Mailbox Replication service '%s.prod."
          "outlook.com' (15.20.%d.%d ServerCaps:01FFFFFF, ProxyCaps:"
          "1FFDBFFFC7FFEFFDFFDD7FFFFF, MailboxCaps:, legacyCaps:01FFFFFF) "
          "is examining the request." % (server.lower(), r.randint(1000, 7999),
                                         r.randint(1, 40)))
        e("Connected to target mailbox '%s\\%s (Primary)', database "
          "'%sDG%03d-db%03d', Mailbox server '%s.prod.outlook.com' Version "
          "15.20 (Build %d.0)." % (tenant, g, server[:4], r.randint(1, 300),
                                   r.randint(1, 999), server,
                                   r.randint(1000, 7999)))
        e("Connected to source mailbox '%s\\%s (Primary)', database "
          "'DB%02d', Mailbox server 'EXCH%02d.%s' Version 15.1 (Build "
          "2507.0), proxy server 'mail.%s' 15.1.2507.27 ServerCaps:"
          "FFFFFF, ProxyCaps:1FFFFFFFFFFFFFFFFFFFFFFFFFFFFFF, "
          "MailboxCaps:, legacyCaps:FFFFFF." % (
              tenant, g, r.randint(1, 20), r.randint(1, 9), dom, dom))
        e("Request processing started.")
        e("Source mailbox information:")
        e("Regular Items: %d, %s" % (items, total))
        e("Regular Deleted Items: %d, %s" % (r.randint(0, 4000),
                                              self.size(1 << 16, 1 << 30)[1]))
        e("Initializing folder hierarchy from mailbox '%s\\%s (Primary)': "
          "%d folders total." % (tenant, g, r.randint(20, 900)))
        e("Folder hierarchy initialized for mailbox '%s\\%s (Primary)': "
          "%d folders total." % (tenant, g, r.randint(20, 900)))
        e("Stage: CreatingInitialSyncCheckpoint. Percent complete: 15.")
        e("Initial sync checkpoint progress: 0/%d folders processed. "
          "Currently processing mailbox '%s\\%s (Primary)'." % (
              r.randint(20, 900), tenant, g))
        e("Stage: LoadingMessages. Percent complete: 20.")
        done = 0
        for _ in range(r.randint(5, 60)):
            done = min(items, done + r.randint(1, max(1, items // 8)))
            db = total_b * done // items
            e("Copy progress: %d/%d messages, %s/%s." % (
                done, items, "%.1f MB (%s bytes)" % (db / (1 << 20),
                                                    format(db, ",")), total))
            if r.random() < 0.2:
                e("Stage: %s. Percent complete: %d." % (
                    r.choice(STAGES), r.randint(20, 95)))
            if r.random() < 0.05:
                e("Request is no longer stalled and will continue.")
        e("Mailbox signature will not be preserved for mailbox '%s\\%s "
          "(Primary)'. Outlook clients will need to restart to access the "
          "moved mailbox." % (tenant, g))
        e("Final sync has happened.")
        e("Switched to target mailbox.")
        e("Request is complete.")
        if r.random() < 0.3:
            out.append("")
        return out

    def fl_object(self, width=120):
        """Get-MoveRequestStatistics | Format-List: padded labels, values
        wrapped at the console width (mid-word, as non-English cultures
        and long tokens do), continuation indented label width + 3."""
        r = self.r
        first, last = self.name()
        dom = r.choice(DOMAINS)
        alias = (first[0] + last).lower()
        _, total = self.size(50 << 20, 20 << 30)
        _, trans = self.size(50 << 20, 20 << 30)
        status = r.choice(["Completed", "InProgress", "Synced", "Queued",
                           "CompletionInProgress"])
        props = [
            ("RunspaceId", self.guid()),
            ("MailboxIdentity", "%s %s" % (first, last)),
            ("DistinguishedName", "CN=%s %s,OU=Users,OU=%s,DC=%s,DC=com" % (
                first, last, r.choice(["Berlin", "Lyon", "Oslo", "Porto"]),
                dom.split(".")[0])),
            ("DisplayName", "%s %s" % (first, last)),
            ("Alias", alias),
            ("ExchangeGuid", self.guid()),
            ("Status", status),
            ("StatusDetail", r.choice(["Completed", "CopyingMessages",
                                       "AutoSuspended", "Queued"])),
            ("SyncStage", r.choice(STAGES)),
            ("Flags", "IntraOrg, Pull, RemoteLegacy"),
            ("RequestStyle", "CrossOrg"),
            ("Direction", "Pull"),
            ("IsOffline", "False"),
            ("Protect", "False"),
            ("DoNotPreserveMailboxSignature", "False"),
            ("Priority", "Normal"),
            ("WorkloadType", "Onboarding"),
            ("Suspend", "False"),
            ("SuspendWhenReadyToComplete", str(r.random() < 0.5)),
            ("RemoteHostName", "mail.%s" % dom),
            ("BatchName", "MigrationService:Wave%02d-%s" % (
                r.randint(1, 40), dom.split(".")[0])),
            ("BadItemLimit", str(r.choice([0, 10, 50, 100]))),
            ("BadItemsEncountered", str(r.randint(0, 8))),
            ("LargeItemLimit", str(r.choice([0, 10, 40, 100]))),
            ("LargeItemsEncountered", "0"),
            ("MissingItemsEncountered", "0"),
            ("CompletionTimestamp", self.stamp_us()),
            ("OverallDuration", "%d.%02d:%02d:%02d.%07d" % (
                r.randint(0, 9), r.randint(0, 23), r.randint(0, 59),
                r.randint(0, 59), r.randint(0, 9999999))),
            ("TotalMailboxSize", total),
            ("TotalMailboxItemCount", str(r.randint(100, 90000))),
            ("BytesTransferred", trans),
            ("PercentComplete", str(r.randint(0, 100))),
            ("DataConsistencyScore", r.choice(["Perfect", "Good"])),
            ("FailureType", ""),
            ("Message", ""),
            ("Identity", "%s@%s" % (alias, dom)),
            ("IsValid", "True"),
            ("ObjectState", "New"),
        ]
        if r.random() < 0.5:
            props.append(("TargetDeliveryDomain", "%s.mail.onmicrosoft.com"
                          % dom.split(".")[0]))
        if r.random() < 0.4:
            props.append(("Report", "%s [%s] 'MigrationService (on behalf of "
                          "'')' created move request. %s [%s] Request "
                          "processing started." % (
                              self.stamp_us(), r.choice(EXO_SERVERS),
                              self.stamp_us(), r.choice(EXO_SERVERS))))
        lw = max(len(k) for k, _ in props)
        room = width - lw - 3
        out = []
        for k, v in props:
            head = k.ljust(lw) + " :"
            if not v:
                out.append(head)
                continue
            out.append(head + " " + v[:room])
            v = v[room:]
            while v:
                out.append(" " * (lw + 3) + v[:room])
                v = v[room:]
        out.append("")
        out.append("")
        return out

    def hcw_block(self):
        r = self.r
        out = []
        t = "%d.%02d.%02d %02d:%02d" % (r.randint(2017, 2024),
                                         r.randint(1, 12), r.randint(1, 28),
                                         r.randint(0, 23), r.randint(0, 59))
        page = r.choice(HCW_PAGES)
        th = r.randint(1, 40)
        for _ in range(r.randint(4, 30)):
            sec = "%02d.%03d" % (r.randint(0, 59), r.randint(0, 999))
            kind = r.random()
            cmd = r.choice(HCW_CMDLETS)
            if kind < 0.3:
                out.append("%s:%s         10276 [Client=UX, Page=%s, "
                           "Cmdlet=%s, Thread=%d] START %s -Identity '%s'"
                           % (t, sec, page, cmd, th, cmd,
                              self.guid()))
            elif kind < 0.6:
                out.append("%s:%s         10277 [Client=UX, Page=%s, "
                           "Cmdlet=%s, Thread=%d] FINISH Time=%d.%dms "
                           "Results=PASSED (%d objects)" % (
                               t, sec, page, cmd, th, r.randint(1, 9000),
                               r.randint(0, 9), r.randint(0, 40)))
            elif kind < 0.75:
                out.append("%s:%s         10179 [Client=UX, HTTP GET=https://"
                           "outlook.office365.com/, Thread=%d] Request for "
                           "https://outlook.office365.com/ does NOT go thru "
                           "proxy" % (t, sec, th))
            elif kind < 0.9:
                out.append("%s:%s         10271 [Client=UX, Page=%s, "
                           "fn=RunWorkflow, Workflow=Hybrid, Task=%s, "
                           "Phase=%s, Thread=%d] FINISH Time=%d.0ms "
                           "Results=PASSED (Configuration Complete)" % (
                               t, sec, page,
                               r.choice(["Initial", "Tenant", "OnPremises"]),
                               r.choice(["Check", "Configure", "Verify"]),
                               th, r.randint(1, 400)))
            else:
                out.append("%s:%s WARNING 10025 [Client=UX, Page=%s, "
                           "Thread=%d] Tenant has %d accepted domains; "
                           "using %s" % (t, sec, page, th,
                                         r.randint(1, 30), r.choice(DOMAINS)))
        return out

    def sync_event(self):
        r = self.r
        ev = r.choice([
            (904, "Directory Synchronization", "Password Hash Sync "
             "cycle completed for domain %s. %d password changes were "
             "synchronized." % (r.choice(DOMAINS), r.randint(0, 50))),
            (656, "Directory Synchronization", "Password Change Request - "
             "Anchor : %s, Dn : CN=%s %s,OU=Users,DC=contoso,DC=com, Change "
             "Date : %s" % (self.guid(), *self.name(), self.stamp_us())),
            (6946, "ADSync", "Scheduler: the sync cycle Delta completed "
             "in %d seconds with %d exports." % (r.randint(10, 900),
                                                 r.randint(0, 400))),
            (4, "Directory Synchronization", "The export run on the "
             "management agent \"%s - AAD\" finished: %d adds, %d updates, "
             "0 deletes." % (r.choice(DOMAINS), r.randint(0, 50),
                             r.randint(0, 500))),
        ])
        out = ["Log Name:      Application",
               "Source:        %s" % ev[1],
               "Date:          %s" % self.stamp_us(),
               "Event ID:      %d" % ev[0],
               "Task Category: None",
               "Level:         Information",
               "Keywords:      Classic",
               "User:          N/A",
               "Computer:      aadc%02d.%s" % (r.randint(1, 4),
                                              r.choice(DOMAINS)),
               "Description:",
               ev[2],
               ""]
        return out

    def unit(self):
        x = self.r.random()
        if x < 0.55:
            return self.entry_run()
        if x < 0.75:
            return self.fl_object(self.r.choice([80, 120, 120, 160]))
        if x < 0.92:
            return self.hcw_block()
        return self.sync_event()


IIS_AGENTS = [
    "MSExchangeMailboxReplication",
    "Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.13801;"
    "+Pro)",
    "Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.14326;"
    "+Pro)",
    "Apple-iPhone14C5/1905.258",
    "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+"
    "(KHTML,+like+Gecko)+Chrome/90.0.4430.93+Safari/537.36",
    "AutodiscoverClient",
]
# Exchange event sources and ids of healthy, informational events; the
# descriptions are background text only (no signature or kb/names event
# knows these pairs).
EXCHANGE_EVENTS = [
    ("MSExchange ADAccess", 2080, "Topology",
     "Process MSExchangeMailboxReplication.exe (PID=%d). Exchange Active "
     "Directory Provider has discovered the following servers with the "
     "following characteristics:"),
    ("MSExchange Mailbox Replication", 1006, "Service",
     "The Mailbox Replication service is processing move requests on "
     "database DB%02d."),
    ("MSExchangeIS", 1001, "General",
     "Store worker process %d started for database DB%02d."),
    ("MSExchangeFastSearch", 1009, "General",
     "The indexing of mailbox database DB%02d resumed."),
]


class HealthyGen(Gen):
    """The healthy shape: what most of a server's log volume looks like.
    Every helper returns a list of lines (no '\\n')."""

    def __init__(self, rng):
        super().__init__(rng)
        self.day = (3, 29)
        self.sec = 0

    def iso_time(self):
        self.sec = (self.sec + self.r.randint(0, 2)) % 86400
        return "%d-%02d-%02d %02d:%02d:%02d" % (
            self.year, self.day[0], self.day[1], self.sec // 3600,
            self.sec // 60 % 60, self.sec % 60)

    def iis_run(self):
        """An IIS W3C log of an Exchange front end (inetpub\\logs\\LogFiles
        \\W3SVC1): the header IIS writes when a log file starts, then
        requests in the default field order."""
        r = self.r
        self.day = (r.randint(1, 12), r.randint(1, 28))
        self.sec = r.randint(0, 3600)
        sip = "10.0.%d.%d" % (r.randint(0, 9), r.randint(2, 250))
        dom = r.choice(DOMAINS)
        netbios = dom.split(".")[0].upper()
        out = ["#Software: Microsoft Internet Information Services 10.0",
               "#Version: 1.0",
               "#Date: %s" % self.iso_time(),
               "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query "
               "s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status "
               "sc-substatus sc-win32-status time-taken"]
        for _ in range(r.randint(200, 2000)):
            first, last = self.name()
            alias = (first[0] + last).lower()
            kind = r.random()
            cafe = "&CorrelationID=<empty>;&cafeReqId=%s;" % self.guid()
            user = "%s@%s" % (alias, dom)
            status, sub, win32 = 200, 0, 0
            if kind < 0.35:
                method, stem = "POST", "/EWS/mrsproxy.svc"
                query = cafe
                user = "%s\\svc-migration" % netbios
                agent = IIS_AGENTS[0]
            elif kind < 0.55:
                method, stem = "POST", "/autodiscover/autodiscover.xml"
                query = cafe
                agent = r.choice(IIS_AGENTS[1:3] + IIS_AGENTS[5:])
            elif kind < 0.8:
                method, stem = "POST", "/mapi/emsmdb/"
                query = "mailboxId=%s@%s%s" % (self.guid(), dom, cafe)
                agent = r.choice(IIS_AGENTS[1:3])
            elif kind < 0.9:
                method = "POST"
                stem = "/Microsoft-Server-ActiveSync/default.eas"
                query = "Cmd=Ping&User=%s&DeviceId=%s&DeviceType=iPhone%s" % (
                    alias, self.guid().replace("-", "")[:20].upper(), cafe)
                agent = IIS_AGENTS[3]
            else:
                method, stem = "GET", "/owa/"
                query = cafe
                agent = IIS_AGENTS[4]
            if r.random() < 0.05:
                # The first leg of NTLM/Negotiate: a 401 every client
                # gets before it authenticates, not a failure.
                status, sub, win32, user = 401, 1, 2148074254, "-"
            out.append("%s %s %s %s %s 443 %s %s.%d.%d.%d %s - %d %d %d %d" % (
                self.iso_time(), sip, method, stem, query, user,
                r.choice(["40.107", "52.96", "10.0"]), r.randint(0, 255),
                r.randint(0, 255), r.randint(1, 254), agent, status, sub,
                win32, r.randint(0, 900)))
        return out

    def event_run(self):
        """Application log events as Event Viewer's "Copy details as
        text" writes them (FORMATS.md section 7), Exchange sources."""
        r = self.r
        out = []
        for _ in range(r.randint(5, 40)):
            src, eid, cat, text = r.choice(EXCHANGE_EVENTS)
            args = tuple(r.randint(1000, 9000) if "%d" in text[:40] else
                         r.randint(1, 40) for _ in range(text.count("%")))
            out += ["Log Name:      Application",
                    "Source:        %s" % src,
                    "Date:          %s" % self.stamp_us(),
                    "Event ID:      %d" % eid,
                    "Task Category: %s" % cat,
                    "Level:         Information",
                    "Keywords:      Classic",
                    "User:          N/A",
                    "Computer:      EX%02d.%s" % (r.randint(1, 8),
                                                  r.choice(DOMAINS)),
                    "Description:",
                    text % args,
                    ""]
        return out

    def progress_run(self):
        """A long stretch of a move report: copy progress and stage
        entries (FORMATS.md section 3)."""
        r = self.r
        server = r.choice(EXO_SERVERS + ONPREM)
        h24 = r.random() < 0.15
        self.date = None
        items = r.randint(2000, 90000)
        total_b, total = self.size(1 << 30, 50 << 30)
        folders = r.randint(20, 900)
        out = []
        done = 0
        for i in range(r.randint(50, 600)):
            done = min(items, done + r.randint(1, max(1, items // 400)))
            db = total_b * done // items
            msg = "Copy progress: %d/%d messages, %s/%s, %d/%d folders " \
                  "completed." % (done, items, "%.1f MB (%s bytes)" % (
                      db / (1 << 20), format(db, ",")), total,
                      folders * done // items, folders)
            if r.random() < 0.03:
                msg = "Stage: %s. Percent complete: %d." % (
                    r.choice(STAGES), 20 + 75 * done // items)
            out.append("%s [%s] %s" % (self.stamp_us(h24), server, msg))
        return out

    def unit(self):
        x = self.r.random()
        if x < 0.6:
            return self.iis_run()
        if x < 0.75:
            return self.event_run()
        return self.progress_run()


def injected(rng, pool):
    """One error line of the pool, uniformly."""
    return pool[rng.randrange(len(pool))]


def build_chunk(gen, target):
    """A list of units (each a list of lines), about target bytes."""
    units, size = [], 0
    while size < target:
        u = gen.unit()
        units.append(u)
        size += sum(len(x) + 1 for x in u)
    return units


def emit_units(units, rng, pool, rate, counts):
    """Joins units, putting error lines at unit boundaries at the rate."""
    parts = []
    for u in units:
        parts.append("\n".join(u))
        parts.append("\n")
        n = len(u)
        # As many error lines as the rate gives for this unit's lines.
        exp = n * rate
        k = int(exp)
        if rng.random() < exp - k:
            k += 1
        for _ in range(k):
            sid, text = injected(rng, pool)
            counts[text] = counts.get(text, 0) + 1
            # An indented line (a PowerShell error record) after a blank
            # line, so no splitter takes it for a continuation.
            if text[:1].isspace():
                parts.append("\n")
            parts.append(text)
            parts.append("\n")
    return "".join(parts).encode("utf-8")


def write_big(path, size, rng, pool, rate, counts, gen_class=None):
    """Writes size bytes (cut at a line end) from a few distinct chunks of
    background, shuffled, with error lines injected afresh each time."""
    gen = (gen_class or Gen)(rng)
    chunks = [build_chunk(gen, 1 << 20) for _ in range(24)]
    written = 0
    lines = 0
    with open(path, "wb") as f:
        while written < size:
            units = chunks[rng.randrange(len(chunks))]
            # A shifted view so that repeated chunks do not line up.
            s = rng.randrange(len(units))
            block = emit_units(units[s:] + units[:s], rng, pool, rate, counts)
            if written + len(block) > size:
                cut = block.rfind(b"\n", 0, size - written)
                block = block[:cut + 1] if cut >= 0 else b""
                if not block:
                    break
                # Counts of the cut part are recounted below.
            f.write(block)
            written += len(block)
            lines += block.count(b"\n")
    return written, lines


def recount(path, pool_texts):
    """Injected lines actually present (the last block may have been cut)."""
    want = {t.encode("utf-8") for t in pool_texts}
    counts = {}
    with open(path, "rb") as f:
        for line in f:
            line = line.rstrip(b"\n")
            if line in want:
                t = line.decode("utf-8")
                counts[t] = counts.get(t, 0) + 1
    return counts


def make_gz(src, dst):
    with open(src, "rb") as f, open(dst, "wb") as raw:
        with gzip.GzipFile(filename=os.path.basename(src), mode="wb",
                           fileobj=raw, compresslevel=6, mtime=0) as g:
            while True:
                b = f.read(16 << 20)
                if not b:
                    break
                g.write(b)
    return dst


def make_zip(src, dst):
    zi = zipfile.ZipInfo("logs/" + os.path.basename(src),
                         date_time=(2021, 3, 29, 15, 32, 26))
    zi.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(dst, "w", compresslevel=6) as z:
        with open(src, "rb") as f, z.open(zi, "w", force_zip64=True) as w:
            while True:
                b = f.read(16 << 20)
                if not b:
                    break
                w.write(b)
    return dst


def make_targz(src, dst):
    with open(dst, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                           compresslevel=6, mtime=0) as g:
            with tarfile.open(fileobj=g, mode="w",
                              format=tarfile.PAX_FORMAT) as t:
                ti = t.gettarinfo(src, arcname="logs/" +
                                  os.path.basename(src))
                ti.mtime = 1617032000
                ti.uid = ti.gid = 0
                ti.uname = ti.gname = "root"
                ti.mode = 0o644
                with open(src, "rb") as f:
                    t.addfile(ti, f)
    return dst


def write_reports(folder, n, rng, pool, rate, counts):
    gen = Gen(rng)
    total = 0
    for i in range(n):
        sub = os.path.join(folder, "batch%03d" % (i // 100))
        if i % 100 == 0:
            os.makedirs(sub, exist_ok=True)
        units = [gen.fl_object(rng.choice([80, 120])), gen.entry_run()]
        data = emit_units(units, rng, pool, rate, counts)
        with open(os.path.join(sub, "report%05d.txt" % i), "wb") as f:
            f.write(data)
        total += len(data)
    return total


def main_healthy(a, pool, rng, t0):
    """--shape healthy: healthy.log (and .gz), manifest-healthy.json."""
    path = os.path.join(a.out, "healthy.log")
    counts = {}
    size, lines = write_big(path, a.size, rng, pool, a.error_rate, counts,
                            HealthyGen)
    counts = recount(path, [t for _, t in pool])
    print("gen.py: healthy.log %d bytes, %d lines, %d error lines (%.1fs)"
          % (size, lines, sum(counts.values()), time.time() - t0),
          flush=True)
    if not a.no_archives:
        print("gen.py: wrote %s" % make_gz(path, path + ".gz"), flush=True)
    manifest = {
        "shape": "healthy", "seed": a.seed, "size": size, "lines": lines,
        "error_rate": a.error_rate,
        "error_lines": sum(counts.values()),
        "distinct_error_lines": len(counts), "pool": len(pool),
    }
    with open(os.path.join(a.out, "manifest-healthy.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print("gen.py: done in %.1fs" % (time.time() - t0))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=parse_size, default=parse_size("1G"),
                    help="size of big.log (64M, 256M, 1G; default 1G)")
    ap.add_argument("--reports", type=int, default=10000,
                    help="small reports in reports/ (default 10000)")
    ap.add_argument("--shape", choices=("mixed", "healthy"), default="mixed",
                    help="mixed: migration evidence (big.log, archives, "
                    "reports/); healthy: long healthy IIS, event and "
                    "progress runs (healthy.log)")
    ap.add_argument("--error-rate", type=float, default=None,
                    help="share of lines that are error lines (mixed "
                    "0.001, healthy 0.0001)")
    ap.add_argument("--seed", type=int, default=20210329)
    ap.add_argument("--out", default=os.path.join(HERE, "data"))
    ap.add_argument("--patterns", default=os.path.join(ROOT, "patterns"))
    ap.add_argument("--no-archives", action="store_true",
                    help="skip .gz, .zip and .tar.gz")
    a = ap.parse_args()

    t0 = time.time()
    os.makedirs(a.out, exist_ok=True)
    pool = load_pool(a.patterns)
    if not pool:
        sys.exit("gen.py: no samples found in " + a.patterns)
    if a.error_rate is None:
        a.error_rate = 0.001 if a.shape == "mixed" else 0.0001
    rng = random.Random(a.seed)
    if a.shape == "healthy":
        return main_healthy(a, pool, rng, t0)
    big = os.path.join(a.out, "big.log")
    counts = {}
    size, lines = write_big(big, a.size, rng, pool, a.error_rate, counts)
    counts = recount(big, [t for _, t in pool])
    print("gen.py: big.log %d bytes, %d lines, %d error lines (%.1fs)" % (
        size, lines, sum(counts.values()), time.time() - t0), flush=True)

    with open(os.path.join(a.out, "pool.txt"), "w", encoding="utf-8",
              newline="\n") as f:
        for _, t in pool:
            f.write(t + "\n")

    rep_dir = os.path.join(a.out, "reports")
    if os.path.isdir(rep_dir):
        for dirpath, _, files in os.walk(rep_dir, topdown=False):
            for fn in files:
                os.unlink(os.path.join(dirpath, fn))
            os.rmdir(dirpath)
    rep_counts = {}
    rep_bytes = write_reports(rep_dir, a.reports, random.Random(a.seed + 1),
                              pool, a.error_rate, rep_counts)
    print("gen.py: reports/ %d files, %d bytes, %d error lines" % (
        a.reports, rep_bytes, sum(rep_counts.values())), flush=True)

    if not a.no_archives:
        jobs = [(make_gz, big, big + ".gz"),
                (make_zip, big, os.path.join(a.out, "big.zip")),
                (make_targz, big, os.path.join(a.out, "big.tar.gz"))]
        workers = min(len(jobs), os.cpu_count() or 1)
        with concurrent.futures.ProcessPoolExecutor(workers) as ex:
            futs = [ex.submit(fn, s, d) for fn, s, d in jobs]
            for fu in futs:
                print("gen.py: wrote %s" % fu.result(), flush=True)

    manifest = {
        "seed": a.seed, "size": size, "lines": lines,
        "error_rate": a.error_rate,
        "error_lines": sum(counts.values()),
        "distinct_error_lines": len(counts),
        "reports": a.reports, "reports_bytes": rep_bytes,
        "reports_error_lines": sum(rep_counts.values()),
        "pool": len(pool),
    }
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print("gen.py: done in %.1fs" % (time.time() - t0))


if __name__ == "__main__":
    main()
