/* similar.c: TF-IDF index of the articles' samples and the cosine of a
 * line against it. Built once, by the first line that needs it (engine.c,
 * mt_engine_similar); a query reads the line's words, looks each up in a
 * hash table and walks its short posting list, so a line costs about a
 * microsecond whatever the size of the knowledge. */
#include "similar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lookup.h"
#include "util.h"

/* Distinct words of one query that are looked at; the rest of a very long
 * line does not change which article is nearest. */
#define MAX_QUERY_TERMS 128

struct posting {
    int article;
    double weight; /* tf-idf in the article's unit vector */
};

struct term {
    char *word;
    double idf;
    struct posting *postings;
    int npostings;
    /* While building: the article being read + 1 when the term is already
     * in its word list, at slot; spares a walk of the list per word. */
    int seen_in;
    size_t slot;
};

struct mt_similar {
    struct term *terms;
    size_t nterms;
    size_t alloc;
    size_t *table; /* term index + 1, 0 = empty */
    size_t table_size;
    size_t narticles;
    double unknown_idf; /* of a word no sample has */
};

/* Words of PowerShell's error-record frame and log scaffolding: every
 * pasted error has them, so they would make any two pastes look alike.
 * In strcmp order: each word of every sample is looked up (bsearch). */
static const char *const frame_words[] = {
    "argument", "automation", "category", "categoryinfo", "char", "computer",
    "error", "exception", "exchange", "failed", "failure", "fully",
    "fullyqualifiederrorid", "info", "invalidargument", "invalidoperation",
    "line", "management", "microsoft", "name", "notspecified",
    "objectnotfound", "operation", "pscomputername", "qualified", "specified",
    "system",
};
#define NFRAME_WORDS (sizeof(frame_words) / sizeof(frame_words[0]))

static int compare_word(const void *key, const void *item)
{
    return strcmp(key, *(const char *const *)item);
}

static int frame_word(const char *w)
{
    return bsearch(w, frame_words, NFRAME_WORDS, sizeof(frame_words[0]),
                   compare_word) != NULL;
}

/* A number, a hex code, a GUID part or a server name with digits says
 * nothing about which problem a line is. */
static int has_digit(const char *w)
{
    for (; *w; w++) {
        if (*w >= '0' && *w <= '9') {
            return 1;
        }
    }
    return 0;
}

/* Square root by Newton's method (the engine links no libm). */
static double root(double x)
{
    double r = x > 1.0 ? x : 1.0;
    int i;

    if (x <= 0.0) {
        return 0.0;
    }
    for (i = 0; i < 60; i++) {
        double next = 0.5 * (r + x / r);
        if (next == r) {
            break;
        }
        r = next;
    }
    return r;
}

static long find_term(const struct mt_similar *s, const char *w)
{
    size_t mask, i;

    if (s->table_size == 0) {
        return -1;
    }
    mask = s->table_size - 1;
    for (i = (size_t)mt_hash(w, strlen(w), MT_HASH_SEED) & mask;
         s->table[i] != 0; i = (i + 1) & mask) {
        if (strcmp(s->terms[s->table[i] - 1].word, w) == 0) {
            return (long)(s->table[i] - 1);
        }
    }
    return -1;
}

static int rehash(struct mt_similar *s, size_t size)
{
    size_t i, k;

    mt_free(s->table);
    s->table = mt_calloc(size, sizeof(*s->table));
    s->table_size = s->table ? size : 0;
    if (s->table == NULL) {
        return -1;
    }
    for (i = 0; i < s->nterms; i++) {
        const char *w = s->terms[i].word;
        for (k = (size_t)mt_hash(w, strlen(w), MT_HASH_SEED) & (size - 1);
             s->table[k] != 0; k = (k + 1) & (size - 1)) {
        }
        s->table[k] = i + 1;
    }
    return 0;
}

