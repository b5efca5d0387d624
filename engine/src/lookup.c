/* lookup.c: help-desk lookup without a log. explain decodes the codes in a
 * text and runs it through every signature as a one-record log; kb search
 * ranks articles by weighted, typo-tolerant word matches; kb show and kb
 * list print articles. Text for people and JSON for scripts. */
#define _GNU_SOURCE /* qsort_r: the comparators take the engine as context */
#include "lookup.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "util.h"

/* Results a search prints, and those explain shows when nothing else
 * matched. */
#define SEARCH_MAX_RESULTS 10
#define EXPLAIN_SEARCH_RESULTS 3
/* A result must reach this score (of 100) and this share of the best
 * one: below that it matched a word or two of a long text by chance. */
#define SEARCH_MIN_SCORE 10.0
#define SEARCH_MIN_SHARE 0.25
/* Longest word indexed; longer runs (base64, GUIDs) are cut. */
#define MAX_WORD 64
/* Parts of a CamelCase query word scored (TooManyLargeItems...). */
#define MAX_PARTS 8
#define MAX_QUERY_TERMS 32
/* Near ids offered when kb show is given an unknown id. */
#define NEAR_IDS 3

/* Where a word was found in an article, and what it is worth there. */
enum {
    W_CAUSE = 1,
    W_SUMMARY = 2,
    W_TAG = 3, /* tags, codes, signature literals */
    W_TITLE = 4,
    W_MAX = 4
};

/* In strcmp order (looked up by bsearch). */
static const char *const stopwords[] = {
    "a",    "an",   "and",  "are",  "as",   "at",   "be",   "by",  "can",
    "do",   "for",  "from", "has",  "have", "in",   "is",   "it",  "its",
    "no",   "of",   "on",   "or",   "so",   "than", "that", "the", "then",
    "this", "to",   "was",  "when", "with"};

/* ---- words ---- */

/* The longest stopword ("from", "have", "than" ...): longer words, most
 * of them, are not compared with the list. */
#define MAX_STOPWORD 4

static int compare_word(const void *key, const void *item)
{
    return strcmp(key, *(const char *const *)item);
}

static int is_stopword(const char *w)
{
    if (strnlen(w, MAX_STOPWORD + 1) > MAX_STOPWORD) {
        return 0;
    }
    return bsearch(w, stopwords, sizeof(stopwords) / sizeof(stopwords[0]),
                   sizeof(stopwords[0]), compare_word) != NULL;
}

static int word_byte(unsigned char c)
{
    return isalnum(c) || c >= 0x80;
}

/* Plural and third-person endings folded so that "items" finds "item";
 * only on letters, so codes and numbers stay exact. */
static void stem(char *w)
{
    size_t n = strlen(w), i;

    for (i = 0; i < n; i++) {
        if (!islower((unsigned char)w[i])) {
            return;
        }
    }
    if (n > 4 && strcmp(w + n - 3, "ies") == 0) {
        strcpy(w + n - 3, "y");
    } else if (n > 3 && w[n - 1] == 's' && w[n - 2] != 's' &&
               w[n - 2] != 'u' && w[n - 2] != 'i') {
        w[n - 1] = '\0';
    }
}

static void lower_copy(char *dst, const char *src, size_t n)
{
    size_t i;

    if (n >= MAX_WORD) {
        n = MAX_WORD - 1;
    }
    for (i = 0; i < n; i++) {
        dst[i] = (char)tolower((unsigned char)src[i]);
    }
    dst[n] = '\0';
}

/* Splits a run at CamelCase humps: "TooManyLargeItems" -> Too Many Large
 * Items, "MAPIException" -> MAPI Exception. Letters and digits stay
 * together (HCW8001, 0x8004010f). Returns the number of parts. */
static int camel_parts(const char *s, size_t n, size_t *starts, size_t *lens,
                       int max)
{
    size_t i, from = 0;
    int k = 0;

    for (i = 1; i <= n && k < max; i++) {
        int cut = i == n;
        if (!cut) {
            unsigned char p = (unsigned char)s[i - 1], c = (unsigned char)s[i];
            unsigned char nx = i + 1 < n ? (unsigned char)s[i + 1] : 0;
            cut = (islower(p) && isupper(c)) ||
                  (isupper(p) && isupper(c) && islower(nx));
        }
        if (cut) {
            starts[k] = from;
            lens[k] = i - from;
            k++;
            from = i;
        }
    }
    return k;
}

typedef void (*word_fn)(void *ctx, const char *word, int part);

/* Calls fn for every word of text (lower-cased, stemmed, stopwords
 * dropped), then for the CamelCase parts of words that have them. */
static void each_word(const char *text, word_fn fn, void *ctx)
{
    const char *p = text;

    while (p != NULL && *p) {
        size_t n = 0, starts[MAX_PARTS], lens[MAX_PARTS];
        char w[MAX_WORD];
        int k, i;

        while (*p && !word_byte((unsigned char)*p)) {
            p++;
        }
        while (word_byte((unsigned char)p[n])) {
            n++;
        }
        if (n == 0) {
            break;
        }
        lower_copy(w, p, n);
        stem(w);
        if (!is_stopword(w) && (n > 1 || isdigit((unsigned char)*p))) {
            fn(ctx, w, 0);
        }
        k = camel_parts(p, n, starts, lens, MAX_PARTS);
        for (i = 0; k > 1 && i < k; i++) {
            lower_copy(w, p + starts[i], lens[i]);
            stem(w);
            if (!is_stopword(w) && lens[i] > 1) {
                fn(ctx, w, 1);
            }
        }
        p += n;
    }
}

void mt_lookup_each_word(const char *text, mt_word_fn fn, void *ctx)
{
    each_word(text, fn, ctx);
}

int mt_lookup_distance(const char *a, const char *b, int limit)
{
    int la = (int)strlen(a), lb = (int)strlen(b), i, j;
    int rows[3][MAX_WORD + 1];
    int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

    if (la > MAX_WORD || lb > MAX_WORD || abs(la - lb) > limit) {
        return limit + 1;
    }
    for (j = 0; j <= lb; j++) {
        prev[j] = j;
    }
    for (i = 1; i <= la; i++) {
        int best = limit + 1, *t;
        cur[0] = i;
        for (j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = prev[j - 1] + cost;
            if (prev[j] + 1 < v) {
                v = prev[j] + 1;
            }
            if (cur[j - 1] + 1 < v) {
                v = cur[j - 1] + 1;
            }
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < v) {
                v = prev2[j - 2] + 1;
            }
            cur[j] = v;
            if (v < best) {
                best = v;
            }
        }
        if (best > limit) {
            return limit + 1;
        }
        t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb] > limit ? limit + 1 : prev[lb];
}

static int has_digit(const char *w)
{
    for (; *w; w++) {
        if (isdigit((unsigned char)*w)) {
            return 1;
        }
    }
    return 0;
}

/* How well query word q matches indexed word t, 0..1. Prefixes cover a
 * word typed short ("larg"); one edit (or swap) on words of four letters
 * or more, two on words of seven or more, cover typos ("itme", "limt").
 * Codes and numbers match only exactly. */
