#!/usr/bin/env python3
"""Writes a corpus of healthy migration logs (no problem in them) for the
false-alarm test: move reports (Format-List objects and report entries),
IIS W3C logs of EWS/MRS Proxy and Autodiscover (200 and 302 only), Hybrid
Configuration Wizard INFO lines, and Entra (AAD) Connect successful run
events. Shapes follow ../../../shared/FORMATS.md (sections 2, 3, 6, 7);
values are made up and seeded, so the corpus is the same on every run.
The Information-level event descriptions (904, 656) are placeholders in
the documented event layout, not quoted from a source.

Usage: gen_healthy.py OUTDIR [LINES]   (LINES default 120000, >= 100000)
"""
import os
import random
import sys

out = sys.argv[1]
target = int(sys.argv[2]) if len(sys.argv) > 2 else 120000
rnd = random.Random(8)
servers = ["BL2PRD0410CA012", "CY4PR19MB0056", "MWHPR14MB1245", "EXCH",
           "AM6PR04MB4230"]
users = ["jdoe", "asmith", "bwong", "cjones", "dlee", "emartin", "fgarcia"]
stages = ["LoadingMessages", "CopyingMessages", "IncrementalSync",
          "FinalIncrementalSync", "Completion"]


def stamp():
    return "%d/%d/20%02d %d:%02d:%02d %s" % (
        rnd.randint(1, 12), rnd.randint(1, 28), rnd.randint(17, 24),
        rnd.randint(1, 12), rnd.randint(0, 59), rnd.randint(0, 59),
        rnd.choice(["AM", "PM"]))


def move_report(lines):
    user = rnd.choice(users)
    srv = rnd.choice(servers)
    total = rnd.randint(500, 90000)
    fl = [
        "RunspaceId                 : %08x-1c2d-4e5f-8a9b-0c1d2e3f4a5b" % rnd.getrandbits(32),
        "Identity                   : %s" % user,
        "DisplayName                : %s" % user.title(),
        "Status                     : %s" % rnd.choice(["InProgress", "Completed", "Queued", "AutoSuspended"]),
        "StatusDetail               : %s" % rnd.choice(["CopyingMessages", "Completed", "AutoSuspended", "Queued"]),
        "BatchName                  : MigrationService:Wave%d" % rnd.randint(1, 9),
        "RequestStyle               : CrossOrg",
        "Direction                  : Pull",
        "BadItemLimit               : 10",
        "BadItemsEncountered        : 0",
        "LargeItemLimit             : 0",
        "LargeItemsEncountered      : 0",
        "MissingItemsEncountered    : 0",
        "DataConsistencyScore       : %s" % rnd.choice(["Perfect", "Good"]),
        "FailureType                :",
        "FailureSide                :",
        "Message                    :",
        "PercentComplete            : %d" % rnd.randint(0, 100),
        "TotalMailboxSize           : 1.2 GB (1,288,490,189 bytes)",
        "TotalMailboxItemCount      : %d" % total,
        "ItemsTransferred           : %d" % rnd.randint(0, total),
        "",
    ]
    lines.extend(fl)
    t = stamp()
    entries = [
        "'MigrationService (on behalf of '')' created move request.",
        "The Microsoft Exchange Mailbox Replication service '%s.prod.outlook.com' (15.20.1878.22 ServerCaps:01FFFFFF, ProxyCaps:1FFDC7FD6FFFBFFFFFCB07FFFF, MailboxCaps:, legacyCaps:01FFFFFF) is examining the request." % srv,
        "Connected to target mailbox 'contoso.onmicrosoft.com\\%08x-7c3a-4f85-9e61-b0a7d2c5f834 (Primary)', database 'NAMPR19DG%03d-db%03d', Mailbox server '%s.namprd19.prod.outlook.com' Version 15.20 (Build 1878.0)." % (rnd.getrandbits(32), rnd.randint(1, 999), rnd.randint(1, 999), srv),
        "Request processing started.",
        "Initializing move.",
        "Stage: LoadingMessages. Percent complete: 10.",
        "Copying messages is complete. Copying rules and security descriptors.",
        "Request processing continued, stage LoadingMessages.",
        "Mailbox signature will not be preserved for mailbox 'Primary'. Outlook clients will need to restart after migration is completed.",
    ]
    for e in entries:
        lines.append("%s [%s] %s" % (t, srv, e))
    done = 0
    for _ in range(rnd.randint(5, 40)):
        done = min(total, done + rnd.randint(1, 2000))
        lines.append("%s [%s] Copy progress: %d/%d messages, %.1f MB (%s bytes)/%.1f MB (%s bytes), %d/%d folders completed." % (
            t, srv, done, total, done / 10.0, format(done * 100000, ","), total / 10.0,
            format(total * 100000, ","), rnd.randint(0, 40), 40))
        lines.append("%s [%s] Stage: %s. Percent complete: %d." % (t, srv, rnd.choice(stages), rnd.randint(0, 100)))
    lines.append("%s [%s] Request is complete." % (t, srv))
    lines.append("")


