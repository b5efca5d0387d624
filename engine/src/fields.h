/* fields.h: small ordered name -> value maps for a finding's captured
 * fields and its context (mailbox, batch, server, ...). Values are
 * NUL-terminated UTF-8 copies. */
#ifndef MT_FIELDS_H
#define MT_FIELDS_H

#include <stddef.h>

struct mt_kv {
    char *name;
    char *value;
    unsigned flags; /* owner-defined, e.g. "set by a Format-List field" */
};

struct mt_fields {
    struct mt_kv *kv;
    int n;
    int alloc;
};

/* Sets (replaces) name; value is copied with its length. Returns 0/-1. */
int mt_fields_set(struct mt_fields *f, const char *name, const char *value,
                  size_t len, unsigned flags);
const char *mt_fields_get(const struct mt_fields *f, const char *name);
/* Removes every entry whose flags include mask. */
void mt_fields_remove_flagged(struct mt_fields *f, unsigned mask);
/* Copies src's entries that dst lacks into dst. */
int mt_fields_merge_missing(struct mt_fields *dst,
                            const struct mt_fields *src);
int mt_fields_copy(struct mt_fields *dst, const struct mt_fields *src);
void mt_fields_clear(struct mt_fields *f);
/* Order-independent hash of the entries (names and values). */
unsigned long long mt_fields_hash(const struct mt_fields *f);
/* Sorts entries by name (for stable output). */
void mt_fields_sort(struct mt_fields *f);

#endif
