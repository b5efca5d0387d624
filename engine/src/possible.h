/* possible.h: possible matches, kept apart from findings. A line the
 * nearest-article fallback (similar.c) placed near an article is counted
 * per article, with its first occurrence and best score; it never counts
 * for --fail-on and never becomes a finding. */
#ifndef MT_POSSIBLE_H
#define MT_POSSIBLE_H

#include <stddef.h>
#include <stdint.h>

struct mt_possible {
    int article;
    double best_score; /* of any line */
    double score;      /* of the first line */
    char *origin;      /* first line */
    uint64_t line;
    char *message;
    uint64_t count;
};

struct mt_possibles {
    struct mt_possible *items; /* in order of first occurrence */
    size_t n;
    size_t alloc;
    uint64_t lines;
};

/* Counts one line near article. Returns 0, or -1 when out of memory. */
int mt_possibles_add(struct mt_possibles *l, int article, double score,
                     const char *origin, uint64_t line, const char *text,
                     size_t len);
/* Adds src, which holds lines of inputs after everything in l, with the
 * same result as adding its lines one by one; src is emptied. */
int mt_possibles_merge(struct mt_possibles *l, struct mt_possibles *src);
/* Drops the possible matches of every article a with found[a] set: an
 * article already reported for sure needs no "perhaps" beside it. */
void mt_possibles_drop_found(struct mt_possibles *l,
                             const unsigned char *found);
/* Order for output: count (desc), then best score (desc), then first
 * occurrence. Returns indices (mt_free them), or NULL. */
size_t *mt_possibles_sorted(const struct mt_possibles *l);
void mt_possibles_free(struct mt_possibles *l);

#endif