def iis(lines):
    lines.append("#Software: Microsoft Internet Information Services 10.0")
    lines.append("#Version: 1.0")
    lines.append("#Date: 2024-01-31 20:00:00")
    lines.append("#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken")
    for _ in range(400):
        uri, status = rnd.choice([
            ("/EWS/mrsproxy.svc", 200), ("/EWS/Exchange.asmx", 200),
            ("/Autodiscover/Autodiscover.xml", 200), ("/owa/", 302),
            ("/ecp/", 302), ("/Microsoft-Server-ActiveSync", 200)])
        lines.append("2024-01-31 20:%02d:%02d 10.0.0.%d POST %s &RequestId=%08x 443 CONTOSO\\svc-mig 40.107.%d.%d Microsoft+Office/16.0 - %d 0 0 %d" % (
            rnd.randint(0, 59), rnd.randint(0, 59), rnd.randint(2, 250), uri,
            rnd.getrandbits(32), rnd.randint(0, 255), rnd.randint(0, 255), status,
            rnd.randint(15, 900)))


def hcw(lines):
    for _ in range(300):
        lines.append(rnd.choice([
            "2024.01.31 20:44:19.769         10271 [Client=UX, Page=Configuring, fn=RunWorkflow, Workflow=Hybrid, Task=Initial, Phase=Configure, Thread=10] FINISH Time=2.0ms Results=PASSED (Configuration Complete)",
            "2020.05.29 20:37:37.469         10179 [Client=UX, HTTP GET=https://outlook.office365.com/, Thread=7] Request for https://outlook.office365.com/ does NOT go thru proxy",
            "2024.01.31 20:41:02.114         10276 [Client=UX, Activity=Domain Ownership, Session=OnPremises, Cmdlet=Get-AcceptedDomain, Thread=9] START Get-AcceptedDomain",
            "2024.01.31 20:41:02.301         10277 [Client=UX, Activity=Domain Ownership, Session=OnPremises, Cmdlet=Get-AcceptedDomain, Thread=9] FINISH Time=187.0ms Results=PASSED",
            "2024.01.31 20:42:10.550         10270 [Client=UX, Session=Tenant, Cmdlet=Get-OrganizationConfig, Thread=12] START Get-OrganizationConfig",
        ]))


def aadc(lines):
    for _ in range(60):
        lines.extend([
            "Log Name:      Application",
            "Source:        ADSync",
            "Date:          8/10/2020 11:%02d:39 AM" % rnd.randint(0, 59),
            "Event ID:      904",
            "Task Category: None",
            "Level:         Information",
            "Keywords:      Classic",
            "User:          N/A",
            "Computer:      AADC01.contoso.com",
            "Description:   Scheduler::SchedulerThreadMain : Completed configured scheduler operations.",
            "",
            "Log Name:      Application",
            "Source:        Directory Synchronization",
            "Date:          8/10/2020 11:%02d:39 AM" % rnd.randint(0, 59),
            "Event ID:      656",
            "Task Category: None",
            "Level:         Information",
            "Keywords:      Classic",
            "User:          N/A",
            "Computer:      AADC01.contoso.com",
            "Description:   Password synchronization finished for a batch of %d changes." % rnd.randint(1, 40),
            "",
        ])
        lines.append("The management agent \"contoso.com\" completed run profile \"Delta Import\" with a result of \"success\".")
        lines.append("")


lines = []
while len(lines) < target:
    kind = rnd.random()
    if kind < 0.7:
        move_report(lines)
    elif kind < 0.85:
        iis(lines)
    elif kind < 0.95:
        hcw(lines)
    else:
        aadc(lines)
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "healthy.log"), "w", newline="\r\n") as f:
    f.write("\n".join(lines) + "\n")
print("%d lines" % len(lines))