static double similarity(const char *q, const char *t)
{
    size_t lq = strlen(q), lt = strlen(t);
    size_t shorter = lq < lt ? lq : lt;
    int d, limit;

    if (strcmp(q, t) == 0) {
        return 1.0;
    }
    if (has_digit(q) || has_digit(t)) {
        return 0.0;
    }
    if (lq >= 3 && lt > lq && strncmp(q, t, lq) == 0) {
        return 0.7;
    }
    if (shorter < 4) {
        return 0.0;
    }
    limit = shorter >= 7 ? 2 : 1;
    d = mt_lookup_distance(q, t, limit);
    if (d > limit) {
        return 0.0;
    }
    return d == 1 ? 0.6 : 0.4;
}

/* Natural logarithm for the idf weight, written out so that the engine
 * needs no libm: x = m * 2^k with m in [1, 2), ln m by the atanh series. */
static double ln(double x)
{
    double m = x, y, y2, sum = 0, term;
    int k = 0, i;

    if (x <= 0) {
        return 0;
    }
    while (m >= 2) {
        m /= 2;
        k++;
    }
    while (m < 1) {
        m *= 2;
        k--;
    }
    y = (m - 1) / (m + 1);
    y2 = y * y;
    term = y;
    for (i = 1; i < 40; i += 2) {
        sum += term / i;
        term *= y2;
    }
    return 2 * sum + k * 0.69314718055994530942;
}

double mt_lookup_ln(double x)
{
    return ln(x);
}

/* ---- the index: per article, its words and their best weight ---- */

/* The distinct words of all articles, each kept once: an article's terms
 * refer to them by number, so that adding a word to an article finds it
 * there at once, and a query word is compared with each distinct word
 * once however many articles have it. */
struct vocab {
    char **words;
    size_t n, alloc;
    size_t *table; /* word number + 1, 0 = empty */
    size_t size;
    /* While building: the article (+ 1) that last added the word, and the
     * word's slot among that article's terms. */
    size_t *seen_in;
    size_t *slot;
};

struct term {
    size_t word; /* into vocab */
    int weight;
};

struct doc {
    struct term *t;
    size_t n;
    size_t alloc;
};

struct lookup_index {
    struct doc *docs;
    size_t ndocs;
    struct vocab v;
    int failed;
};

struct add_ctx {
    struct lookup_index *ix;
    size_t doc;
    int weight;
};

static long vocab_find(const struct vocab *v, const char *w,
                       unsigned long long h)
{
    size_t i;

    if (v->size == 0) {
        return -1;
    }
    for (i = (size_t)h & (v->size - 1); v->table[i] != 0;
         i = (i + 1) & (v->size - 1)) {
        if (strcmp(v->words[v->table[i] - 1], w) == 0) {
            return (long)(v->table[i] - 1);
        }
    }
    return -1;
}

static int vocab_grow(struct vocab *v)
{
    size_t size = v->size ? v->size * 2 : 1024, i, k;
    size_t *table = mt_calloc(size, sizeof(*table));
    char **words = mt_realloc(v->words, size / 2 * sizeof(*words));
    size_t *seen_in, *slot;

    if (words != NULL) {
        v->words = words;
    }
    seen_in = words ? mt_realloc(v->seen_in, size / 2 * sizeof(*seen_in))
                    : NULL;
    if (seen_in != NULL) {
        v->seen_in = seen_in;
    }
    slot = seen_in ? mt_realloc(v->slot, size / 2 * sizeof(*slot)) : NULL;
    if (slot != NULL) {
        v->slot = slot;
    }
    if (table == NULL || slot == NULL) {
        mt_free(table);
        return -1;
    }
    for (i = 0; i < v->n; i++) {
        const char *w = v->words[i];
        for (k = (size_t)mt_hash(w, strlen(w), MT_HASH_SEED) & (size - 1);
             table[k] != 0; k = (k + 1) & (size - 1)) {
        }
        table[k] = i + 1;
    }
    mt_free(v->table);
    v->table = table;
    v->size = size;
    v->alloc = size / 2;
    return 0;
}

/* The number of word w, added when new; -1 when out of memory. */
static long vocab_add(struct vocab *v, const char *w)
{
    unsigned long long h = mt_hash(w, strlen(w), MT_HASH_SEED);
    long found = vocab_find(v, w, h);
    size_t k;

    if (found >= 0) {
        return found;
    }
    if (v->n + 1 > v->alloc && vocab_grow(v) != 0) {
        return -1;
    }
    v->words[v->n] = mt_strdup(w);
    if (v->words[v->n] == NULL) {
        return -1;
    }
    v->seen_in[v->n] = 0;
    for (k = (size_t)h & (v->size - 1); v->table[k] != 0;
         k = (k + 1) & (v->size - 1)) {
    }
    v->table[k] = v->n + 1;
    return (long)v->n++;
}

static void add_word(void *ctx, const char *word, int part)
{
    struct add_ctx *a = ctx;
    struct vocab *v = &a->ix->v;
    struct doc *d = &a->ix->docs[a->doc];
    long id;

    (void)part;
    if (a->ix->failed) {
        return;
    }
    id = vocab_add(v, word);
    if (id < 0) {
        a->ix->failed = 1;
        return;
    }
    if (v->seen_in[id] == a->doc + 1) {
        struct term *t = &d->t[v->slot[id]];
        if (a->weight > t->weight) {
            t->weight = a->weight;
        }
        return;
    }
    if (d->n == d->alloc) {
        size_t n = d->alloc ? d->alloc * 2 : 64;
        struct term *grown = mt_realloc(d->t, n * sizeof(*grown));
        if (grown == NULL) {
            a->ix->failed = 1;
            return;
        }
        d->t = grown;
        d->alloc = n;
    }
    v->seen_in[id] = a->doc + 1;
    v->slot[id] = d->n;
    d->t[d->n].word = (size_t)id;
    d->t[d->n].weight = a->weight;
    d->n++;
}

static void index_text(struct lookup_index *ix, size_t doc, const char *text,
                       int weight)
{
    struct add_ctx a = {ix, doc, weight};

    each_word(text, add_word, &a);
}

static void index_list(struct lookup_index *ix, size_t doc,
                       const struct mt_strlist *list, int weight)
{
    size_t i;

    for (i = 0; i < list->n; i++) {
        index_text(ix, doc, list->v[i], weight);
    }
}

static void index_free(struct lookup_index *ix)
{
    size_t i;

    for (i = 0; ix->docs != NULL && i < ix->ndocs; i++) {
        mt_free(ix->docs[i].t);
    }
    mt_free(ix->docs);
    for (i = 0; i < ix->v.n; i++) {
        mt_free(ix->v.words[i]);
    }
    mt_free(ix->v.words);
    mt_free(ix->v.table);
    mt_free(ix->v.seen_in);
    mt_free(ix->v.slot);
    memset(ix, 0, sizeof(*ix));
}

/* Built per search: the engine stays free of lookup state. Returns 0, or
 * -1 when out of memory. */
