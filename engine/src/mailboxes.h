/* mailboxes.h: every mailbox the inputs talk about, with the status and
 * batch their reports give, whether or not anything went wrong with it, so
 * a bulk run can say which mailboxes are fine and which are blocked. */
#ifndef MT_MAILBOXES_H
#define MT_MAILBOXES_H

#include <stddef.h>
#include <stdint.h>

struct mt_mailbox {
    char *name;
    char *status; /* Status / StatusDetail as the report says, or NULL */
    char *batch;
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
};

void mt_mailboxes_init(struct mt_mailboxes *m, size_t max);
/* Finds or adds name; NULL when the bound is reached or out of memory. */
struct mt_mailbox *mt_mailboxes_get(struct mt_mailboxes *m, const char *name);
/* Replaces *slot with a copy of value (NULL leaves it). */
void mt_mailboxes_set(char **slot, const char *value);
/* Indices sorted by name. */
size_t *mt_mailboxes_sorted(const struct mt_mailboxes *m);
void mt_mailboxes_free(struct mt_mailboxes *m);

#endif
