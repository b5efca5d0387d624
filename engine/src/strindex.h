/* strindex.h: a hash index from strings to positions in an array the
 * caller owns (signature ids, article ids, mailbox names of one report
 * section), so a lookup by name costs a few probes instead of a compare
 * with every entry. Keys are borrowed: they must outlive the index. */
#ifndef MT_STRINDEX_H
#define MT_STRINDEX_H

#include <stddef.h>

struct mt_strindex_slot {
    const char *key; /* NULL: empty */
    size_t value;
};

struct mt_strindex {
    struct mt_strindex_slot *slots;
    size_t size; /* a power of two, or 0 */
    size_t n;
};

void mt_strindex_init(struct mt_strindex *x);
/* The value stored for key, or -1. */
long long mt_strindex_get(const struct mt_strindex *x, const char *key);
/* Stores key -> value unless key is there already. Returns 1 when added,
 * 0 when present (*old, if not NULL, gets its value), -1 when out of
 * memory. */
int mt_strindex_put(struct mt_strindex *x, const char *key, size_t value,
                    size_t *old);
void mt_strindex_free(struct mt_strindex *x);

#endif