static int build_index(const struct mt_engine *e, struct lookup_index *ix)
{
    size_t i;

    memset(ix, 0, sizeof(*ix));
    ix->docs = mt_calloc(e->kb.n + 1, sizeof(*ix->docs));
    if (ix->docs == NULL) {
        return -1;
    }
    ix->ndocs = e->kb.n;
    for (i = 0; i < e->kb.n; i++) {
        const struct mt_article *a = &e->kb.articles[i];
        index_text(ix, i, a->id, W_TITLE);
        index_text(ix, i, a->title, W_TITLE);
        index_list(ix, i, &a->tags, W_TAG);
        index_list(ix, i, &a->codes, W_TAG);
        index_text(ix, i, a->summary, W_SUMMARY);
        index_text(ix, i, a->cause, W_CAUSE);
    }
    /* The names the code tables give an article's codes: a search for
     * MAPI_E_NOT_FOUND finds the article that lists 0x8004010F. */
    for (i = 0; i < e->kb.n; i++) {
        const struct mt_strlist *codes = &e->kb.articles[i].codes;
        size_t k;
        for (k = 0; k < codes->n; k++) {
            struct mt_code_list l = {NULL, 0, 0};
            size_t c;
            int r;
            if (mt_codes_scan(mt_knowledge_codes(e, 0), codes->v[k], &l) == 0) {
                for (c = 0; c < l.n; c++) {
                    for (r = 0; r < l.v[c].nrefs; r++) {
                        index_text(ix, i, l.v[c].refs[r].name, W_TAG);
                    }
                }
            }
            mt_codes_free(&l);
        }
    }
    /* The exception and error names a signature requires are the words a
     * help desk reads out. */
    for (i = 0; i < e->patterns.n; i++) {
        const struct mt_signature *s = &e->patterns.sigs[i];
        if (s->kind == MT_SIG_FINDING && s->article_index >= 0 &&
            s->literal != NULL) {
            index_text(ix, (size_t)s->article_index, s->literal, W_TAG);
        }
    }
    if (ix->failed) {
        index_free(ix);
        return -1;
    }
    return 0;
}

/* ---- queries ---- */

struct qterm {
    char whole[MAX_WORD];
    char parts[MAX_PARTS][MAX_WORD];
    int nparts;
};

struct query {
    struct qterm t[MAX_QUERY_TERMS];
    int n;
};

static void add_query_word(void *ctx, const char *word, int part)
{
    struct query *q = ctx;
    struct qterm *t;
    int i;

    if (part) {
        /* The parts of the word just added: scored as an alternative to
         * the whole word ("LargeItem" finds "large item"). */
        if (q->n > 0 && q->t[q->n - 1].nparts < MAX_PARTS) {
            t = &q->t[q->n - 1];
            snprintf(t->parts[t->nparts++], MAX_WORD, "%s", word);
        }
        return;
    }
    for (i = 0; i < q->n; i++) {
        if (strcmp(q->t[i].whole, word) == 0) {
            return; /* a word said twice counts once */
        }
    }
    if (q->n < MAX_QUERY_TERMS) {
        t = &q->t[q->n++];
        memset(t, 0, sizeof(*t));
        snprintf(t->whole, MAX_WORD, "%s", word);
    }
}

/* Query word w against the distinct words of the index, each compared
 * once: sim[k] is similarity(w, word k), or -1 until asked for. */
struct qword {
    const char *w;
    double *sim;
};

static double word_quality(const struct lookup_index *ix, const struct doc *d,
                           struct qword *q)
{
    double best = 0;
    size_t i;

    for (i = 0; i < d->n; i++) {
        size_t k = d->t[i].word;
        double s;
        if (q->sim[k] < 0) {
            q->sim[k] = similarity(q->w, ix->v.words[k]);
        }
        s = d->t[i].weight * q->sim[k];
        if (s > best) {
            best = s;
        }
    }
    return best / W_MAX;
}

/* A query word's match in one article, 0..1: the whole word, or the
 * average of its CamelCase parts at a discount. q[0] is the whole word,
 * q[1 .. nparts] its parts. */
static double term_quality(const struct lookup_index *ix, const struct doc *d,
                           struct qword *q, int nparts)
{
    double whole = word_quality(ix, d, &q[0]), parts = 0;
    int i;

    if (nparts == 0) {
        return whole;
    }
    for (i = 1; i <= nparts; i++) {
        parts += word_quality(ix, d, &q[i]);
    }
    parts = 0.8 * parts / nparts;
    return parts > whole ? parts : whole;
}

/* The comparators take the engine as qsort_r's context (a static would
 * make two searches on two threads race). */
static int compare_hits(const void *x, const void *y, void *ctx)
{
    const struct mt_engine *rank_engine = ctx;
    const struct mt_search_hit *a = x, *b = y;

    if (a->score != b->score) {
        return a->score < b->score ? 1 : -1;
    }
    return strcmp(rank_engine->kb.articles[a->article].id,
                  rank_engine->kb.articles[b->article].id);
}

/* score = 100 * coverage * sum(idf(w) * quality(w)) / sum(idf(w)), where
 * quality is the best weighted similarity of query word w to a word of
 * the article (1 = exact in the title or id), idf = ln((N + 1) / (df +
 * 0.5)) favours rare words, and coverage (the share of query words found
 * at all) puts articles that have every word first. */
int mt_lookup_search(const struct mt_engine *e, const char *query,
                     struct mt_search_hit *hits, int max)
{
    struct query *q = mt_calloc(1, sizeof(*q));
    struct lookup_index ix;
    struct qword words[1 + MAX_PARTS];
    struct mt_search_hit *all = NULL;
    double *qual = NULL, *sim = NULL, idf[MAX_QUERY_TERMS], idf_sum = 0;
    size_t i, k, nall = 0;
    int j, n = 0, p;

    if (q == NULL) {
        return -1;
    }
    each_word(query, add_query_word, q);
    if (q->n == 0 || e->kb.n == 0) {
        mt_free(q);
        return 0;
    }
    if (build_index(e, &ix) != 0) {
        mt_free(q);
        return -1;
    }
    qual = mt_calloc(e->kb.n * (size_t)q->n, sizeof(*qual));
    all = mt_calloc(e->kb.n, sizeof(*all));
    sim = mt_calloc((ix.v.n + 1) * (1 + MAX_PARTS), sizeof(*sim));
    if (qual == NULL || all == NULL || sim == NULL) {
        n = -1;
        goto done;
    }
    for (j = 0; j < q->n; j++) {
        size_t df = 0;
        for (p = 0; p <= q->t[j].nparts; p++) {
            words[p].w = p == 0 ? q->t[j].whole : q->t[j].parts[p - 1];
            words[p].sim = sim + (size_t)p * (ix.v.n + 1);
            for (k = 0; k < ix.v.n; k++) {
                words[p].sim[k] = -1;
            }
        }
        for (i = 0; i < e->kb.n; i++) {
            qual[i * (size_t)q->n + (size_t)j] =
                term_quality(&ix, &ix.docs[i], words, q->t[j].nparts);
            df += qual[i * (size_t)q->n + (size_t)j] > 0;
        }
        idf[j] = ln(((double)e->kb.n + 1.0) / ((double)df + 0.5));
        if (idf[j] < 0.1) {
            idf[j] = 0.1;
        }
        idf_sum += idf[j];
    }
    for (i = 0; i < e->kb.n; i++) {
        double sum = 0;
        int found = 0;
        for (j = 0; j < q->n; j++) {
            double v = qual[i * (size_t)q->n + (size_t)j];
            sum += idf[j] * v;
            found += v > 0;
        }
        if (found > 0) {
            all[nall].article = (int)i;
            all[nall].score = 100.0 * sum / idf_sum * found / q->n;
            nall++;
        }
    }
    qsort_r(all, nall, sizeof(*all), compare_hits, (void *)e);
    for (i = 0; i < nall && n < max; i++) {
        if (all[i].score < SEARCH_MIN_SCORE ||
            all[i].score < SEARCH_MIN_SHARE * all[0].score) {
            break;
        }
        hits[n++] = all[i];
    }
done:
    index_free(&ix);
    mt_free(sim);
    mt_free(qual);
    mt_free(all);
    mt_free(q);
    return n;
}

