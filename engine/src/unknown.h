/* unknown.h: records that look like errors but match no signature. Each is
 * masked into a template (numbers, GUIDs, hex codes, quoted strings,
 * addresses and URLs become placeholders) and counted per template, so a
 * user sees the few shapes of unknown errors, not every line. */
#ifndef MT_UNKNOWN_H
#define MT_UNKNOWN_H

#include <stddef.h>
#include <stdint.h>

struct mt_cluster {
    char *template_text;
    char *example;
    char *origin;
    uint64_t line;
    uint64_t count;
    uint64_t seq;
    unsigned long long key;
};

struct mt_unknown {
    struct mt_cluster *clusters;
    size_t n;
    size_t alloc;
    size_t max_clusters;
    uint64_t lines;    /* unknown error-like records seen */
    uint64_t overflow; /* records whose template found no room */
};

void mt_unknown_init(struct mt_unknown *u, size_t max_clusters);
/* Writes the masked template of text into out (at most cap-1 bytes). */
void mt_unknown_mask(const char *text, size_t len, char *out, size_t cap);
int mt_unknown_add(struct mt_unknown *u, const char *text, size_t len,
                   const char *origin, uint64_t line);
/* Adds the clusters of src, which holds the records of inputs after
 * everything in u, with the same result as adding those records to u one
 * by one. src must not have overflowed; it is emptied. */
void mt_unknown_merge(struct mt_unknown *u, struct mt_unknown *src);
/* Sorts clusters by count (desc), then first occurrence. */
void mt_unknown_sort(struct mt_unknown *u);
void mt_unknown_free(struct mt_unknown *u);

#endif
