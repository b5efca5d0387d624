/* fields.c: the name -> value maps behind fields and context. Maps hold a
 * handful of entries, so linear search beats any hashing here. */
#include "fields.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

int mt_fields_set(struct mt_fields *f, const char *name, const char *value,
                  size_t len, unsigned flags)
{
    char *v = mt_strndup(value, len);
    int i;

    if (v == NULL) {
        return -1;
    }
    for (i = 0; i < f->n; i++) {
        if (strcmp(f->kv[i].name, name) == 0) {
            mt_free(f->kv[i].value);
            f->kv[i].value = v;
            f->kv[i].flags = flags;
            return 0;
        }
    }
    if (f->n == f->alloc) {
        int na = f->alloc ? f->alloc * 2 : 4;
        struct mt_kv *grown = mt_realloc(f->kv, (size_t)na * sizeof(*grown));
        if (grown == NULL) {
            mt_free(v);
            return -1;
        }
        f->kv = grown;
        f->alloc = na;
    }
    f->kv[f->n].name = mt_strdup(name);
    if (f->kv[f->n].name == NULL) {
        mt_free(v);
        return -1;
    }
    f->kv[f->n].value = v;
    f->kv[f->n].flags = flags;
    f->n++;
    return 0;
}

const char *mt_fields_get(const struct mt_fields *f, const char *name)
{
    int i;

    for (i = 0; i < f->n; i++) {
        if (strcmp(f->kv[i].name, name) == 0) {
            return f->kv[i].value;
        }
    }
    return NULL;
}

void mt_fields_remove_flagged(struct mt_fields *f, unsigned mask)
{
    int i, j = 0;

    for (i = 0; i < f->n; i++) {
        if (f->kv[i].flags & mask) {
            mt_free(f->kv[i].name);
            mt_free(f->kv[i].value);
        } else {
            f->kv[j++] = f->kv[i];
        }
    }
    f->n = j;
}

int mt_fields_merge_missing(struct mt_fields *dst,
                            const struct mt_fields *src)
{
    int i;

    for (i = 0; i < src->n; i++) {
        if (mt_fields_get(dst, src->kv[i].name) == NULL &&
            mt_fields_set(dst, src->kv[i].name, src->kv[i].value,
                          strlen(src->kv[i].value), src->kv[i].flags) != 0) {
            return -1;
        }
    }
    return 0;
}

int mt_fields_copy(struct mt_fields *dst, const struct mt_fields *src)
{
    mt_fields_clear(dst);
    return mt_fields_merge_missing(dst, src);
}

void mt_fields_clear(struct mt_fields *f)
{
    int i;

    for (i = 0; i < f->n; i++) {
        mt_free(f->kv[i].name);
        mt_free(f->kv[i].value);
    }
    mt_free(f->kv);
    memset(f, 0, sizeof(*f));
}

unsigned long long mt_fields_hash(const struct mt_fields *f)
{
    unsigned long long h = 0;
    int i;

    /* Sum of per-entry hashes: independent of entry order. */
    for (i = 0; i < f->n; i++) {
        unsigned long long e = mt_hash(f->kv[i].name, strlen(f->kv[i].name),
                                       MT_HASH_SEED);
        e = mt_hash("=", 1, e);
        e = mt_hash(f->kv[i].value, strlen(f->kv[i].value), e);
        h += e;
    }
    return h;
}

static int compare_kv(const void *a, const void *b)
{
    return strcmp(((const struct mt_kv *)a)->name,
                  ((const struct mt_kv *)b)->name);
}

void mt_fields_sort(struct mt_fields *f)
{
    if (f->n > 1) {
        qsort(f->kv, (size_t)f->n, sizeof(*f->kv), compare_kv);
    }
}