/* ---- articles ---- */

/* Worst and mildest severity among the signatures that report the
 * article; returns 0 when none does (a lookup-only article). */
static int severity_range(const struct mt_engine *e, int art, int *lo,
                          int *hi)
{
    size_t i;
    int any = 0;

    for (i = 0; i < e->patterns.n; i++) {
        const struct mt_signature *s = &e->patterns.sigs[i];
        if (s->kind != MT_SIG_FINDING || s->article_index != art) {
            continue;
        }
        if (!any || s->severity < *lo) {
            *lo = s->severity;
        }
        if (!any || s->severity > *hi) {
            *hi = s->severity;
        }
        any = 1;
    }
    return any;
}

static void severity_text(const struct mt_engine *e, int art, char *buf,
                          size_t cap)
{
    int lo = 0, hi = 0;

    if (!severity_range(e, art, &lo, &hi)) {
        snprintf(buf, cap, "-");
    } else if (lo == hi) {
        snprintf(buf, cap, "%s", mt_severity_name((enum mt_severity)lo));
    } else {
        snprintf(buf, cap, "%s-%s", mt_severity_name((enum mt_severity)lo),
                 mt_severity_name((enum mt_severity)hi));
    }
}

/* Templates filled from fields and context, or left with their
 * placeholders visible when there are none. */
static json_t *jtemplates(const struct mt_strlist *templates,
                          const struct mt_fields *fields,
                          const struct mt_fields *context)
{
    static const struct mt_fields none = {NULL, 0, 0};

    return mt_jfilled(templates, fields ? fields : &none,
                      context ? context : &none);
}

/* The whole article, as kb show --format json writes it. */
static json_t *jarticle(const struct mt_engine *e, int art,
                        const struct mt_fields *fields,
                        const struct mt_fields *context)
{
    const struct mt_article *a = &e->kb.articles[art];
    json_t *o = json_object(), *sigs = json_array();
    int lo = 0, hi = 0;
    size_t i;

    json_object_set_new(o, "id", mt_jstr(a->id));
    json_object_set_new(o, "title", mt_jstr(a->title));
    json_object_set_new(o, "family", mt_jstr(a->family));
    if (severity_range(e, art, &lo, &hi)) {
        json_t *sev = json_object();
        json_object_set_new(sev, "min",
                            mt_jstr(mt_severity_name((enum mt_severity)lo)));
        json_object_set_new(sev, "max",
                            mt_jstr(mt_severity_name((enum mt_severity)hi)));
        json_object_set_new(o, "severity", sev);
    } else {
        json_object_set_new(o, "severity", json_null());
    }
    json_object_set_new(o, "summary", mt_jstr(a->summary));
    json_object_set_new(o, "cause", mt_jstr(a->cause));
    json_object_set_new(o, "resolution", mt_jstrlist(&a->resolution));
    json_object_set_new(o, "commands",
                        jtemplates(&a->commands, fields, context));
    json_object_set_new(o, "verify", jtemplates(&a->verify, fields, context));
    json_object_set_new(o, "risk", mt_jstr(a->risk));
    json_object_set_new(o, "refs", mt_jstrlist(&a->refs));
    json_object_set_new(o, "codes", mt_jstrlist(&a->codes));
    json_object_set_new(o, "tags", mt_jstrlist(&a->tags));
    for (i = 0; i < e->patterns.n; i++) {
        const struct mt_signature *s = &e->patterns.sigs[i];
        if (s->kind == MT_SIG_FINDING && s->article_index == art) {
            json_array_append_new(sigs, mt_jstr(s->id));
        }
    }
    json_object_set_new(o, "signatures", sigs);
    json_object_set_new(o, "lookup_only", json_boolean(a->lookup_only));
    return o;
}

/* The fields kb show fills an article's commands from (explain's). */
struct body_out {
    FILE *out;
    const struct mt_fields *fields;
    const struct mt_fields *context;
};

static void put_templates(void *ctx, const char *heading,
                          const struct mt_strlist *templates)
{
    static const struct mt_fields none = {NULL, 0, 0};
    const struct body_out *bo = ctx;
    size_t i;

    fprintf(bo->out, "  %s:\n", heading);
    for (i = 0; i < templates->n; i++) {
        char *filled = mt_fill_template(templates->v[i],
                                        bo->fields ? bo->fields : &none,
                                        bo->context ? bo->context : &none);
        fputs("    ", bo->out);
        mt_put_clean(bo->out, filled ? filled : "", (size_t)-1);
        fputc('\n', bo->out);
        mt_free(filled);
    }
}

/* "0x80004005 (MAPI_E_CALL_FAILED, E_FAIL)": the article's codes with the
 * names the tables give them. */
static void put_codes(FILE *out, const struct mt_engine *e,
                      const struct mt_strlist *codes)
{
    size_t i;

    if (codes->n == 0) {
        return;
    }
    fputs("  Codes: ", out);
    for (i = 0; i < codes->n; i++) {
        struct mt_code_list l = {NULL, 0, 0};
        const char *s = codes->v[i];
        size_t k;
        int r, named = 0;

        fprintf(out, "%s%s", i ? ", " : "", s);
        if (mt_codes_scan(mt_knowledge_codes(e, 0), s, &l) == 0) {
            for (k = 0; k < l.n; k++) {
                for (r = 0; r < l.v[k].nrefs; r++) {
                    fprintf(out, "%s%s", named++ ? ", " : " (",
                            l.v[k].refs[r].name);
                }
            }
        }
        if (named) {
            fputc(')', out);
        }
        mt_codes_free(&l);
    }
    fputc('\n', out);
}

static void put_signatures(FILE *out, const struct mt_engine *e, int art)
{
    size_t i;
    int n = 0;

    for (i = 0; i < e->patterns.n; i++) {
        const struct mt_signature *s = &e->patterns.sigs[i];
        if (s->kind == MT_SIG_FINDING && s->article_index == art) {
            fprintf(out, "%s%s", n++ ? ", " : "  Signatures: ", s->id);
        }
    }
    if (n > 0) {
        fputc('\n', out);
    }
}

/* The body of an article for people: what, why, fix, commands (filled
 * where fields are given), checks, risk, references. */
