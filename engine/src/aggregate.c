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

const char *mt_context_mailbox(const struct mt_fields *ctx)
{
    /* Identity / addresses first, then the names an object without them
     * may still give (Alias, PrimarySmtpAddress), DisplayName last. */
    static const char *const names[] = {"mailbox", "primary_address",
                                        "alias", "display_name"};
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *m = mt_fields_get(ctx, names[i]);
        if (m != NULL) {
            return m;
        }
    }
    return NULL;
}

int mt_context_per_mailbox(const char *name)
{
    static const char *const names[] = {
        "mailbox", "display_name", "alias",     "primary_address",
        "status",  "status_detail", "timestamp", "status_summary",
        "state"};
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(name, names[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

const char *mt_finding_mailbox(const struct mt_finding *f)
{
    return mt_context_mailbox(&f->context);
}

int mt_finding_names_own_mailbox(const struct mt_finding *f)
{
    const char *own = mt_fields_get(&f->fields, "mailbox");
    const char *named = mt_context_mailbox(&f->context);

    return own != NULL && named != NULL && strcmp(own, named) == 0;
}

int mt_finding_merge_object(struct mt_finding *f,
                            const struct mt_fields *object)
{
    const char *own = mt_fields_get(&f->fields, "mailbox");
    const char *theirs = mt_context_mailbox(object);
    int i, other_mailbox;

    /* The finding's own name goes in first, when the record gave none. */
    if (own != NULL && *own != '\0' && mt_context_mailbox(&f->context) == NULL &&
        mt_fields_set(&f->context, "mailbox", own, strlen(own), 0) != 0) {
        return -1;
    }
    other_mailbox = mt_finding_names_own_mailbox(f) && theirs != NULL &&
                    strcmp(theirs, mt_finding_mailbox(f)) != 0;
    for (i = 0; i < object->n; i++) {
        const struct mt_kv *kv = &object->kv[i];
        if (mt_fields_get(&f->context, kv->name) != NULL ||
            (other_mailbox && mt_context_per_mailbox(kv->name))) {
            continue;
        }
        if (mt_fields_set(&f->context, kv->name, kv->value, strlen(kv->value),
                          kv->flags) != 0) {
            return -1;
        }
    }
    return 0;
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

/* Keeps an occurrence as an example when its fields (hash h) differ from
 * every kept one; takes its message and fields when kept. Returns -1 when
 * out of memory (nothing kept: an example without its origin would print
 * as one). */
static int keep_example_of(struct mt_group *g, unsigned long long h,
                           const char *origin, uint64_t line, char **message,
                           struct mt_fields *fields)
{
    struct mt_example *x;
    char *copy;
    int i;

    for (i = 0; i < g->nexamples + 1; i++) {
        if (g->seen[i] == h) {
            return 0;
        }
    }
    if (g->nexamples >= MT_MAX_EXAMPLES) {
        return 0;
    }
    copy = mt_strdup(origin);
    if (copy == NULL) {
        return -1;
    }
    x = &g->examples[g->nexamples];
    x->origin = copy;
    x->line = line;
    x->message = *message;
    *message = NULL;
    x->fields = *fields;
    memset(fields, 0, sizeof(*fields));
    g->seen[++g->nexamples] = h;
    return 0;
}

static int keep_example(struct mt_group *g, struct mt_finding *f)
{
    return keep_example_of(g, mt_fields_hash(&f->fields), f->origin, f->line,
                           &f->message, &f->fields);
}

static int grow_table(struct mt_aggregate *a)
{
    size_t size = a->table_size ? a->table_size * 2 : 32, i;
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

/* The group of (sig, mailbox) of f, or NULL; *slot is where a new group
 * goes. The table must have room for one more. */
static struct mt_group *find_group(struct mt_aggregate *a,
                                   unsigned long long key,
                                   const struct mt_finding *f, size_t *slot)
{
    size_t j;

    for (j = (size_t)key & (a->table_size - 1); a->table[j] != 0;
         j = (j + 1) & (a->table_size - 1)) {
        struct mt_group *g = &a->groups[a->table[j] - 1];
        if (g->key == key && same_group(g, f)) {
            return g;
        }
    }
    *slot = j;
    return NULL;
}

/* Makes room for one more group. */
static int reserve_group(struct mt_aggregate *a)
{
    if ((a->n + 1) * 2 > a->table_size && grow_table(a) != 0) {
        return -1;
    }
    if (a->n == a->alloc) {
        size_t n = a->alloc ? a->alloc * 2 : 8;
        struct mt_group *grown = mt_realloc(a->groups, n * sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        a->groups = grown;
        a->alloc = n;
    }
    return 0;
}

int mt_aggregate_add(struct mt_aggregate *a, struct mt_finding *f)
{
    unsigned long long key = group_key(f);
    struct mt_group *g;
    size_t j = 0;

    a->findings++;
    if (f->severity >= 0 && f->severity < 4) {
        a->by_severity[f->severity]++;
    }
    if (reserve_group(a) != 0) {
        goto fail;
    }
    g = find_group(a, key, f, &j);
    if (g != NULL) {
        g->count++;
        if (keep_example(g, f) != 0) {
            goto fail;
        }
        mt_free(g->last_origin);
        g->last_origin = f->origin;
        g->last_line = f->line;
        f->origin = NULL;
        mt_finding_clear(f);
        return 0;
    }
    if (a->max_groups && a->n >= a->max_groups) {
        a->overflow++;
        mt_finding_clear(f);
        return 0;
    }
    g = &a->groups[a->n];
    memset(g, 0, sizeof(*g));
    g->last_origin = mt_strdup(f->origin);
    if (g->last_origin == NULL) {
        goto fail;
    }
    g->first = *f;
    memset(f, 0, sizeof(*f));
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

static void group_clear(struct mt_group *g)
{
    int k;

    mt_finding_clear(&g->first);
    mt_free(g->last_origin);
    for (k = 0; k < g->nexamples; k++) {
        mt_free(g->examples[k].origin);
        mt_free(g->examples[k].message);
        mt_fields_clear(&g->examples[k].fields);
    }
    memset(g, 0, sizeof(*g));
}

/* Folds group s (all occurrences of its key in a later input) into an
 * existing group g. The occurrences s dropped as examples are ones g would
 * drop too: repeats of kept fields, or ones after s had four different
 * field sets, of which at most one can already be among g's. */
static int fold_group(struct mt_group *g, struct mt_group *s)
{
    int k, rc;

    g->count += s->count;
    rc = keep_example_of(g, s->seen[0], s->first.origin, s->first.line,
                         &s->first.message, &s->first.fields);
    for (k = 0; k < s->nexamples && rc == 0; k++) {
        struct mt_example *x = &s->examples[k];
        rc = keep_example_of(g, s->seen[k + 1], x->origin, x->line,
                             &x->message, &x->fields);
    }
    mt_free(g->last_origin);
    g->last_origin = s->last_origin;
    s->last_origin = NULL;
    g->last_line = s->last_line;
    return rc;
}

int mt_aggregate_merge(struct mt_aggregate *a, struct mt_aggregate *src)
{
    size_t i;
    int s, rc = 0;

    a->findings += src->findings;
    a->overflow += src->overflow;
    for (s = 0; s < 4; s++) {
        a->by_severity[s] += src->by_severity[s];
    }
    for (i = 0; i < src->n; i++) {
        struct mt_group *sg = &src->groups[i], *g;
        size_t j = 0;

        if (reserve_group(a) != 0) {
            rc = -1;
            break;
        }
        g = find_group(a, sg->key, &sg->first, &j);
        if (g != NULL) {
            if (fold_group(g, sg) != 0) {
                rc = -1;
                break;
            }
        } else if (a->max_groups && a->n >= a->max_groups) {
            a->overflow += sg->count;
        } else {
            g = &a->groups[a->n];
            *g = *sg;
            memset(sg, 0, sizeof(*sg));
            g->seq = a->n;
            a->table[j] = ++a->n;
        }
    }
    mt_aggregate_free(src);
    return rc;
}

int mt_finding_copy(struct mt_finding *dst, const struct mt_finding *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->sig = src->sig;
    dst->severity = src->severity;
    dst->line = src->line;
    dst->origin = mt_strdup(src->origin);
    dst->message = mt_strdup(src->message);
    if ((src->origin != NULL && dst->origin == NULL) ||
        (src->message != NULL && dst->message == NULL) ||
        mt_fields_copy(&dst->fields, &src->fields) != 0 ||
        mt_fields_copy(&dst->context, &src->context) != 0) {
        mt_finding_clear(dst);
        return -1;
    }
    return 0;
}

int mt_findings_push_copy(struct mt_findings *l, const struct mt_finding *f)
{
    if (l->n == l->alloc) {
        size_t n = l->alloc ? l->alloc * 2 : 16;
        struct mt_finding *grown = mt_realloc(l->items, n * sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        l->items = grown;
        l->alloc = n;
    }
    if (mt_finding_copy(&l->items[l->n], f) != 0) {
        return -1;
    }
    l->n++;
    return 0;
}

void mt_findings_free(struct mt_findings *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        mt_finding_clear(&l->items[i]);
    }
    mt_free(l->items);
    memset(l, 0, sizeof(*l));
}

void mt_aggregate_free(struct mt_aggregate *a)
{
    size_t i;

    for (i = 0; i < a->n; i++) {
        group_clear(&a->groups[i]);
    }
    mt_free(a->groups);
    mt_free(a->table);
    memset(a, 0, sizeof(*a));
}
