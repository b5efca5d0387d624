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
    size_t size = m->table_size ? m->table_size * 2 : 256, i;
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
        size_t na = m->alloc ? m->alloc * 2 : 64;
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

void mt_mailboxes_set(char **slot, const char *value)
{
    char *copy;

    if (value == NULL || (*slot != NULL && strcmp(*slot, value) == 0)) {
        return;
    }
    copy = mt_strdup(value);
    if (copy != NULL) {
        mt_free(*slot);
        *slot = copy;
    }
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
        mt_free(m->items[i].status);
        mt_free(m->items[i].batch);
    }
    mt_free(m->items);
    mt_free(m->table);
    memset(m, 0, sizeof(*m));
}