static void put_body(FILE *out, const struct mt_engine *e, int art,
                     const struct mt_fields *fields,
                     const struct mt_fields *context, int details)
{
    const struct mt_article *a = &e->kb.articles[art];
    struct body_out bo = {out, fields, context};

    mt_put_text_article(out, a, 0, put_templates, &bo);
    if (details) {
        size_t i;

        put_codes(out, e, &a->codes);
        for (i = 0; i < a->tags.n; i++) {
            fprintf(out, "%s%s", i ? ", " : "  Tags: ", a->tags.v[i]);
        }
        if (a->tags.n > 0) {
            fputc('\n', out);
        }
        put_signatures(out, e, art);
    }
}

static void put_article_head(FILE *out, const struct mt_engine *e, int art)
{
    const struct mt_article *a = &e->kb.articles[art];
    char sev[32];

    severity_text(e, art, sev, sizeof(sev));
    fprintf(out, "%s: %s\n  Family: %s  Severity: %s%s\n", a->id, a->title,
            a->family, sev, a->lookup_only ? "  (lookup only)" : "");
}

static void dump(json_t *doc, FILE *out)
{
    json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
}

static int finish(struct mt_engine *e, FILE *out, int rc)
{
    fflush(out);
    if (rc >= 0 && ferror(out)) {
        snprintf(e->errmsg, sizeof(e->errmsg), "cannot write the output");
        return MT_EINPUT;
    }
    return rc;
}

static int check_loaded(struct mt_engine *e)
{
    if (!e->loaded) {
        snprintf(e->errmsg, sizeof(e->errmsg), "no knowledge loaded");
        return MT_EMISUSE;
    }
    return MT_OK;
}

/* ---- kb search ---- */

static void put_hits(FILE *out, const struct mt_engine *e,
                     const struct mt_search_hit *hits, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        const struct mt_article *a = &e->kb.articles[hits[i].article];
        fprintf(out, "  %3.0f  %s: %s\n       %s\n", hits[i].score, a->id,
                a->title, a->summary);
    }
}

static json_t *jhit(const struct mt_engine *e, const struct mt_search_hit *h)
{
    const struct mt_article *a = &e->kb.articles[h->article];
    json_t *o = json_object();

    json_object_set_new(o, "id", mt_jstr(a->id));
    json_object_set_new(o, "title", mt_jstr(a->title));
    json_object_set_new(o, "family", mt_jstr(a->family));
    json_object_set_new(o, "summary", mt_jstr(a->summary));
    json_object_set_new(o, "score", json_integer((json_int_t)(h->score +
                                                              0.5)));
    return o;
}

int mt_engine_kb_search(struct mt_engine *e, const char *query, FILE *out,
                        enum mt_format fmt)
{
    struct mt_search_hit hits[SEARCH_MAX_RESULTS];
    int n, i, rc = check_loaded(e);

    if (rc != MT_OK) {
        return rc;
    }
    n = mt_lookup_search(e, query, hits, SEARCH_MAX_RESULTS);
    if (n < 0) {
        snprintf(e->errmsg, sizeof(e->errmsg), "out of memory");
        return MT_ENOMEM;
    }
    if (fmt == MT_FORMAT_TEXT) {
        fputs("Search: ", out);
        mt_put_clean(out, query, 400);
        if (n == 0) {
            fputs("\nNo article matches.\n", out);
        } else {
            fprintf(out, "\n%d article%s, best first (scores out of 100; "
                         "migtriage kb show ID for the whole article):\n",
                    n, n == 1 ? "" : "s");
            put_hits(out, e, hits, n);
        }
    } else {
        json_t *doc = json_object(), *arr = json_array();
        for (i = 0; i < n; i++) {
            json_array_append_new(arr, jhit(e, &hits[i]));
        }
        json_object_set_new(doc, "query", mt_jstr(query));
        json_object_set_new(doc, "results", arr);
        dump(doc, out);
        json_decref(doc);
    }
    return finish(e, out, n);
}

/* ---- kb show ---- */

struct near {
    int article;
    int distance;
};

static int compare_near(const void *x, const void *y, void *ctx)
{
    const struct mt_engine *rank_engine = ctx;
    const struct near *a = x, *b = y;

    if (a->distance != b->distance) {
        return a->distance - b->distance;
    }
    return strcmp(rank_engine->kb.articles[a->article].id,
                  rank_engine->kb.articles[b->article].id);
}

/* Up to NEAR_IDS ids close to a mistyped one: by edit distance over the
 * whole id first (a typo), then by a search over its words (the words
 * right, the order or the family wrong). */
static int near_ids(const struct mt_engine *e, const char *id, int *out)
{
    struct near *cand = mt_calloc(e->kb.n + 1, sizeof(*cand));
    struct mt_search_hit hits[NEAR_IDS];
    size_t i, nc = 0, len = strlen(id);
    int limit = len / 4 > 2 ? (int)(len / 4) : 2, n = 0, k, j;
    char lowered[MAX_WORD];

    lower_copy(lowered, id, len);
    for (i = 0; cand != NULL && i < e->kb.n; i++) {
        int d = mt_lookup_distance(lowered, e->kb.articles[i].id, limit);
        if (d <= limit) {
            cand[nc].article = (int)i;
            cand[nc].distance = d;
            nc++;
        }
    }
    if (cand != NULL) {
        qsort_r(cand, nc, sizeof(*cand), compare_near, (void *)e);
    }
    for (i = 0; i < nc && n < NEAR_IDS; i++) {
        out[n++] = cand[i].article;
    }
    mt_free(cand);
    k = mt_lookup_search(e, id, hits, NEAR_IDS);
    for (j = 0; j < k && n < NEAR_IDS; j++) {
        int dup = 0, m;
        for (m = 0; m < n; m++) {
            dup |= out[m] == hits[j].article;
        }
        if (!dup) {
            out[n++] = hits[j].article;
        }
    }
    return n;
}

int mt_engine_kb_show(struct mt_engine *e, const char *id, FILE *out,
                      enum mt_format fmt)
{
    int art, rc = check_loaded(e);

    if (rc != MT_OK) {
        return rc;
    }
    art = mt_kb_find(&e->kb, id);
    if (art < 0) {
        int near[NEAR_IDS], n = near_ids(e, id, near), i;
        size_t used;

        snprintf(e->errmsg, sizeof(e->errmsg), "no article '%.200s'", id);
        used = strlen(e->errmsg);
        for (i = 0; i < n && used < sizeof(e->errmsg); i++) {
            snprintf(e->errmsg + used, sizeof(e->errmsg) - used, "%s%s",
                     i == 0 ? "; did you mean " : i == n - 1 ? " or " : ", ",
                     e->kb.articles[near[i]].id);
            used = strlen(e->errmsg);
        }
        if (n > 0 && used + 1 < sizeof(e->errmsg)) {
            strcat(e->errmsg, "?");
        }
        return MT_EINPUT;
    }
    if (fmt == MT_FORMAT_TEXT) {
        put_article_head(out, e, art);
        put_body(out, e, art, NULL, NULL, 1);
    } else {
        json_t *doc = jarticle(e, art, NULL, NULL);
        dump(doc, out);
        json_decref(doc);
    }
    return finish(e, out, MT_OK);
}

