/* match.h: runs the signatures over records: the prefilter picks the
 * signatures whose literal occurs in the record, then PCRE2 confirms each
 * under a match budget and yields the named captures. */
#ifndef MT_MATCH_H
#define MT_MATCH_H

#include <stdint.h>

#include "patterns.h"
#include "record.h"

struct mt_capture {
    const char *name;
    const char *value; /* points into the subject; not NUL-terminated */
    size_t len;
};

#define MT_MAX_CAPTURES 32

/* One signature that matched. Valid during the callback only. */
struct mt_hit {
    const struct mt_signature *sig;
    int sig_index;
    const char *subject; /* the record text (or alt) that matched */
    size_t subject_len;
    size_t start; /* the match within subject */
    size_t end;
    struct mt_capture caps[MT_MAX_CAPTURES];
    int ncaps;
};

typedef int (*mt_hit_fn)(void *ctx, const struct mt_hit *hit);

struct mt_matcher;

struct mt_names;

/* Returns NULL on allocation failure. p (and names, when not NULL) must
 * outlive the matcher. The stable names join the literal prefilter as a
 * gate: mt_matcher_name_seen() then says whether the last record may hold
 * one, so that the name scan (names.c) runs on those records only. */
/* The error words (error, exception, failed, ...) that make a record
 * error-like; recognise.c asks for them too before a stable name counts. */
extern const char *const mt_error_words[];
extern const size_t mt_nerror_words;
/* Phrases that error messages use instead of those words ("could not",
 * "denied", "not supported", "try again"): they ride in the prefilter as
 * a third gate (mt_matcher_phrase_seen), so that a refusal written in
 * prose reaches the nearest-article fallback without making the record
 * error-like for the unknown-line clustering. */
extern const char *const mt_error_phrases[];
extern const size_t mt_nerror_phrases;

struct mt_matcher *mt_matcher_new(const struct mt_patterns *p,
                                  const struct mt_names *names,
                                  uint64_t match_limit, uint64_t depth_limit);
void mt_matcher_free(struct mt_matcher *m);

/* Matches one record. Context hits come first (first match only), then
 * findings, each signature as often as it matches in the record (a
 * Format-List value can hold many report entries); a fallback
 * signature is tried only when no other finding matched. *error_like is set
 * when the record has error words (error, exception, failed, fatal, hr=0x)
 * outside a Format-List label: the caller counts unmatched ones as
 * unknown. Returns the number of finding hits, or a negative status from
 * the callback. */
int mt_matcher_run(struct mt_matcher *m, const struct mt_record *r,
                   mt_hit_fn fn, void *ctx, int *error_like);

/* Announces the block of text the next records are cut from: one
 * prefilter scan covers it, and each record that lies inside text[0..n)
 * takes its literals from that scan instead of a scan of its own (records
 * elsewhere, such as lines joined into a copy, are scanned alone as
 * before). text must stay unchanged until the next call; NULL ends the
 * block (call it before text goes away). */
void mt_matcher_block(struct mt_matcher *m, const char *text, size_t n);

/* Whether mt_matcher_run() on r would find nothing without running a
 * regex: r lies in the current block, no literal of the block scan
 * (signature, error word or stable name) lies wholly inside it, and every
 * signature has a literal. Then no signature can match, r is not error-like
 * and holds no name, so the caller may skip the run. Records must be asked
 * about in block order, like the records run. */
int mt_matcher_quiet(struct mt_matcher *m, const struct mt_record *r);

/* The literal occurrences of one block, sorted by end offset: what
 * mt_matcher_block() finds, kept by the caller so that the scan can run
 * on another thread than the records (pipeline.c). Zero-initialise;
 * reused from block to block. */
struct mt_block_hit;
struct mt_block_hits {
    struct mt_block_hit *v;
    size_t n;
    size_t alloc;
    size_t text_len; /* length of the block they were found in */
    int overflow;    /* too many to keep: the block's records scan alone */
};
void mt_block_hits_free(struct mt_block_hits *h);

struct mt_prefilter_scratch;
/* A scan state for a thread other than the matcher's (prefilter.h). */
struct mt_prefilter_scratch *mt_matcher_scratch_new(const struct mt_matcher *m);
/* The block scan of mt_matcher_block() alone, into out: reads m only, so
 * it may run on another thread while m matches records, given a scratch
 * of its own. */
void mt_matcher_scan_block(const struct mt_matcher *m,
                           struct mt_prefilter_scratch *scratch,
                           const char *text, size_t n,
                           struct mt_block_hits *out);
/* The next mt_matcher_block() call uses hits (found by
 * mt_matcher_scan_block() over the same text) instead of scanning, when
 * its length agrees; hits must stay until that block ends. NULL clears. */
void mt_matcher_preset_block(struct mt_matcher *m,
                             const struct mt_block_hits *hits);

/* Whether the record of the last mt_matcher_run() holds a stable name's
 * text (compared without case; the name scan confirms). */
int mt_matcher_name_seen(const struct mt_matcher *m);
/* Whether the last record holds one of mt_error_phrases. */
int mt_matcher_phrase_seen(const struct mt_matcher *m);

/* Tests a single signature against a text (for lint and explain); fills
 * hit when it matches. Returns 1 match, 0 no match, -1 budget exceeded or
 * error. */
int mt_matcher_test(struct mt_matcher *m, int sig_index, const char *text,
                    size_t len, struct mt_hit *hit);

/* Most matches of one signature taken from one record. */
#define MT_MAX_MATCHES_PER_RECORD 1000

/* Match attempts that ran out of budget (counted, reported in summary). */
uint64_t mt_matcher_budget_exceeded(const struct mt_matcher *m);
uint64_t mt_matcher_regex_runs(const struct mt_matcher *m);

#endif
