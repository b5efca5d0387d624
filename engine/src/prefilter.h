/* prefilter.h: finds, in one pass over a record or a block of records,
 * which literals it contains (ASCII letters compared without case). The matcher runs a
 * signature's regex only when its literal is present, which keeps the cost
 * per record near that of one scan however many signatures there are. */
#ifndef MT_PREFILTER_H
#define MT_PREFILTER_H

#include <stddef.h>

struct mt_prefilter;

struct mt_prefilter *mt_prefilter_new(void);
/* Adds a literal reporting id (ids are small non-negative ints). */
int mt_prefilter_add(struct mt_prefilter *pf, const char *lit, size_t n,
                     int id);
/* Builds the automaton; no adds after this. Returns 0 or -1 (no memory). */
int mt_prefilter_build(struct mt_prefilter *pf);

/* Called for each occurrence: id and the offset just past the match. */
typedef void (*mt_prefilter_hit_fn)(void *ctx, int id, size_t end);
void mt_prefilter_scan(const struct mt_prefilter *pf, const char *text,
                       size_t n, mt_prefilter_hit_fn fn, void *ctx);
/* The same over a whole block of many records: every occurrence of every
 * literal, with where it starts and ends (offsets into text), so that the
 * caller can hand each record the literals that lie within it. Mostly in
 * order of end offset, not always: Hyperscan reports a literal found
 * around a shorter one it holds after that one (prefilter_hs.c), so the
 * caller sorts when it needs the order. */
typedef void (*mt_prefilter_span_fn)(void *ctx, int id, size_t start,
                                     size_t end);
void mt_prefilter_scan_spans(const struct mt_prefilter *pf, const char *text,
                             size_t n, mt_prefilter_span_fn fn, void *ctx);
void mt_prefilter_free(struct mt_prefilter *pf);

/* A scan state of its own for a second thread (Hyperscan's scratch; the
 * built-in automaton needs none and hands out an empty one), so that one
 * built prefilter serves two threads at once: each scans with its own.
 * NULL when out of memory. */
struct mt_prefilter_scratch;
struct mt_prefilter_scratch *
mt_prefilter_scratch_new(const struct mt_prefilter *pf);
void mt_prefilter_scratch_free(struct mt_prefilter_scratch *s);
/* mt_prefilter_scan_spans() with that scratch (NULL: the prefilter's own,
 * as mt_prefilter_scan_spans() uses). */
void mt_prefilter_scan_spans_with(const struct mt_prefilter *pf,
                                  struct mt_prefilter_scratch *s,
                                  const char *text, size_t n,
                                  mt_prefilter_span_fn fn, void *ctx);

/* 1 when the build read a compiled database from the on-disk cache
 * (Hyperscan only; see prefilter_hs.c), 0 when it compiled one. */
int mt_prefilter_from_cache(const struct mt_prefilter *pf);

#endif
