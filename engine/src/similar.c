/* similar.c: TF-IDF index of the articles' samples and the cosine of a
 * line against it. Built once at load; a query reads the line's words,
 * looks each up in a hash table and walks its short posting list, so a
 * line costs about a microsecond whatever the size of the knowledge. */
#include "similar.h"

#include <stdio.h>
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
    int stable; /* a CamelCase class name or an error code (see stable_word) */
    struct posting *postings;
    int npostings;
};

struct mt_similar {
    struct term *terms;
    size_t nterms;
    size_t alloc;
    size_t *table; /* term index + 1, 0 = empty */
    size_t table_size;
    size_t narticles;
    double unknown_idf; /* of a word no sample has */
    struct mt_similar_tuning tuning;
};

const struct mt_similar_tuning mt_similar_default_tuning = {
    MT_SIMILAR_THRESHOLD, MT_SIMILAR_MARGIN, MT_SIMILAR_STABLE_WEIGHT, 1};

/* Words of PowerShell's error-record frame and log scaffolding (the
 * bracketed fields of an HCW log line, the parts of a URL) and of the
 * boilerplate that closes many unrelated messages ("Please try again. If
 * the problem continues, contact your administrator"): they would make
 * any two errors look alike. */
static const char *const frame_words[] = {
    "categoryinfo", "category",  "info",     "notspecified", "specified",
    "fullyqualifiederrorid",    "fully",    "qualified",    "pscomputername",
    "computer",     "name",      "char",     "line",         "error",
    "exception",    "failed",    "failure",  "microsoft",    "exchange",
    "system",       "management", "automation", "invalidoperation",
    "invalidargument", "objectnotfound", "operation", "argument",
    "client", "page", "workflow", "thread", "phase", "task", "finish",
    "start", "results", "time", "https", "http", "www", "com", "fwlink",
    "linkid", "clcid", "uri", "please", "try", "again", "continue",
    "continues", "problem", "contact", "administrator", "admin", "sorry",
    NULL};

