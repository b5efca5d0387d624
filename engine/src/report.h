/* report.h: what every report format shows, computed once: the mailboxes
 * (each one identity, whatever names the inputs gave it), the problems
 * ranked fix-first, the findings the filters keep, the batch status
 * counts and the failed mailboxes no known problem explains. The emitters
 * only lay this out. */
#ifndef MT_REPORT_H
#define MT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "fields.h"

struct mt_engine;

/* Severity weights of the fix-first score (README "Fix-first ranking"). */
#define MT_WEIGHT_INFO 1
#define MT_WEIGHT_WARNING 4
#define MT_WEIGHT_ERROR 25
#define MT_WEIGHT_CRITICAL 100

#define MT_NONE ((size_t)-1)

/* Report filters (mt_engine_add_filter). */
struct mt_filters {
    int min_severity; /* -1: none */
    char **mailboxes;
    size_t nmailboxes;
    char **articles; /* globs */
    size_t narticles;
    char **families;
    size_t nfamilies;
};

void mt_filters_free(struct mt_filters *f);
int mt_filters_active(const struct mt_filters *f);

/* One mailbox: every name linked to it (identity.h). */
struct mt_person {
    const char *name;   /* canonical: primary address if known */
    int name_kind;      /* enum mt_name_kind of name */
    const char *status; /* as its first report with a status gives it */
    const char *batch;
    const char *error;  /* first unrecognised error line, or NULL */
    uint64_t seq;       /* first mention */
    size_t first_name, nnames; /* its names in report.names */
    int selected;       /* passes --mailbox (1 when no such filter) */
    int has_specific;   /* has a finding of a non-fallback signature */
    uint64_t all_findings; /* before filters */
    int worst;          /* of the findings shown; -1 = none */
    uint64_t findings;  /* shown */
};

struct mt_problem {
    int article;     /* kb index, or -1 - signature index without one */
    size_t from, to; /* its groups: report.groups[from..to) */
    int worst;
    uint64_t count;
    size_t mailboxes;
    uint64_t score;
    int generic; /* only catch-all signatures: after specific ones */
    size_t rank; /* 1 = fix first */
};

struct mt_report {
    struct mt_engine *e;
    struct mt_person *people;
    size_t npeople;
    size_t *people_by_name; /* indices sorted by canonical name */
    const char **names;     /* every person's names, grouped by person */
    size_t nnames;
    size_t *group_person;   /* per aggregate group: person, or MT_NONE */
    size_t *problem_of;     /* per aggregate group: problem, or MT_NONE */
    size_t *groups;         /* groups shown, in problem rank order */
    size_t ngroups;
    struct mt_problem *problems; /* in rank order */
    size_t nproblems;
    uint64_t findings; /* occurrences shown */
    int filtered;
    /* Context values (server, domain, batch ...) that every finding shown
     * that names them agrees on: they fill a placeholder of a finding
     * that lacks them. mailbox only when the report has one mailbox. */
    struct mt_fields shared;
};

/* Builds the report model; NULL when out of memory. */
struct mt_report *mt_report_build(struct mt_engine *e);
void mt_report_free(struct mt_report *r);

int mt_severity_weight(int severity);
/* The mailbox of group g as the report names it (canonical), or NULL. */
const char *mt_report_group_mailbox(const struct mt_report *r, size_t g);
/* "Failed" from "Failed (FailedOther)": the status word, in buf. */
const char *mt_status_word(const char *status, char *buf, size_t size);
/* 1 when the person failed and nothing known explains it. */
int mt_person_failed_unexplained(const struct mt_person *p);
/* How many mailboxes the report shows (all, or those --mailbox names). */
size_t mt_report_people_shown(const struct mt_report *r);
/* The next mailbox shown, in name order from *i (start at 0), that failed
 * with nothing known to explain it; NULL after the last. */
const struct mt_person *mt_report_next_unexplained(const struct mt_report *r,
                                                   size_t *i);

/* Batch status counts over the selected mailboxes. */
struct mt_status_count {
    char word[48]; /* Completed, Failed, InProgress, ... or Unknown */
    size_t count;
};

struct mt_batch_status {
    const char *batch; /* NULL: mailboxes without a batch */
    size_t mailboxes;
    struct mt_status_count statuses[16];
    size_t nstatuses;
    size_t other; /* statuses past the 16 kept */
};
/* Returns an array of batches sorted by name (no batch last) in *n, or
 * NULL when there is nothing to say (no status and no batch at all). */
struct mt_batch_status *mt_report_batches(const struct mt_report *r,
                                          size_t *n);

/* A command template filled for one finding group: {mailbox} with the
 * mailbox's canonical name, other placeholders from the group's fields
 * and context, values quoted for PowerShell (emit_common.c). */
struct mt_buf;
struct mt_strlist;
char *mt_report_fill(const struct mt_report *r, size_t g, const char *tmpl,
                     struct mt_buf *visible);
/* Every template of list filled for group g, each followed by end and
 * separated by sep (mt_fill_lines). */
char *mt_report_fill_lines(const struct mt_report *r, size_t g,
                           const struct mt_strlist *list, const char *sep,
                           const char *end, struct mt_buf *visible);

#endif
