/* mailboxes.h: every mailbox the inputs talk about, with the status and
 * batch their reports give, whether or not anything went wrong with it, so
 * a bulk run can say which mailboxes are fine and which are blocked. */
#ifndef MT_MAILBOXES_H
#define MT_MAILBOXES_H

#include <stddef.h>
#include <stdint.h>

#include "strindex.h"

struct mt_mailbox {
    char *name;
    /* Status / StatusDetail as the report says, or NULL, and the batch:
     * interned (a batch of 100,000 mailboxes has a handful of values). */
    const char *status;
    const char *batch;
    const char *error; /* first error-like line no signature knows, or NULL */
    int worst;    /* worst severity of its findings, -1 = none */
    uint64_t findings;
    uint64_t seq; /* order of first mention */
};

struct mt_mailboxes {
    struct mt_mailbox *items;
    size_t n;
    size_t alloc;
    size_t *table; /* open addressing: index + 1 */
    size_t table_size;
    size_t max;    /* bound; further mailboxes are counted only */
    uint64_t overflow;
    /* The distinct status and batch values, owned. */
    char **values;
    size_t nvalues;
    size_t alloc_values;
    struct mt_strindex value_index;
};

void mt_mailboxes_init(struct mt_mailboxes *m, size_t max);
/* Finds or adds name; NULL when the bound is reached or out of memory. */
struct mt_mailbox *mt_mailboxes_get(struct mt_mailboxes *m, const char *name);
/* Index of the mailbox called name (exactly), or -1. */
long mt_mailboxes_find(const struct mt_mailboxes *m, const char *name);
/* Notes that an object of a report is about mailbox name, with the status,
 * status detail and batch it gives (each may be NULL: the previous value
 * stays) and an unrecognised error line (NULL, or kept if the first).
 * Returns the mailbox, or NULL as mt_mailboxes_get(). */
struct mt_mailbox *mt_mailboxes_register(struct mt_mailboxes *m,
                                         const char *name, const char *status,
                                         const char *detail,
                                         const char *batch,
                                         const char *error);
/* Indices sorted by name. */
size_t *mt_mailboxes_sorted(const struct mt_mailboxes *m);
void mt_mailboxes_free(struct mt_mailboxes *m);

/* The registrations of one input, kept by a worker of a parallel scan and
 * replayed into the engine's registry in input order. Registering the
 * same values for a mailbox again changes nothing, so a repeat of the
 * mailbox's previous registration is only counted: the log grows with the
 * changes, not with the findings. */
struct mt_mailbox_op {
    char *name;
    char *status;
    char *detail;
    char *batch;
    char *error;
    uint64_t calls;    /* registrations this op stands for */
    uint64_t findings; /* of them, the ones made for a finding */
    int worst;         /* worst severity of those findings, -1 = none */
};

struct mt_mailbox_log {
    struct mt_mailbox_op *ops;
    size_t n;
    size_t alloc;
    struct mt_mailboxes names; /* mailboxes seen; seq indexes last */
    size_t *last;              /* per name: its latest op */
    size_t alloc_last;
    int overflow; /* more names than the bound: the log is incomplete */
};

void mt_mailbox_log_init(struct mt_mailbox_log *l, size_t max);
/* Logs one registration; severity is the finding's, or -1 for none.
 * Returns 0, or -1 when out of memory. */
int mt_mailbox_log_add(struct mt_mailbox_log *l, const char *name,
                       const char *status, const char *detail,
                       const char *batch, const char *error, int severity);
/* Applies the log to m as if its registrations were made there. Returns
 * 0, or -1 when out of memory. */
int mt_mailbox_log_replay(const struct mt_mailbox_log *l,
                          struct mt_mailboxes *m);
void mt_mailbox_log_free(struct mt_mailbox_log *l);

#endif
