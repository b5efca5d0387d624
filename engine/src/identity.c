/* identity.c: linked mailbox names, a union-find forest over a hash table
 * of names (see identity.h). */
#include "identity.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static const char *const prefixes[] = {"MigrationService:", "SMTP:", "X500:",
                                       "SIP:"};

const char *mt_name_strip(const char *name)
{
    size_t i;

    /* Every object's names are stripped on each lookup: most names start
     * with no prefix's first letter (m, s, x), so skip the compares. */
    switch (name[0] | 0x20) {
    case 'm':
    case 's':
    case 'x':
        break;
    default:
        return name;
    }
    for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t n = strlen(prefixes[i]);
        if (strncasecmp(name, prefixes[i], n) == 0 && name[n] != '\0') {
            return name + n;
        }
    }
    return name;
}

int mt_name_is_address(const char *name)
{
    const char *s = mt_name_strip(name), *at = strchr(s, '@'), *p;

    if (at == NULL || at == s || strchr(at + 1, '@') != NULL ||
        strchr(at + 1, '.') == NULL) {
        return 0;
    }
    for (p = s; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '/' || *p == '\\') {
            return 0;
        }
    }
    return p[-1] != '.';
}

int mt_name_equal(const char *a, const char *b)
{
    return strcasecmp(mt_name_strip(a), mt_name_strip(b)) == 0;
}

static unsigned long long key_of(const char *name)
{
    unsigned long long h = MT_HASH_SEED;
    const char *p;

    for (p = mt_name_strip(name); *p; p++) {
        h = mt_hash_byte(h, (unsigned char)tolower((unsigned char)*p));
    }
    return h;
}

void mt_identities_init(struct mt_identities *ids, size_t max)
{
    memset(ids, 0, sizeof(*ids));
    ids->max = max;
}

void mt_identities_free(struct mt_identities *ids)
{
    size_t i;

    for (i = 0; i < ids->n; i++) {
        mt_free(ids->names[i].name);
    }
    mt_free(ids->names);
    mt_free(ids->table);
    memset(ids, 0, sizeof(*ids));
}

static int rehash(struct mt_identities *ids)
{
    size_t size = ids->table_size ? ids->table_size * 2 : 64, i;
    size_t *t = mt_calloc(size, sizeof(*t));

    if (t == NULL) {
        return -1;
    }
    for (i = 0; i < ids->n; i++) {
        size_t j = (size_t)key_of(ids->names[i].name) & (size - 1);
        while (t[j] != 0) {
            j = (j + 1) & (size - 1);
        }
        t[j] = i + 1;
    }
    mt_free(ids->table);
    ids->table = t;
    ids->table_size = size;
    return 0;
}

long mt_identities_find(const struct mt_identities *ids, const char *name)
{
    size_t j;

    if (ids->table_size == 0) {
        return -1;
    }
    for (j = (size_t)key_of(name) & (ids->table_size - 1); ids->table[j];
         j = (j + 1) & (ids->table_size - 1)) {
        if (mt_name_equal(ids->names[ids->table[j] - 1].name, name)) {
            return (long)(ids->table[j] - 1);
        }
    }
    return -1;
}