static long add_term(struct mt_similar *s, const char *w)
{
    long t = find_term(s, w);
    struct term *x;

    if (t >= 0) {
        return t;
    }
    if (s->nterms == s->alloc) {
        size_t n = s->alloc ? s->alloc * 2 : 1024;
        struct term *grown = mt_realloc(s->terms, n * sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        s->terms = grown;
        s->alloc = n;
    }
    x = &s->terms[s->nterms];
    memset(x, 0, sizeof(*x));
    x->word = mt_strdup(w);
    if (x->word == NULL) {
        return -1;
    }
    s->nterms++;
    if (s->nterms * 2 > s->table_size &&
        rehash(s, s->table_size ? s->table_size * 2 : 2048) != 0) {
        return -1;
    }
    return (long)(s->nterms - 1);
}

/* While building: the words of one article's samples, with counts. */
struct article_words {
    struct mt_similar *s;
    int article;
    long *term;
    int *count;
    size_t n, alloc;
    int oom;
};

static void collect_word(void *ctx, const char *w, int part)
{
    struct article_words *aw = ctx;
    long t;

    (void)part;
    if (aw->oom || has_digit(w) || strlen(w) < 3 || frame_word(w)) {
        return;
    }
    t = add_term(aw->s, w);
    if (t < 0) {
        aw->oom = 1;
        return;
    }
    if (aw->s->terms[t].seen_in == aw->article + 1) {
        aw->count[aw->s->terms[t].slot]++;
        return;
    }
    if (aw->n == aw->alloc) {
        size_t n = aw->alloc ? aw->alloc * 2 : 64;
        long *gt = mt_realloc(aw->term, n * sizeof(*gt));
        int *gc = gt ? mt_realloc(aw->count, n * sizeof(*gc)) : NULL;
        if (gt != NULL) {
            aw->term = gt;
        }
        if (gc == NULL) {
            aw->oom = 1;
            return;
        }
        aw->count = gc;
        aw->alloc = n;
    }
    aw->term[aw->n] = t;
    aw->count[aw->n] = 1;
    aw->s->terms[t].seen_in = aw->article + 1;
    aw->s->terms[t].slot = aw->n;
    aw->n++;
}

static const char *sample_text(json_t *sample)
{
    return json_is_string(sample) ? json_string_value(sample)
                                  : json_string_value(
                                        json_object_get(sample, "text"));
}

static int add_posting(struct term *t, int article, double weight)
{
    struct posting *grown = mt_realloc(
        t->postings, (size_t)(t->npostings + 1) * sizeof(*grown));

    if (grown == NULL) {
        return -1;
    }
    t->postings = grown;
    t->postings[t->npostings].article = article;
    t->postings[t->npostings].weight = weight;
    t->npostings++;
    return 0;
}

/* Reads every article's samples; leaves each term's raw counts as
 * postings (weight = count), in article order. */
static int read_articles(struct mt_similar *s, const struct mt_patterns *p)
{
    struct article_words aw;
    size_t a, i, k;
    json_t *v;
    int rc = 0;

    memset(&aw, 0, sizeof(aw));
    aw.s = s;
    for (a = 0; a < s->narticles && rc == 0; a++) {
        aw.n = 0;
        aw.article = (int)a;
        for (i = 0; i < p->n; i++) {
            const struct mt_signature *sig = &p->sigs[i];
            if (sig->kind != MT_SIG_FINDING || sig->article_index != (int)a) {
                continue;
            }
            json_array_foreach(sig->samples, k, v) {
                const char *t = sample_text(v);
                if (t != NULL) {
                    mt_lookup_each_word(t, collect_word, &aw);
                }
            }
        }
        for (i = 0; i < aw.n && !aw.oom; i++) {
            if (add_posting(&s->terms[aw.term[i]], (int)a,
                            (double)aw.count[i]) != 0) {
                aw.oom = 1;
            }
        }
        rc = aw.oom ? -1 : 0;
    }
    mt_free(aw.term);
    mt_free(aw.count);
    return rc;
}

/* Turns counts into unit-length tf-idf vectors per article. */
static int weigh(struct mt_similar *s)
{
    double *norm = mt_calloc(s->narticles + 1, sizeof(*norm));
    size_t t;
    int k;

    if (norm == NULL) {
        return -1;
    }
    for (t = 0; t < s->nterms; t++) {
        struct term *x = &s->terms[t];
        x->idf = mt_lookup_ln(1.0 + (double)s->narticles / (double)x->npostings);
        for (k = 0; k < x->npostings; k++) {
            double w = (1.0 + mt_lookup_ln(x->postings[k].weight)) * x->idf;
            x->postings[k].weight = w;
            norm[x->postings[k].article] += w * w;
        }
    }
    for (t = 0; t < s->nterms; t++) {
        struct term *x = &s->terms[t];
        for (k = 0; k < x->npostings; k++) {
            x->postings[k].weight /= root(norm[x->postings[k].article]);
        }
    }
    s->unknown_idf = mt_lookup_ln(1.0 + (double)s->narticles);
    mt_free(norm);
    return 0;
}

struct mt_similar *mt_similar_new(const struct mt_patterns *p,
                                  const struct mt_kb *kb)
{
    struct mt_similar *s = mt_calloc(1, sizeof(*s));

    if (s == NULL) {
        return NULL;
    }
    s->narticles = kb->n;
    if (read_articles(s, p) != 0 || weigh(s) != 0) {
        mt_similar_free(s);
        return NULL;
    }
    return s;
}

void mt_similar_free(struct mt_similar *s)
{
    size_t i;

    if (s == NULL) {
        return;
    }
    for (i = 0; i < s->nterms; i++) {
        mt_free(s->terms[i].word);
        mt_free(s->terms[i].postings);
    }
    mt_free(s->terms);
    mt_free(s->table);
    mt_free(s);
}

size_t mt_similar_terms(const struct mt_similar *s)
{
    return s != NULL ? s->nterms : 0;
}

int mt_similar_scratch_init(struct mt_similar_scratch *w,
                            const struct mt_similar *s)
{
    size_t n = s->narticles + 1;

    memset(w, 0, sizeof(*w));
    w->score = mt_calloc(n, sizeof(*w->score));
    w->stamp = mt_calloc(n, sizeof(*w->stamp));
    w->touched = mt_calloc(n, sizeof(*w->touched));
    w->shared = mt_calloc(n, sizeof(*w->shared));
    if (w->score == NULL || w->stamp == NULL || w->touched == NULL ||
        w->shared == NULL) {
        mt_similar_scratch_free(w);
        return -1;
    }
    return 0;
}

void mt_similar_scratch_free(struct mt_similar_scratch *w)
{
    mt_free(w->score);
    mt_free(w->stamp);
    mt_free(w->touched);
    mt_free(w->shared);
    memset(w, 0, sizeof(*w));
}

/* The distinct words of a query and how often each occurs; a word no
 * sample has keeps term -1 and still counts in the query's length. */
struct query {
    const struct mt_similar *s;
    long term[MAX_QUERY_TERMS];
    char unknown[MAX_QUERY_TERMS][16]; /* prefix, to count repeats once */
    int count[MAX_QUERY_TERMS];
    int n;
};

static void query_word(void *ctx, const char *w, int part)
{
    struct query *q = ctx;
    long t;
    int i;

    (void)part;
    if (has_digit(w) || strlen(w) < 3 || q->n == MAX_QUERY_TERMS ||
        frame_word(w)) {
        return;
    }
    t = find_term(q->s, w);
    for (i = 0; i < q->n; i++) {
        if (t >= 0 ? q->term[i] == t
                   : q->term[i] < 0 &&
                         strncmp(q->unknown[i], w, sizeof(q->unknown[i]) - 1) ==
                             0) {
            q->count[i]++;
            return;
        }
    }
    q->term[q->n] = t;
    snprintf(q->unknown[q->n], sizeof(q->unknown[q->n]), "%s",
             t < 0 ? w : "");
    q->count[q->n] = 1;
    q->n++;
}

int mt_similar_best(const struct mt_similar *s,
                    struct mt_similar_scratch *w, const char *text,
                    size_t len, double *score)
{
    struct query q;
    double qnorm = 0.0, best_score = 0.0;
    int i, k, ntouched = 0, best = -1;

    (void)len; /* text is NUL-terminated at len (records and lines are) */
    *score = 0.0;
    if (s == NULL || s->nterms == 0) {
        return -1;
    }
    q.s = s;
    q.n = 0;
    mt_lookup_each_word(text, query_word, &q);
    if (++w->gen == 0) {
        memset(w->stamp, 0, (s->narticles + 1) * sizeof(*w->stamp));
        w->gen = 1;
    }
    for (i = 0; i < q.n; i++) {
        double tf = 1.0 + mt_lookup_ln((double)q.count[i]);
        double wq = tf * (q.term[i] >= 0 ? s->terms[q.term[i]].idf
                                         : s->unknown_idf);
        qnorm += wq * wq;
        if (q.term[i] < 0) {
            continue;
        }
        for (k = 0; k < s->terms[q.term[i]].npostings; k++) {
            const struct posting *p = &s->terms[q.term[i]].postings[k];
            if (w->stamp[p->article] != w->gen) {
                w->stamp[p->article] = w->gen;
                w->score[p->article] = 0.0;
                w->shared[p->article] = 0;
                w->touched[ntouched++] = p->article;
            }
            w->score[p->article] += wq * p->weight;
            w->shared[p->article]++;
        }
    }
    for (i = 0; i < ntouched; i++) {
        int a = w->touched[i];
        if (w->shared[a] < MT_SIMILAR_MIN_SHARED) {
            continue;
        }
        if (best < 0 || w->score[a] > best_score ||
            (w->score[a] == best_score && a < best)) {
            best = a;
            best_score = w->score[a];
        }
    }
    if (best >= 0 && qnorm > 0.0) {
        *score = best_score / root(qnorm);
    }
    return best;
}