/* ---- kb list ---- */

static int compare_family(const void *x, const void *y, void *ctx)
{
    const struct mt_engine *rank_engine = ctx;
    const struct mt_article *a = &rank_engine->kb.articles[*(const int *)x];
    const struct mt_article *b = &rank_engine->kb.articles[*(const int *)y];
    int c = strcmp(a->family, b->family);

    /* Within a family, the order of the kb file. */
    return c ? c : (*(const int *)x > *(const int *)y) -
                       (*(const int *)x < *(const int *)y);
}

static void unknown_family(struct mt_engine *e, const char *family,
                           const int *order, size_t n)
{
    size_t i, used;

    snprintf(e->errmsg, sizeof(e->errmsg), "no family '%.100s' (known:",
             family);
    for (i = 0; i < n; i++) {
        const char *f = e->kb.articles[order[i]].family;
        if (i > 0 && strcmp(f, e->kb.articles[order[i - 1]].family) == 0) {
            continue;
        }
        used = strlen(e->errmsg);
        snprintf(e->errmsg + used, sizeof(e->errmsg) - used, " %s", f);
    }
    used = strlen(e->errmsg);
    snprintf(e->errmsg + used, sizeof(e->errmsg) - used, ")");
}

int mt_engine_kb_list(struct mt_engine *e, const char *family, FILE *out,
                      enum mt_format fmt)
{
    int *order, rc = check_loaded(e), shown = 0, width = 0;
    json_t *arr = NULL;
    size_t i, j;

    if (rc != MT_OK) {
        return rc;
    }
    order = mt_calloc(e->kb.n + 1, sizeof(*order));
    if (order == NULL) {
        return MT_ENOMEM;
    }
    for (i = 0; i < e->kb.n; i++) {
        order[i] = (int)i;
        if (family == NULL || strcmp(e->kb.articles[i].family, family) == 0) {
            int w = (int)strlen(e->kb.articles[i].id);
            width = w > width ? w : width;
        }
    }
    qsort_r(order, e->kb.n, sizeof(*order), compare_family, (void *)e);
    if (fmt != MT_FORMAT_TEXT) {
        arr = json_array();
    }
    for (i = 0; i < e->kb.n;) {
        const char *f = e->kb.articles[order[i]].family;
        size_t end = i;
        while (end < e->kb.n &&
               strcmp(e->kb.articles[order[end]].family, f) == 0) {
            end++;
        }
        if (family != NULL && strcmp(f, family) != 0) {
            i = end;
            continue;
        }
        if (arr == NULL) {
            fprintf(out, "%s%s (%zu article%s)\n", shown ? "\n" : "", f,
                    end - i, end - i == 1 ? "" : "s");
        }
        for (j = i; j < end; j++) {
            const struct mt_article *a = &e->kb.articles[order[j]];
            char sev[32];
            if (arr != NULL) {
                json_t *o = jarticle(e, order[j], NULL, NULL);
                json_t *brief = json_object();
                json_object_set(brief, "id", json_object_get(o, "id"));
                json_object_set(brief, "family",
                                json_object_get(o, "family"));
                json_object_set(brief, "severity",
                                json_object_get(o, "severity"));
                json_object_set(brief, "title", json_object_get(o, "title"));
                json_array_append_new(arr, brief);
                json_decref(o);
            } else {
                severity_text(e, order[j], sev, sizeof(sev));
                fprintf(out, "  %-*s  %-16s  %s\n", width, a->id, sev,
                        a->title);
            }
            shown++;
        }
        i = end;
    }
    if (family != NULL && shown == 0) {
        unknown_family(e, family, order, e->kb.n);
        json_decref(arr);
        mt_free(order);
        return MT_EINPUT;
    }
    if (arr != NULL) {
        json_t *doc = json_object();
        json_object_set_new(doc, "family", mt_jstr(family));
        json_object_set_new(doc, "articles", arr);
        dump(doc, out);
        json_decref(doc);
    }
    mt_free(order);
    return finish(e, out, shown);
}

/* ---- explain ---- */

struct explain {
    struct mt_engine *e;
    struct mt_fields context; /* from context signatures (Identity: ...) */
    struct mt_finding *found;
    size_t nfound;
    size_t alloc;
    const char *line;
    uint64_t lineno;
    int rc;
};

static int on_explain_hit(void *ctx, const struct mt_hit *hit)
{
    struct explain *x = ctx;
    struct mt_finding f;
    size_t i;
    int k;

    if (hit->sig->kind == MT_SIG_CONTEXT) {
        for (k = 0; k < hit->ncaps; k++) {
            if (hit->caps[k].len > 0) {
                mt_fields_set(&x->context, hit->caps[k].name,
                              hit->caps[k].value, hit->caps[k].len, 0);
            }
        }
        return 0;
    }
    memset(&f, 0, sizeof(f));
    f.sig = hit->sig_index;
    f.severity = hit->sig->severity;
    f.line = x->lineno;
    for (k = 0; k < hit->ncaps; k++) {
        mt_fields_set(&f.fields, hit->caps[k].name, hit->caps[k].value,
                      hit->caps[k].len, 0);
    }
    mt_fields_sort(&f.fields);
    /* The same signature with the same values on another line says
     * nothing new. */
    for (i = 0; i < x->nfound; i++) {
        if (x->found[i].sig == f.sig &&
            mt_fields_hash(&x->found[i].fields) == mt_fields_hash(&f.fields)) {
            mt_finding_clear(&f);
            return 0;
        }
    }
    f.origin = mt_strdup("query");
    f.message = mt_strdup(x->line);
    if (f.origin == NULL || f.message == NULL) {
        mt_finding_clear(&f);
        return MT_ENOMEM;
    }
    if (x->nfound == x->alloc) {
        size_t n = x->alloc ? x->alloc * 2 : 8;
        struct mt_finding *grown = mt_realloc(x->found, n * sizeof(*grown));
        if (grown == NULL) {
            mt_finding_clear(&f);
            return MT_ENOMEM;
        }
        x->found = grown;
        x->alloc = n;
    }
    x->found[x->nfound++] = f;
    return 0;
}

/* Each line of the text is a one-record log. */
static int match_text(struct explain *x, const char *text)
{
    const char *p = text;
    size_t i;

    while (*p) {
        size_t n = strcspn(p, "\r\n");
        char *line = mt_strndup(p, n);
        struct mt_record r;
        int error_like = 0, rc;

        if (line == NULL) {
            return MT_ENOMEM;
        }
        memset(&r, 0, sizeof(r));
        r.kind = MT_REC_LINE;
        r.text = line;
        r.len = n;
        r.line = r.last_line = ++x->lineno;
        x->line = line;
        rc = n > 0 ? mt_matcher_run(x->e->matcher, &r, on_explain_hit, x,
                                    &error_like)
                   : 0;
        mt_free(line);
        if (rc < 0) {
            return rc;
        }
        p += n;
        if (*p == '\r' && p[1] == '\n') {
            p++;
        }
        if (*p) {
            p++;
        }
    }
    for (i = 0; i < x->nfound; i++) {
        mt_fields_merge_missing(&x->found[i].context, &x->context);
        mt_fields_sort(&x->found[i].context);
    }
    return MT_OK;
}

