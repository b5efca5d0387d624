/* mailboxes.c: the mailbox registry, a hash table keyed by name. */
#include "mailboxes.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void mt_mailboxes_init(struct mt_mailboxes *m, size_t max)
{
    memset(m, 0, sizeof(*m));
    m->max = max;
}

static unsigned long long key_of(const char *name)
{
    return mt_hash(name, strlen(name), MT_HASH_SEED);
}

static int rehash(struct mt_mailboxes *m)
{
    size_t size = m->table_size ? m->table_size * 2 : 32, i;
    size_t *t = mt_calloc(size, sizeof(*t));

    if (t == NULL) {
        return -1;
    }
    for (i = 0; i < m->n; i++) {
        size_t j = (size_t)key_of(m->items[i].name) & (size - 1);
        while (t[j] != 0) {
            j = (j + 1) & (size - 1);
        }
        t[j] = i + 1;
    }
    mt_free(m->table);
    m->table = t;
    m->table_size = size;
    return 0;
}

struct mt_mailbox *mt_mailboxes_get(struct mt_mailboxes *m, const char *name)
{
    struct mt_mailbox *mb;
    size_t j;

    if ((m->n + 1) * 2 > m->table_size && rehash(m) != 0) {
        return NULL;
    }
    for (j = (size_t)key_of(name) & (m->table_size - 1); m->table[j] != 0;
         j = (j + 1) & (m->table_size - 1)) {
        if (strcmp(m->items[m->table[j] - 1].name, name) == 0) {
            return &m->items[m->table[j] - 1];
        }
    }
    if (m->max && m->n >= m->max) {
        m->overflow++;
        return NULL;
    }
    if (m->n == m->alloc) {
        size_t na = m->alloc ? m->alloc * 2 : 8;
        struct mt_mailbox *grown = mt_realloc(m->items, na * sizeof(*grown));
        if (grown == NULL) {
            return NULL;
        }
        m->items = grown;
        m->alloc = na;
    }
    mb = &m->items[m->n];
    memset(mb, 0, sizeof(*mb));
    mb->name = mt_strdup(name);
    if (mb->name == NULL) {
        return NULL;
    }
    mb->worst = -1;
    mb->seq = m->n;
    m->table[j] = ++m->n;
    return mb;
}

/* The registry's one copy of value, or NULL when out of memory. */
static const char *intern(struct mt_mailboxes *m, const char *value)
{
    long long at = mt_strindex_get(&m->value_index, value);
    char *copy;

    if (at >= 0) {
        return m->values[at];
    }
    if (m->nvalues == m->alloc_values) {
        size_t na = m->alloc_values ? m->alloc_values * 2 : 8;
        char **grown = mt_realloc(m->values, na * sizeof(*grown));
        if (grown == NULL) {
            return NULL;
        }
        m->values = grown;
        m->alloc_values = na;
    }
    copy = mt_strdup(value);
    if (copy == NULL ||
        mt_strindex_put(&m->value_index, copy, m->nvalues, NULL) < 0) {
        mt_free(copy);
        return NULL;
    }
    m->values[m->nvalues++] = copy;
    return copy;
}

long mt_mailboxes_find(const struct mt_mailboxes *m, const char *name)
{
    size_t j;

    if (m->table_size == 0) {
        return -1;
    }
    for (j = (size_t)key_of(name) & (m->table_size - 1); m->table[j] != 0;
         j = (j + 1) & (m->table_size - 1)) {
        if (strcmp(m->items[m->table[j] - 1].name, name) == 0) {
            return (long)(m->table[j] - 1);
        }
    }
    return -1;
}

/* Points *slot at the interned value (NULL, or no memory, leaves it). */
static void set_value(struct mt_mailboxes *m, const char **slot,
                      const char *value)
{
    const char *v = value != NULL ? intern(m, value) : NULL;

    if (v != NULL) {
        *slot = v;
    }
}

struct mt_mailbox *mt_mailboxes_register(struct mt_mailboxes *m,
                                         const char *name, const char *status,
                                         const char *detail,
                                         const char *batch,
                                         const char *error)
{
    struct mt_mailbox *mb = mt_mailboxes_get(m, name);

    if (mb == NULL) {
        return NULL;
    }
    if (mb->error == NULL) {
        set_value(m, &mb->error, error);
    }
    if (status == NULL) {
        /* Only a StatusDetail: it is the best status there is, but it does
         * not override a fuller one seen before. */
        if (mb->status == NULL) {
            set_value(m, &mb->status, detail);
        }
        set_value(m, &mb->batch, batch);
        return mb;
    }
    if (detail != NULL && strcmp(detail, status) != 0) {
        char *both = mt_asprintf("%s (%s)", status, detail);
        set_value(m, &mb->status, both != NULL ? both : status);
        mt_free(both);
    } else {
        set_value(m, &mb->status, status);
    }
    set_value(m, &mb->batch, batch);
    return mb;
}

static const struct mt_mailboxes *sort_m;

static int compare_names(const void *a, const void *b)
{
    return strcmp(sort_m->items[*(const size_t *)a].name,
                  sort_m->items[*(const size_t *)b].name);
}

