/* lookup.h: help-desk lookup without a log: explain a code or a pasted
 * message, search the kb, show or list articles (mt_engine_explain,
 * mt_engine_kb_search, mt_engine_kb_show, mt_engine_kb_list). */
#ifndef MT_LOOKUP_H
#define MT_LOOKUP_H

#include "engine_private.h"

struct mt_search_hit {
    int article; /* index into e->kb.articles */
    double score; /* 0..100: 100 = every word exact in a title or id */
};

/* Ranks the articles for query (typo- and order-tolerant, see the README's
 * "Lookup" section). Fills up to max hits, best first, that pass the
 * score threshold. Returns the count, or -1 when out of memory. */
int mt_lookup_search(const struct mt_engine *e, const char *query,
                     struct mt_search_hit *hits, int max);

/* Edit distance with adjacent transpositions counted as one (optimal
 * string alignment), or limit + 1 when it is larger than limit. */
int mt_lookup_distance(const char *a, const char *b, int limit);

/* Calls fn for every word search indexes in text (lower-cased, plural
 * endings folded, stopwords dropped; part 0), then for the CamelCase parts
 * of words that have them (part 1). The nearest-article index (similar.c)
 * reads text the same way. */
typedef void (*mt_word_fn)(void *ctx, const char *word, int part);
void mt_lookup_each_word(const char *text, mt_word_fn fn, void *ctx);

/* Natural logarithm without libm (idf weights). */
double mt_lookup_ln(double x);

#endif
