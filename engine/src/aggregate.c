/* aggregate.c: groups findings by (signature, mailbox) in a hash table,
 * keeping counts, first/last origins and examples with other fields. */
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

    return mt_hash(mbx ? mbx : "", mbx ? strlen(mbx) : 0, h);
}

static int same_group(const struct mt_group *g, const struct mt_finding *f)
{
    const char *a = mt_finding_mailbox(&g->first);
    const char *b = mt_finding_mailbox(f);

    if (g->first.sig != f->sig) {
        return 0;
    }
    return (a == NULL) == (b == NULL) && (a == NULL || strcmp(a, b) == 0);
}

/* Keeps f as an example when its fields differ from every kept one. */
static void keep_example(struct mt_group *g, struct mt_finding *f)
{
    unsigned long long h = mt_fields_hash(&f->fields);
    struct mt_example *x;
    int i;

    for (i = 0; i < g->nexamples + 1; i++) {
        if (g->seen[i] == h) {
            return;
        }
    }
    if (g->nexamples >= MT_MAX_EXAMPLES) {
        return;
    }
    x = &g->examples[g->nexamples];
    x->origin = mt_strdup(f->origin);
    x->line = f->line;
    x->message = f->message;
    f->message = NULL;
    x->fields = f->fields;
    memset(&f->fields, 0, sizeof(f->fields));
    g->seen[++g->nexamples] = h;
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
            keep_example(g, f);
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
    g->seen[0] = mt_fields_hash(&g->first.fields);
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
        struct mt_group *g = &a->groups[i];
        int k;
        mt_finding_clear(&g->first);
        mt_free(g->last_origin);
        for (k = 0; k < g->nexamples; k++) {
            mt_free(g->examples[k].origin);
            mt_free(g->examples[k].message);
            mt_fields_clear(&g->examples[k].fields);
        }
    }
    mt_free(a->groups);
    mt_free(a->table);
    memset(a, 0, sizeof(*a));
}
