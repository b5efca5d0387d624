/* similar.h: the nearest-article fallback. An error-like line that no
 * signature and no stable name recognises is compared with the samples of
 * every article (TF-IDF cosine over words, CamelCase names also split into
 * their parts); a close enough article is reported as a *possible* match,
 * apart from the sure findings and never counted for --fail-on. */
#ifndef MT_SIMILAR_H
#define MT_SIMILAR_H

#include <stddef.h>
#include <stdint.h>

#include "kb.h"
#include "patterns.h"

/* Score (cosine, 0..1) from which a line is reported as a possible match.
 * Chosen on the development set and the healthy corpus (tests/eval/dev,
 * tests/corpus): see the README, "Possible matches". */
#define MT_SIMILAR_THRESHOLD 0.40
/* Words a line must share with an article's samples: one common word
 * (a "mailbox", a "move") is not a resemblance. */
#define MT_SIMILAR_MIN_SHARED 3

struct mt_similar;

/* Per-caller working memory for a query (one per scanning thread). */
struct mt_similar_scratch {
    double *score;   /* per article */
    uint32_t *stamp; /* per article: query it was last touched by */
    int *touched;
    int *shared; /* per article: query words it has */
    uint32_t gen;
};

/* Indexes the samples of every finding signature, per article. Returns
 * NULL when out of memory. p and kb must outlive the index. */
struct mt_similar *mt_similar_new(const struct mt_patterns *p,
                                  const struct mt_kb *kb);
void mt_similar_free(struct mt_similar *s);
/* Words the index knows (for kb lint). */
size_t mt_similar_terms(const struct mt_similar *s);

int mt_similar_scratch_init(struct mt_similar_scratch *w,
                            const struct mt_similar *s);
void mt_similar_scratch_free(struct mt_similar_scratch *w);

/* The article closest to text and its score; -1 when no article shares
 * MT_SIMILAR_MIN_SHARED words with it. Deterministic: ties go to the lower article index. */
int mt_similar_best(const struct mt_similar *s,
                    struct mt_similar_scratch *w, const char *text,
                    size_t len, double *score);

#endif
