/* strindex.c: open addressing with linear probing over FNV-1a hashes,
 * kept at most half full. */
#include "strindex.h"

#include <string.h>

#include "util.h"

void mt_strindex_init(struct mt_strindex *x)
{
    memset(x, 0, sizeof(*x));
}

static size_t home(const char *key, size_t size)
{
    return (size_t)mt_hash(key, strlen(key), MT_HASH_SEED) & (size - 1);
}

static int grow(struct mt_strindex *x)
{
    size_t size = x->size ? x->size * 2 : 64, i, j;
    struct mt_strindex_slot *t = mt_calloc(size, sizeof(*t));

    if (t == NULL) {
        return -1;
    }
    for (i = 0; i < x->size; i++) {
        if (x->slots[i].key == NULL) {
            continue;
        }
        for (j = home(x->slots[i].key, size); t[j].key != NULL;
             j = (j + 1) & (size - 1)) {
        }
        t[j] = x->slots[i];
    }
    mt_free(x->slots);
    x->slots = t;
    x->size = size;
    return 0;
}

long long mt_strindex_get(const struct mt_strindex *x, const char *key)
{
    size_t j;

    if (x->size == 0) {
        return -1;
    }
    for (j = home(key, x->size); x->slots[j].key != NULL;
         j = (j + 1) & (x->size - 1)) {
        if (strcmp(x->slots[j].key, key) == 0) {
            return (long long)x->slots[j].value;
        }
    }
    return -1;
}

int mt_strindex_put(struct mt_strindex *x, const char *key, size_t value,
                    size_t *old)
{
    size_t j;

    if ((x->n + 1) * 2 > x->size && grow(x) != 0) {
        return -1;
    }
    for (j = home(key, x->size); x->slots[j].key != NULL;
         j = (j + 1) & (x->size - 1)) {
        if (strcmp(x->slots[j].key, key) == 0) {
            if (old != NULL) {
                *old = x->slots[j].value;
            }
            return 0;
        }
    }
    x->slots[j].key = key;
    x->slots[j].value = value;
    x->n++;
    return 1;
}

void mt_strindex_free(struct mt_strindex *x)
{
    mt_free(x->slots);
    memset(x, 0, sizeof(*x));
}