size_t *mt_mailboxes_sorted(const struct mt_mailboxes *m)
{
    size_t *idx = mt_malloc((m->n + 1) * sizeof(*idx)), i;

    if (idx == NULL) {
        return NULL;
    }
    for (i = 0; i < m->n; i++) {
        idx[i] = i;
    }
    sort_m = m; /* single-threaded output; qsort has no context pointer */
    qsort(idx, m->n, sizeof(*idx), compare_names);
    return idx;
}

void mt_mailboxes_free(struct mt_mailboxes *m)
{
    size_t i;

    for (i = 0; i < m->n; i++) {
        mt_free(m->items[i].name);
    }
    for (i = 0; i < m->nvalues; i++) {
        mt_free(m->values[i]);
    }
    mt_free(m->items);
    mt_free(m->table);
    mt_free(m->values);
    mt_strindex_free(&m->value_index);
    memset(m, 0, sizeof(*m));
}

/* ---- the registration log of one input ---- */

void mt_mailbox_log_init(struct mt_mailbox_log *l, size_t max)
{
    memset(l, 0, sizeof(*l));
    mt_mailboxes_init(&l->names, max);
}

static int same_value(const char *a, const char *b)
{
    return (a == NULL) == (b == NULL) && (a == NULL || strcmp(a, b) == 0);
}

static int dup_or_null(char **dst, const char *src)
{
    *dst = src != NULL ? mt_strdup(src) : NULL;
    return src != NULL && *dst == NULL ? -1 : 0;
}

/* No op logged yet for a name (one whose first op could not be kept). */
#define NO_OP ((size_t)-1)

int mt_mailbox_log_add(struct mt_mailbox_log *l, const char *name,
                       const char *status, const char *detail,
                       const char *batch, const char *error, int severity)
{
    size_t before = l->names.n, at;
    struct mt_mailbox *seen;
    struct mt_mailbox_op *op;

    /* Room for a new name's slot first: a name must never be in names
     * without a slot in last, or its next add would read garbage. */
    if (l->names.n + 1 > l->alloc_last) {
        size_t na = l->alloc_last ? l->alloc_last * 2 : 8;
        size_t *grown = mt_realloc(l->last, na * sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        l->last = grown;
        l->alloc_last = na;
    }
    seen = mt_mailboxes_get(&l->names, name);
    if (seen == NULL) {
        if (l->names.overflow > 0) {
            l->overflow = 1;
            return 0;
        }
        return -1;
    }
    if (l->names.n != before) {
        l->last[seen->seq] = NO_OP;
    }
    op = l->last[seen->seq] == NO_OP ? NULL : &l->ops[l->last[seen->seq]];
    if (op == NULL || !same_value(op->status, status) ||
        !same_value(op->detail, detail) || !same_value(op->batch, batch) ||
        !same_value(op->error, error)) {
        if (l->n == l->alloc) {
            size_t na = l->alloc ? l->alloc * 2 : 8;
            struct mt_mailbox_op *grown = mt_realloc(l->ops,
                                                     na * sizeof(*grown));
            if (grown == NULL) {
                return -1;
            }
            l->ops = grown;
            l->alloc = na;
        }
        at = l->n;
        op = &l->ops[at];
        memset(op, 0, sizeof(*op));
        op->worst = -1;
        if (dup_or_null(&op->name, name) != 0 ||
            dup_or_null(&op->status, status) != 0 ||
            dup_or_null(&op->detail, detail) != 0 ||
            dup_or_null(&op->batch, batch) != 0 ||
            dup_or_null(&op->error, error) != 0) {
            mt_free(op->name);
            mt_free(op->status);
            mt_free(op->detail);
            mt_free(op->batch);
            mt_free(op->error);
            return -1;
        }
        l->n++;
        l->last[seen->seq] = at;
    }
    op->calls++;
    if (severity >= 0) {
        op->findings++;
        if (severity > op->worst) {
            op->worst = severity;
        }
    }
    return 0;
}

int mt_mailbox_log_replay(const struct mt_mailbox_log *l,
                          struct mt_mailboxes *m)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        const struct mt_mailbox_op *op = &l->ops[i];
        uint64_t overflow = m->overflow;
        struct mt_mailbox *mb = mt_mailboxes_register(
            m, op->name, op->status, op->detail, op->batch, op->error);

        if (mb == NULL) {
            if (m->overflow == overflow) {
                return -1;
            }
            /* Each repeat would have found the registry full again. */
            m->overflow += op->calls - 1;
            continue;
        }
        mb->findings += op->findings;
        if (op->worst > mb->worst) {
            mb->worst = op->worst;
        }
    }
    return 0;
}

void mt_mailbox_log_free(struct mt_mailbox_log *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        mt_free(l->ops[i].name);
        mt_free(l->ops[i].status);
        mt_free(l->ops[i].detail);
        mt_free(l->ops[i].batch);
        mt_free(l->ops[i].error);
    }
    mt_free(l->ops);
    mt_free(l->last);
    mt_mailboxes_free(&l->names);
    memset(l, 0, sizeof(*l));
}