/* Articles a code points at: the table entry's own article, and every
 * article that lists the code. */
struct related {
    int article;
    const struct mt_code *code;
};

static int add_related(struct related *rel, int n, int max, int art,
                       const struct mt_code *c, const struct explain *x)
{
    const struct mt_engine *e = x->e;
    size_t i;
    int k;

    if (art < 0 || n >= max) {
        return n;
    }
    for (k = 0; k < n; k++) {
        if (rel[k].article == art) {
            return n;
        }
    }
    for (i = 0; i < x->nfound; i++) {
        if (e->patterns.sigs[x->found[i].sig].article_index == art) {
            return n; /* shown in full with the match */
        }
    }
    rel[n].article = art;
    rel[n].code = c;
    return n + 1;
}

/* An article that lists Win32 1722 (or 0x6ba) is about 0x800706BA too:
 * FACILITY_WIN32 carries the Win32 code in its low word. */
static int same_win32(const struct mt_code *listed, const struct mt_code *c)
{
    return c->kind == MT_CODE_HRESULT && (c->value >> 31) &&
           ((c->value >> 16) & 0x7ffu) == 7 &&
           listed->kind == MT_CODE_NUMBER &&
           listed->value == (c->value & 0xffffu);
}

static int related_articles(const struct explain *x,
                            const struct mt_code_list *codes,
                            struct related *rel, int max)
{
    const struct mt_engine *e = x->e;
    size_t i, a, k;
    int n = 0, r;

    for (i = 0; i < codes->n; i++) {
        const struct mt_code *c = &codes->v[i];
        for (r = 0; r < c->nrefs; r++) {
            if (c->refs[r].article != NULL) {
                n = add_related(rel, n, max,
                                mt_kb_find(&e->kb, c->refs[r].article), c, x);
            }
        }
        for (r = 0; r < c->nrefs; r++) {
            if (c->refs[r].generic) {
                break;
            }
        }
        for (a = 0; r == c->nrefs && a < e->kb.n; a++) {
            const struct mt_strlist *list = &e->kb.articles[a].codes;
            for (k = 0; k < list->n; k++) {
                struct mt_code listed;
                if (mt_code_parse(list->v[k], &listed) &&
                    (mt_code_same(&listed, c) || same_win32(&listed, c))) {
                    n = add_related(rel, n, max, (int)a, c, x);
                }
            }
        }
    }
    return n;
}

/* What a code was read as, for the line that introduces it. */
static void put_kind(FILE *out, const struct mt_code *c)
{
    switch (c->kind) {
    case MT_CODE_HRESULT:
        fprintf(out, " = HRESULT %s\n", c->code);
        break;
    case MT_CODE_EC:
        fprintf(out, " = Exchange store ec %s\n", c->code);
        break;
    case MT_CODE_HTTP:
        fprintf(out, " = HTTP status %s\n", c->code);
        break;
    case MT_CODE_NUMBER:
        fprintf(out, " = number %s, looked up as Win32 and as Exchange ec\n",
                c->code);
        break;
    case MT_CODE_LITERAL:
    default:
        fputc('\n', out);
        break;
    }
}

static json_t *jhresult(const struct mt_code *c)
{
    struct mt_hresult h;
    const char *fname;
    json_t *o = json_object();

    mt_hresult_split(c->value, &h);
    fname = mt_facility_name(h.facility);
    json_object_set_new(o, "severity", json_integer(h.severity));
    json_object_set_new(o, "customer", json_integer(h.customer));
    json_object_set_new(o, "facility", json_integer((json_int_t)h.facility));
    json_object_set_new(o, "facility_name", mt_jstr(fname));
    json_object_set_new(o, "code", json_integer((json_int_t)h.code));
    if (c->has_win32) {
        json_t *w = json_object();
        json_object_set_new(w, "code", mt_jstr(c->win32.code));
        json_object_set_new(w, "name", mt_jstr(c->win32.name));
        json_object_set_new(w, "meaning", mt_jstr(c->win32.meaning));
        json_object_set_new(o, "win32", w);
    }
    return o;
}

/* One entry per table the code was found in (1722 is in two), or one
 * with table null when no table knows it. */
static void jcode(json_t *arr, const struct mt_code *c)
{
    static const char *const kinds[] = {"hresult", "number", "ec", "http",
                                        "literal"};
    int r, n = c->nrefs > 0 ? c->nrefs : 1, k;

    for (r = 0; r < n; r++) {
        const struct mt_code_ref *ref = c->nrefs > 0 ? &c->refs[r] : NULL;
        json_t *o = json_object();
        json_object_set_new(o, "input", mt_jstr(c->input));
        if (c->nalso > 0) {
            json_t *also = json_array();
            for (k = 0; k < c->nalso; k++) {
                json_array_append_new(also, mt_jstr(c->also[k]));
            }
            json_object_set_new(o, "also", also);
        }
        json_object_set_new(o, "kind", mt_jstr(kinds[c->kind]));
        json_object_set_new(o, "table", mt_jstr(ref ? ref->table : NULL));
        json_object_set_new(o, "code", mt_jstr(ref ? ref->code : c->code));
        json_object_set_new(o, "name", mt_jstr(ref ? ref->name : NULL));
        json_object_set_new(o, "meaning", mt_jstr(ref ? ref->meaning : NULL));
        json_object_set_new(o, "article", mt_jstr(ref ? ref->article : NULL));
        if (c->kind == MT_CODE_HRESULT) {
            json_object_set_new(o, "hresult", jhresult(c));
        }
        json_array_append_new(arr, o);
    }
}

static void put_code(FILE *out, const struct mt_code *c)
{
    int r, k;

    fputs("  ", out);
    mt_put_clean(out, c->input, 200);
    for (k = 0; k < c->nalso; k++) {
        fputs(k == 0 ? " (also written " : ", ", out);
        mt_put_clean(out, c->also[k], 200);
    }
    fputs(c->nalso ? ")" : "", out);
    put_kind(out, c);
    for (r = 0; r < c->nrefs; r++) {
        fprintf(out, "    %s %s: %s\n      %s\n", c->refs[r].table,
                c->refs[r].code, c->refs[r].name, c->refs[r].meaning);
    }
    if (c->kind == MT_CODE_HRESULT) {
        struct mt_hresult h;
        const char *fname;

        mt_hresult_split(c->value, &h);
        fname = mt_facility_name(h.facility);
        fprintf(out,
                "    HRESULT: severity %d (%s), customer %d, facility %u "
                "(%s), code 0x%04X (%u)\n",
                h.severity, h.severity ? "failure" : "success", h.customer,
                h.facility, fname ? fname : "unknown facility", h.code,
                h.code);
        if (h.nt) {
            fputs("    The N bit is set: an NTSTATUS wrapped as an "
                  "HRESULT.\n",
                  out);
        }
        if (c->has_win32) {
            fprintf(out, "    Win32 code %s: %s\n      %s\n", c->win32.code,
                    c->win32.name, c->win32.meaning);
        }
    }
    if (c->nrefs == 0 && !c->has_win32) {
        fputs("    not in the code tables\n", out);
    }
}

