/* aggregate.c: groups findings by (signature, mailbox, fields) in a hash
 * table, keeping counts and first/last origins. */
#include "aggregate.h"

#include <string.h>

#include "util.h"

void mt_finding_clear(struct mt_finding *f)
{
    mt_free(f->origin);
    mt_free(f->message);
    mt_fields_clear(&f->fields);
    mt_fields_clear(&f->context);
    memset(f, 0, sizeof(*f));
}

const char *mt_finding_mailbox(const struct mt_finding *f)
{
    const char *m = mt_fields_get(&f->context, "mailbox");
    return m ? m : mt_fields_get(&f->context, "display_name");
}

static unsigned long long group_key(const struct mt_finding *f)
{
    const char *mbx = mt_finding_mailbox(f);
    unsigned long long h = mt_hash(&f->sig, sizeof(f->sig), MT_HASH_SEED);

    h = mt_hash(mbx ? mbx : "", mbx ? strlen(mbx) : 0, h);
    return h ^ (mt_fields_hash(&f->fields) * 31);
}

static int same_group(const struct mt_group *g, const struct mt_finding *f)
{
    const char *a = mt_finding_mailbox(&g->first);
    const char *b = mt_finding_mailbox(f);
    int i;

    if (g->first.sig != f->sig || g->first.fields.n != f->fields.n) {
        return 0;
    }
    if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0)) {
        return 0;
    }
    for (i = 0; i < f->fields.n; i++) {
        const char *v = mt_fields_get(&g->first.fields, f->fields.kv[i].name);
        if (v == NULL || strcmp(v, f->fields.kv[i].value) != 0) {
            return 0;
        }
    }
    return 1;
}

static int grow_table(struct mt_aggregate *a)
{
    size_t size = a->table_size ? a->table_size * 2 : 1024, i;
    size_t *t = mt_calloc(size, sizeof(*t));

    if (t == NULL) {
        return -1;
    }
    for (i = 0; i < a->n; i++) {
        size_t j = (size_t)a->groups[i].key & (size - 1);
        while (t[j] != 0) {
            j = (j + 1) & (size - 1);
        }
        t[j] = i + 1;
    }
    mt_free(a->table);
    a->table = t;
    a->table_size = size;
    return 0;
}

void mt_aggregate_init(struct mt_aggregate *a, uint64_t max_groups)
{
    memset(a, 0, sizeof(*a));
    a->max_groups = max_groups;
}

int mt_aggregate_add(struct mt_aggregate *a, struct mt_finding *f)
{
    unsigned long long key = group_key(f);
    struct mt_group *g;
    size_t j;

    a->findings++;
    if (f->severity >= 0 && f->severity < 4) {
        a->by_severity[f->severity]++;
    }
    if ((a->n + 1) * 2 > a->table_size && grow_table(a) != 0) {
        goto fail;
    }
    for (j = (size_t)key & (a->table_size - 1); a->table[j] != 0;
         j = (j + 1) & (a->table_size - 1)) {
        g = &a->groups[a->table[j] - 1];
        if (g->key == key && same_group(g, f)) {
            g->count++;
            mt_free(g->last_origin);
            g->last_origin = f->origin;
            g->last_line = f->line;
            f->origin = NULL;
            mt_finding_clear(f);
            return 0;
        }
    }
    if (a->max_groups && a->n >= a->max_groups) {
        a->overflow++;
        mt_finding_clear(f);
        return 0;
    }
    if (a->n == a->alloc) {
        size_t n = a->alloc ? a->alloc * 2 : 64;
        struct mt_group *grown = mt_realloc(a->groups, n * sizeof(*grown));
        if (grown == NULL) {
            goto fail;
        }
        a->groups = grown;
        a->alloc = n;
    }
    g = &a->groups[a->n];
    memset(g, 0, sizeof(*g));
    g->first = *f;
    memset(f, 0, sizeof(*f));
    g->last_origin = mt_strdup(g->first.origin);
    g->last_line = g->first.line;
    g->count = 1;
    g->seq = a->n;
    g->key = key;
    a->table[j] = ++a->n;
    return 0;
fail:
    mt_finding_clear(f);
    return -1;
}

void mt_aggregate_free(struct mt_aggregate *a)
{
    size_t i;

    for (i = 0; i < a->n; i++) {
        mt_finding_clear(&a->groups[i].first);
        mt_free(a->groups[i].last_origin);
    }
    mt_free(a->groups);
    mt_free(a->table);
    memset(a, 0, sizeof(*a));
}