static int frame_word(const char *w)
{
    int i;

    for (i = 0; frame_words[i]; i++) {
        if (strcmp(frame_words[i], w) == 0) {
            return 1;
        }
    }
    return 0;
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

/* An error code written as one word: 0x8004010f, hcw8001, aadsts50034.
 * Unlike a number, a GUID part or a server name (bl2prd0410ca012), it
 * names the problem. */
static int code_word(const char *w)
{
    size_t n = strlen(w), i = 0, letters, digits;

    if (n == 10 && w[0] == '0' && w[1] == 'x') {
        for (i = 2; i < n && ((w[i] >= '0' && w[i] <= '9') ||
                              (w[i] >= 'a' && w[i] <= 'f'));
             i++) {
        }
        return i == n;
    }
    while (i < n && w[i] >= 'a' && w[i] <= 'z') {
        i++;
    }
    letters = i;
    while (i < n && w[i] >= '0' && w[i] <= '9') {
        i++;
    }
    digits = i - letters;
    return i == n && letters >= 2 && letters <= 8 && digits >= 3 &&
           digits <= 6;
}

/* Whether w is a word the index reads at all. */
static int indexed_word(const char *w)
{
    if (strlen(w) < 3 || frame_word(w)) {
        return 0;
    }
    return !has_digit(w) || code_word(w);
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

/* Puts term i in the hash table (which has room). */
static void place(struct mt_similar *s, size_t i)
{
    size_t mask = s->table_size - 1, k;
    const char *w = s->terms[i].word;

    for (k = (size_t)mt_hash(w, strlen(w), MT_HASH_SEED) & mask;
         s->table[k] != 0; k = (k + 1) & mask) {
    }
    s->table[k] = i + 1;
}

static int rehash(struct mt_similar *s, size_t size)
{
    size_t i;

    mt_free(s->table);
    s->table = mt_calloc(size, sizeof(*s->table));
    s->table_size = s->table ? size : 0;
    if (s->table == NULL) {
        return -1;
    }
    for (i = 0; i < s->nterms; i++) {
        place(s, i);
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
    if (s->nterms * 2 > s->table_size) {
        /* rehash() places every term, the new one included */
        if (rehash(s, s->table_size ? s->table_size * 2 : 2048) != 0) {
            return -1;
        }
    } else {
        place(s, s->nterms - 1);
    }
    return (long)(s->nterms - 1);
}

/* each_word reports a token whole (part 0), then its CamelCase parts
 * (part 1). A whole word followed by parts of itself is a class name
 * (TooManyBadItemsPermanentException): a stable token. */
struct camel {
    char last[64]; /* the last whole word read */
    int parts_seen;
};

/* Returns 1 when w is the first CamelCase part of the last whole word. */
static int camel_step(struct camel *c, const char *w, int part)
{
    if (part == 0) {
        snprintf(c->last, sizeof(c->last), "%s", w);
        c->parts_seen = 0;
        return 0;
    }
    if (c->parts_seen++ == 0 && strstr(c->last, w) != NULL) {
        return 1;
    }
    return 0;
}

/* A word the index weighs as stable on its own spelling: an error code. */
static int stable_spelling(const char *w)
{
    return has_digit(w) && code_word(w);
}

/* While building: the words of one article's text, with counts. */
struct article_words {
    struct mt_similar *s;
    long *term;
    int *count;
    size_t n, alloc;
    struct camel camel;
    long last_term; /* term of the last whole word, -1 when not indexed */
    int oom;
};

static void collect_word(void *ctx, const char *w, int part)
{
    struct article_words *aw = ctx;
    long t;
    size_t i;

    if (camel_step(&aw->camel, w, part) && aw->last_term >= 0) {
        aw->s->terms[aw->last_term].stable = 1;
    }
    if (part == 0) {
        aw->last_term = -1;
    }
    if (aw->oom || !indexed_word(w)) {
        return;
    }
    t = add_term(aw->s, w);
    if (t < 0) {
        aw->oom = 1;
        return;
    }
    if (part == 0) {
        aw->last_term = t;
    }
    if (stable_spelling(w)) {
        aw->s->terms[t].stable = 1;
    }
    for (i = 0; i < aw->n; i++) {
        if (aw->term[i] == t) {
            aw->count[i]++;
            return;
        }
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
    aw->n++;
}

static void read_text(struct article_words *aw, const char *text)
{
    if (text != NULL) {
        memset(&aw->camel, 0, sizeof(aw->camel));
        aw->last_term = -1;
        mt_lookup_each_word(text, collect_word, aw);
    }
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

/* The text that stands for article a: the samples of its signatures,
 * and (with article_text) its title and summary and the stable names
 * that point at it with their meanings, so that an error worded unlike
 * any sample still meets the article's own vocabulary. */
static void read_article(struct article_words *aw, const struct mt_patterns *p,
                         const struct mt_kb *kb, const struct mt_names *nm,
                         size_t a)
{
    size_t i, k;
    json_t *v;

    for (i = 0; i < p->n; i++) {
        const struct mt_signature *sig = &p->sigs[i];
        if (sig->kind != MT_SIG_FINDING || sig->article_index != (int)a) {
            continue;
        }
        json_array_foreach(sig->samples, k, v) {
            read_text(aw, sample_text(v));
        }
    }
    if (!aw->s->tuning.article_text) {
        return;
    }
    read_text(aw, kb->articles[a].title);
    read_text(aw, kb->articles[a].summary);
    for (i = 0; nm != NULL && i < nm->n; i++) {
        if (nm->v[i].article_index == (int)a &&
            strcmp(nm->v[i].kind, "event") != 0) {
            read_text(aw, nm->v[i].name);
            read_text(aw, nm->v[i].meaning);
        }
    }
}

/* Reads every article's text; leaves each term's raw counts as postings
 * (weight = count), in article order. */
static int read_articles(struct mt_similar *s, const struct mt_patterns *p,
                         const struct mt_kb *kb, const struct mt_names *nm)
{
    struct article_words aw;
    size_t a, i;
    int rc = 0;

    memset(&aw, 0, sizeof(aw));
    aw.s = s;
    for (a = 0; a < s->narticles && rc == 0; a++) {
        aw.n = 0;
        read_article(&aw, p, kb, nm, a);
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

static double term_weight(const struct mt_similar *s, int stable)
{
    return stable ? s->tuning.stable_weight : 1.0;
}

/* Turns counts into unit-length tf-idf vectors per article; stable terms
 * weigh stable_weight times an ordinary word of the same rarity. */
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
            double w = (1.0 + mt_lookup_ln(x->postings[k].weight)) * x->idf *
                       term_weight(s, x->stable);
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

struct mt_similar *mt_similar_new_tuned(const struct mt_patterns *p,
                                        const struct mt_kb *kb,
                                        const struct mt_names *names,
                                        const struct mt_similar_tuning *tuning)
{
    struct mt_similar *s = mt_calloc(1, sizeof(*s));

    if (s == NULL) {
        return NULL;
    }
    s->narticles = kb->n;
    s->tuning = *tuning;
    if (read_articles(s, p, kb, names) != 0 || weigh(s) != 0) {
        mt_similar_free(s);
        return NULL;
    }
    return s;
}

struct mt_similar *mt_similar_new(const struct mt_patterns *p,
                                  const struct mt_kb *kb,
                                  const struct mt_names *names)
{
    return mt_similar_new_tuned(p, kb, names, &mt_similar_default_tuning);
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

int mt_similar_stable(const struct mt_similar *s, const char *word)
{
    long t = s != NULL ? find_term(s, word) : -1;

    return t >= 0 && s->terms[t].stable;
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
    int stable[MAX_QUERY_TERMS];
    int n;
    struct camel camel;
    int last; /* entry of the last whole word, -1 when not read */
};

static void query_word(void *ctx, const char *w, int part)
{
    struct query *q = ctx;
    long t;
    int i;

    if (camel_step(&q->camel, w, part) && q->last >= 0) {
        q->stable[q->last] = 1;
    }
    if (part == 0) {
        q->last = -1;
    }
    if (!indexed_word(w) || q->n == MAX_QUERY_TERMS) {
        return;
    }
    t = find_term(q->s, w);
    for (i = 0; i < q->n; i++) {
        if (t >= 0 ? q->term[i] == t
                   : q->term[i] < 0 &&
                         strncmp(q->unknown[i], w, sizeof(q->unknown[i]) - 1) ==
                             0) {
            q->count[i]++;
            q->last = part == 0 ? i : q->last;
            return;
        }
    }
    q->term[q->n] = t;
    snprintf(q->unknown[q->n], sizeof(q->unknown[q->n]), "%s",
             t < 0 ? w : "");
    q->count[q->n] = 1;
    q->stable[q->n] = stable_spelling(w) || (t >= 0 && q->s->terms[t].stable);
    q->last = part == 0 ? q->n : q->last;
    q->n++;
}

int mt_similar_rank(const struct mt_similar *s, struct mt_similar_scratch *w,
                    const char *text, struct mt_similar_match *m)
{
    struct query q;
    double qnorm = 0.0;
    int i, k, ntouched = 0;

    memset(m, 0, sizeof(*m));
    m->article = m->runner_up = -1;
    if (s == NULL || s->nterms == 0) {
        return -1;
    }
    memset(&q.camel, 0, sizeof(q.camel));
    q.s = s;
    q.n = 0;
    q.last = -1;
    mt_lookup_each_word(text, query_word, &q);
    if (++w->gen == 0) {
        memset(w->stamp, 0, (s->narticles + 1) * sizeof(*w->stamp));
        w->gen = 1;
    }
    for (i = 0; i < q.n; i++) {
        double tf = 1.0 + mt_lookup_ln((double)q.count[i]);
        double wq = tf *
                    (q.term[i] >= 0 ? s->terms[q.term[i]].idf : s->unknown_idf) *
                    term_weight(s, q.stable[i] && q.term[i] >= 0);
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
        double sc = w->score[a];
        if (w->shared[a] < MT_SIMILAR_MIN_SHARED) {
            continue;
        }
        if (m->article < 0 || sc > m->score ||
            (sc == m->score && a < m->article)) {
            m->runner_up = m->article;
            m->runner_up_score = m->score;
            m->article = a;
            m->score = sc;
        } else if (m->runner_up < 0 || sc > m->runner_up_score ||
                   (sc == m->runner_up_score && a < m->runner_up)) {
            m->runner_up = a;
            m->runner_up_score = sc;
        }
    }
    if (qnorm > 0.0) {
        m->score /= root(qnorm);
        m->runner_up_score /= root(qnorm);
    }
    return m->article;
}

int mt_similar_possible_lead(const struct mt_similar *s,
                             struct mt_similar_scratch *w, const char *text,
                             double *score, double *lead)
{
    struct mt_similar_match m;

    *score = *lead = 0.0;
    if (mt_similar_rank(s, w, text, &m) < 0 ||
        m.score < s->tuning.threshold ||
        m.score - m.runner_up_score < s->tuning.margin) {
        return -1;
    }
    *score = m.score;
    *lead = m.score - m.runner_up_score;
    return m.article;
}

int mt_similar_possible(const struct mt_similar *s,
                        struct mt_similar_scratch *w, const char *text,
                        double *score)
{
    double lead;

    return mt_similar_possible_lead(s, w, text, score, &lead);
}