static void put_match(FILE *out, struct mt_engine *e,
                      const struct mt_finding *f)
{
    const struct mt_signature *s = &e->patterns.sigs[f->sig];
    const struct mt_article *a = mt_engine_article_of(e, f->sig);
    char label[16];
    int i;

    snprintf(label, sizeof(label), "%s",
             mt_severity_name((enum mt_severity)f->severity));
    for (i = 0; label[i]; i++) {
        label[i] = (char)toupper((unsigned char)label[i]);
    }
    fprintf(out, "%-8s %s  [%s]\n", label, a ? a->title : "(no article)",
            a ? a->id : s->article);
    fprintf(out, "  matched by %s", s->id);
    for (i = 0; i < f->fields.n; i++) {
        fprintf(out, "%s%s=", i ? ", " : ": ", f->fields.kv[i].name);
        mt_put_clean(out, f->fields.kv[i].value, 200);
    }
    fputc('\n', out);
    if (a != NULL) {
        put_body(out, e, s->article_index, &f->fields, &f->context, 0);
    }
}

/* The stable names in a text (kb/names): kind, meaning and the article
 * each points at. Returns how many were shown. */
static int put_names(FILE *out, const struct mt_engine *e, const char *text)
{
    size_t off = 0, n = strlen(text), start, len;
    int shown = 0, k;

    while (off < n && shown < 20 &&
           (k = mt_names_find_from(&e->names, text + off, n - off, 1, &start,
                                   &len)) >= 0) {
        const struct mt_name *x = &e->names.v[k];
        fputs(shown++ == 0 ? "\nNames:\n" : "", out);
        fprintf(out, "  %s (%s): %s\n    article: %s\n", x->name, x->kind,
                x->meaning, x->article ? x->article : "none");
        off += start + len;
    }
    return shown;
}

#define MAX_RELATED 16
/* Lines of a pasted text echoed before the explanation. */
#define ECHO_LINES 20

/* The text being explained: one line as is, a pasted block line by line
 * (blank lines dropped), without control characters. */
static void put_query(FILE *out, const char *text)
{
    const char *p = text;
    int lines = 0;

    if (strpbrk(text, "\r\n") == NULL) {
        fputs("Explain: ", out);
        mt_put_clean(out, text, 2000);
        fputc('\n', out);
        return;
    }
    fputs("Explain:\n", out);
    while (*p) {
        size_t n = strcspn(p, "\r\n");
        if (n > 0 && lines++ < ECHO_LINES) {
            char *line = mt_strndup(p, n);
            fputs("  ", out);
            mt_put_clean(out, line ? line : "", 2000);
            fputc('\n', out);
            mt_free(line);
        }
        p += n;
        p += strspn(p, "\r\n");
    }
    if (lines > ECHO_LINES) {
        fprintf(out, "  ... (%d lines in all)\n", lines);
    }
}

int mt_engine_explain(struct mt_engine *e, const char *text, FILE *out,
                      enum mt_format fmt)
{
    struct explain x;
    struct mt_code_list codes = {NULL, 0, 0};
    struct related rel[MAX_RELATED];
    struct mt_search_hit hits[EXPLAIN_SEARCH_RESULTS];
    int nrel = 0, nhits = 0, explained = 0, rc = check_loaded(e);
    size_t i;

    if (rc != MT_OK) {
        return rc;
    }
    memset(&x, 0, sizeof(x));
    x.e = e;
    if (mt_codes_scan(mt_knowledge_codes(e, 0), text, &codes) != 0 ||
        (rc = match_text(&x, text)) == MT_ENOMEM) {
        rc = MT_ENOMEM;
        goto done;
    }
    rc = MT_OK;
    nrel = related_articles(&x, &codes, rel, MAX_RELATED);
    if (codes.n == 0 && x.nfound == 0) {
        nhits = mt_lookup_search(e, text, hits, EXPLAIN_SEARCH_RESULTS);
        if (nhits < 0) {
            rc = MT_ENOMEM;
            goto done;
        }
    }
    for (i = 0; i < codes.n; i++) {
        explained += codes.v[i].nrefs > 0 || codes.v[i].has_win32;
    }
    explained += (int)x.nfound + nrel + nhits;
    if (fmt == MT_FORMAT_TEXT) {
        put_query(out, text);
        if (codes.n > 0) {
            fputs("\nCodes:\n", out);
            for (i = 0; i < codes.n; i++) {
                put_code(out, &codes.v[i]);
            }
        }
        explained += put_names(out, e, text);
        for (i = 0; i < x.nfound; i++) {
            fputs(i == 0 ? "\nMatching problems:\n\n" : "\n", out);
            put_match(out, e, &x.found[i]);
        }
        for (i = 0; i < (size_t)nrel; i++) {
            fputs(i == 0 ? "\nArticles for these codes:\n\n" : "\n", out);
            put_article_head(out, e, rel[i].article);
            put_body(out, e, rel[i].article, NULL, NULL, 0);
        }
        if (nhits > 0) {
            fputs("\nNo code or known message in it; the closest articles "
                  "(migtriage kb show ID):\n",
                  out);
            put_hits(out, e, hits, nhits);
        }
        if (explained == 0) {
            fputs("\nNothing in the knowledge base matches this. Try "
                  "migtriage kb search with other words.\n",
                  out);
        }
    } else {
        json_t *doc = json_object(), *jc = json_array(), *jm = json_array();
        json_t *ja = json_array();
        for (i = 0; i < codes.n; i++) {
            jcode(jc, &codes.v[i]);
        }
        for (i = 0; i < x.nfound; i++) {
            json_array_append_new(jm, mt_jfinding(e, &x.found[i]));
        }
        for (i = 0; i < (size_t)nrel; i++) {
            json_t *o = jarticle(e, rel[i].article, NULL, NULL);
            json_object_set_new(o, "reason", mt_jstr("code"));
            json_object_set_new(o, "code", mt_jstr(rel[i].code->code));
            json_array_append_new(ja, o);
        }
        for (i = 0; i < (size_t)nhits; i++) {
            json_t *o = jarticle(e, hits[i].article, NULL, NULL);
            json_object_set_new(o, "reason", mt_jstr("search"));
            json_object_set_new(
                o, "score", json_integer((json_int_t)(hits[i].score + 0.5)));
            json_array_append_new(ja, o);
        }
        json_object_set_new(doc, "query", mt_jstr(text));
        json_object_set_new(doc, "codes", jc);
        json_object_set_new(doc, "matches", jm);
        json_object_set_new(doc, "articles", ja);
        dump(doc, out);
        json_decref(doc);
    }
done:
    for (i = 0; i < x.nfound; i++) {
        mt_finding_clear(&x.found[i]);
    }
    mt_free(x.found);
    mt_fields_clear(&x.context);
    mt_codes_free(&codes);
    if (rc == MT_ENOMEM) {
        snprintf(e->errmsg, sizeof(e->errmsg), "out of memory");
        return rc;
    }
    return finish(e, out, explained);
}