/* Finds or adds name with kind; -1 when full or out of memory. */
static long intern(struct mt_identities *ids, const char *name, int kind)
{
    long found = mt_identities_find(ids, name);
    struct mt_linked_name *nm;
    size_t j;

    if (mt_name_is_address(name) && kind > MT_NAME_ADDRESS) {
        kind = MT_NAME_ADDRESS;
    }
    if (found >= 0) {
        if (kind < ids->names[found].kind) {
            ids->names[found].kind = kind;
        }
        return found;
    }
    if (ids->max && ids->n >= ids->max) {
        ids->dropped++;
        return -1;
    }
    if ((ids->n + 1) * 2 > ids->table_size && rehash(ids) != 0) {
        return -1;
    }
    if (ids->n == ids->alloc) {
        size_t na = ids->alloc ? ids->alloc * 2 : 16;
        struct mt_linked_name *grown =
            mt_realloc(ids->names, na * sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        ids->names = grown;
        ids->alloc = na;
    }
    nm = &ids->names[ids->n];
    memset(nm, 0, sizeof(*nm));
    nm->name = mt_strdup(mt_name_strip(name));
    if (nm->name == NULL) {
        return -1;
    }
    nm->kind = kind;
    nm->parent = ids->n;
    for (j = (size_t)key_of(name) & (ids->table_size - 1); ids->table[j];
         j = (j + 1) & (ids->table_size - 1)) {
    }
    ids->table[j] = ++ids->n;
    return (long)(ids->n - 1);
}

size_t mt_identities_root(struct mt_identities *ids, size_t i)
{
    size_t r = i;

    while (ids->names[r].parent != r) {
        r = ids->names[r].parent;
    }
    while (ids->names[i].parent != r) {
        size_t next = ids->names[i].parent;
        ids->names[i].parent = r;
        i = next;
    }
    return r;
}

static void unite(struct mt_identities *ids, size_t a, size_t b)
{
    size_t ra = mt_identities_root(ids, a), rb = mt_identities_root(ids, b);

    /* The lower index becomes the root: the forest then depends only on
     * the set of links and the order names were first seen. */
    if (ra < rb) {
        ids->names[rb].parent = ra;
    } else if (rb < ra) {
        ids->names[ra].parent = rb;
    }
}

static void add_partner(struct mt_linked_name *display, size_t other)
{
    int k;

    for (k = 0; k < display->npartners; k++) {
        if (display->partners[k] == other) {
            return;
        }
    }
    if (display->npartners == MT_DISPLAY_PARTNERS) {
        display->ambiguous = 1;
        return;
    }
    display->partners[display->npartners++] = other;
}

#define MAX_OBJECT_NAMES 16

int mt_identities_link(struct mt_identities *ids, const char *const *names,
                       const int *kinds, size_t n)
{
    long idx[MAX_OBJECT_NAMES];
    size_t i, first = (size_t)-1;

    if (n > MAX_OBJECT_NAMES) {
        n = MAX_OBJECT_NAMES;
    }
    for (i = 0; i < n; i++) {
        idx[i] = intern(ids, names[i], kinds[i]);
        if (idx[i] < 0 && ids->dropped == 0) {
            return -1;
        }
    }
    for (i = 0; i < n; i++) {
        if (idx[i] < 0 || kinds[i] == MT_NAME_DISPLAY) {
            continue;
        }
        if (first == (size_t)-1) {
            first = (size_t)idx[i];
        } else {
            unite(ids, first, (size_t)idx[i]);
        }
    }
    for (i = 0; i < n && first != (size_t)-1; i++) {
        if (idx[i] >= 0 && kinds[i] == MT_NAME_DISPLAY &&
            (size_t)idx[i] != first) {
            add_partner(&ids->names[idx[i]], first);
        }
    }
    return 0;
}

int mt_identities_merge(struct mt_identities *dst,
                        const struct mt_identities *src)
{
    size_t i;
    int k;

    for (i = 0; i < src->n; i++) {
        const struct mt_linked_name *s = &src->names[i];
        const char *pair[2];
        int kinds[2];

        pair[0] = s->name;
        kinds[0] = s->kind;
        if (s->parent != i) {
            pair[1] = src->names[s->parent].name;
            kinds[1] = src->names[s->parent].kind;
            if (mt_identities_link(dst, pair, kinds, 2) != 0) {
                return -1;
            }
        }
        for (k = 0; k < s->npartners; k++) {
            pair[1] = src->names[s->partners[k]].name;
            kinds[1] = src->names[s->partners[k]].kind;
            if (mt_identities_link(dst, pair, kinds, 2) != 0) {
                return -1;
            }
        }
        if (s->ambiguous) {
            long d = mt_identities_find(dst, s->name);
            if (d >= 0) {
                dst->names[d].ambiguous = 1;
            }
        }
    }
    return 0;
}

void mt_identities_resolve(struct mt_identities *ids)
{
    size_t i;
    int k;

    for (i = 0; i < ids->n; i++) {
        struct mt_linked_name *d = &ids->names[i];
        size_t root;
        int same = 1;

        if (d->kind != MT_NAME_DISPLAY || d->npartners == 0 || d->ambiguous) {
            continue;
        }
        root = mt_identities_root(ids, d->partners[0]);
        for (k = 1; k < d->npartners; k++) {
            same &= mt_identities_root(ids, d->partners[k]) == root;
        }
        if (same) {
            unite(ids, i, d->partners[0]);
        }
    }
}
