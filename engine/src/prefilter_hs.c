/* prefilter_hs.c: the prefilter on Hyperscan (Vectorscan on non-x86):
 * literals in one literal database, matched without case, every
 * occurrence reported. Hyperscan's SIMD literal matcher is several times
 * faster than a byte-at-a-time automaton on long logs. Built instead of
 * prefilter.c when CMake finds libhs (MT_WITH_HYPERSCAN).
 * Each distinct literal goes to Hyperscan once, with the ids that share it
 * chained: its compile time and memory grow quadratically with repeats of
 * one literal (20,000 signatures on "AppError": 15 s, 900 MB).
 * A literal that contains a shorter one (its key: "mapiexceptionnotfound"
 * holds "exception") does not go to Hyperscan at all: each occurrence of
 * the key is checked for the longer literal around it (keyed literals).
 * Every occurrence of the longer one holds the key at the same offset, so
 * the same occurrences are reported; Hyperscan's cost grows with the
 * number of literals (937 literals scan at about 8 instructions a byte,
 * the 438 keys at about 6), and the check runs only where a key is.
 * Keys longer than KEY_MAX go in as their first KEY_MAX bytes (heads),
 * confirmed whole the same way: long literals cost Hyperscan more. */
#include "prefilter.h"

#include <hs.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "strindex.h"
#include "util.h"

#define NO_ENTRY UINT_MAX

struct mt_prefilter {
    char **lits;
    size_t *lens;
    unsigned *ids;
    unsigned *flags;
    size_t n;
    size_t alloc;
    /* After the build: per distinct literal (Hyperscan's id), its first
     * entry; per entry, the next one with the same literal. */
    unsigned *first;
    unsigned *next;
    size_t ndistinct;
    /* Keyed literals, per distinct literal: the shorter distinct literal
     * it holds (NO_ENTRY for the keys, which Hyperscan finds) and where,
     * and the next literal with the same key; per key, its first keyed
     * literal. */
    unsigned *key;
    size_t *key_off;
    unsigned *keyed_next;
    unsigned *keyed_first;
    /* Keys longer than KEY_MAX go to Hyperscan as their first KEY_MAX
     * bytes (a head), ids from ndistinct up, one per distinct head: per
     * head, its first key; per key, the next key with the same head. */
    size_t nheads;
    unsigned *head_first;
    unsigned *head_next;
    hs_database_t *db;
    hs_scratch_t *scratch;
    int from_cache; /* the database was read from the cache, not compiled */
};

/* Longest literal Hyperscan gets. Its cost per byte of text grows with
 * long literals, unevenly: over the 64 MiB bench files (callgrind, AVX2
 * code) the keys of 609 signatures scanned in 500 M (mixed) and 400 M
 * (healthy) instructions whole, and cut to 22-28 bytes in 308-352 M and
 * 280-312 M; on the 630 signatures after them, 500 M and 393 M whole,
 * 335-366 M and 341-399 M cut. 27 was the best or near it on both. A
 * key cut to its head is confirmed whole around each occurrence of the
 * head, which the bench files show no more often than the whole key. */
#define KEY_MAX 27

/* ---- the compiled database, cached on disk (cache.c) ----
 * Compiling the literal database is most of the start-up time of a run
 * (a paste is answered in tens of milliseconds, and each -j worker builds
 * its own matcher). The compiled bytes depend only on the literals, their
 * ids and flags, and the Hyperscan build, so they are kept under a name
 * made of a hash of all that. Hyperscan checks a serialized database
 * against its version and the CPU when reading it back; a file that fails
 * to read is compiled again. */

static unsigned long long cache_key(const struct mt_prefilter *pf)
{
    unsigned long long h = MT_HASH_SEED;
    const char *v = hs_version();
    size_t i;

    hs_platform_info_t host;

    h = mt_hash(v, strlen(v), h);
    /* A database is compiled for the CPU it was built on (NULL platform:
     * this host's features). A run whose CPU looks different (another
     * machine sharing a home directory, or valgrind, which hides AVX-512)
     * must not overwrite or reuse the other's file under the same name. */
    if (hs_populate_platform(&host) == HS_SUCCESS) {
        h = mt_hash(&host.tune, sizeof(host.tune), h);
        h = mt_hash(&host.cpu_features, sizeof(host.cpu_features), h);
    }
    /* The database's ids are distinct-literal numbers (chain_literals),
     * not the entries' ids as in caches written before, and it holds the
     * keys only (find_keys). */
    h = mt_hash("chained, keyed, heads", 21, h);
    {
        /* The heads' length decides what the database holds. */
        unsigned key_max = KEY_MAX;
        h = mt_hash(&key_max, sizeof(key_max), h);
    }
    for (i = 0; i < pf->n; i++) {
        h = mt_hash(pf->lits[i], pf->lens[i], h);
        h = mt_hash(&pf->lens[i], sizeof(pf->lens[i]), h);
        h = mt_hash(&pf->ids[i], sizeof(pf->ids[i]), h);
        h = mt_hash(&pf->flags[i], sizeof(pf->flags[i]), h);
    }
    return h;
}

static int cache_path(const struct mt_prefilter *pf, char *path, size_t cap)
{
    return mt_cache_path("prefilter", cache_key(pf), "hsdb", path, cap);
}

/* Reads the cached database; 0 when pf->db was set from it. */
static int cache_read(struct mt_prefilter *pf, const char *path)
{
    size_t len;
    char *bytes = mt_cache_read(path, &len);
    int rc = -1;

    if (bytes != NULL &&
        hs_deserialize_database(bytes, len, &pf->db) == HS_SUCCESS) {
        rc = 0;
    }
    mt_free(bytes);
    return rc;
}

static void cache_write(const struct mt_prefilter *pf, const char *path)
{
    char *bytes = NULL;
    size_t len = 0;

    if (hs_serialize_database(pf->db, &bytes, &len) == HS_SUCCESS) {
        mt_cache_write(path, bytes, len);
        free(bytes); /* Hyperscan allocated it with malloc */
    }
}

struct mt_prefilter *mt_prefilter_new(void)
{
    return mt_calloc(1, sizeof(struct mt_prefilter));
}

int mt_prefilter_add(struct mt_prefilter *pf, const char *lit, size_t n,
                     int id)
{
    if (pf->db != NULL || n == 0 || id < 0) {
        return -1;
    }
    if (pf->n == pf->alloc) {
        size_t na = pf->alloc ? pf->alloc * 2 : 64;
        char **l = mt_realloc(pf->lits, na * sizeof(*l));
        size_t *ln;
        unsigned *ids, *fl;
        if (l == NULL) {
            return -1;
        }
        pf->lits = l;
        if ((ln = mt_realloc(pf->lens, na * sizeof(*ln))) == NULL) {
            return -1;
        }
        pf->lens = ln;
        if ((ids = mt_realloc(pf->ids, na * sizeof(*ids))) == NULL) {
            return -1;
        }
        pf->ids = ids;
        if ((fl = mt_realloc(pf->flags, na * sizeof(*fl))) == NULL) {
            return -1;
        }
        pf->flags = fl;
        pf->alloc = na;
    }
    pf->lits[pf->n] = mt_strndup(lit, n);
    if (pf->lits[pf->n] == NULL) {
        return -1;
    }
    pf->lens[pf->n] = n;
    pf->ids[pf->n] = (unsigned)id;
    /* No SINGLEMATCH: a block scan (mt_prefilter_scan_spans) covers many
     * records and needs every occurrence; a record scan may see a literal
     * more than once, which the matcher's candidate stamps absorb. */
    pf->flags[pf->n] = HS_FLAG_CASELESS;
    pf->n++;
    return 0;
}

/* Chains the entries that share a literal (without case: the literals
 * are lowercased in place, which Hyperscan's caseless flag allows) and
 * fills the arrays given to Hyperscan with one literal each. Returns the
 * number of distinct literals, or -1. */
static long chain_literals(struct mt_prefilter *pf, const char **lits,
                           size_t *lens, unsigned *hs_ids)
{
    struct mt_strindex seen;
    unsigned *last = mt_malloc(pf->n * sizeof(*last));
    size_t i, d = 0, at;
    char *c;
    int rc;

    if (last == NULL) {
        return -1;
    }
    mt_strindex_init(&seen);
    for (i = 0; i < pf->n; i++) {
        for (c = pf->lits[i]; *c; c++) {
            *c = (char)mt_ascii_lower((unsigned char)*c);
        }
        pf->next[i] = NO_ENTRY;
        rc = mt_strindex_put(&seen, pf->lits[i], d, &at);
        if (rc < 0) {
            d = 0;
            break;
        }
        if (rc == 0) {
            pf->next[last[at]] = (unsigned)i;
            last[at] = (unsigned)i;
            continue;
        }
        pf->first[d] = last[d] = (unsigned)i;
        lits[d] = pf->lits[i];
        lens[d] = pf->lens[i];
        hs_ids[d] = (unsigned)d;
        d++;
    }
    mt_strindex_free(&seen);
    mt_free(last);
    return i == pf->n ? (long)d : -1;
}

/* Literals are tried for a key as 4-byte grams: a key is found inside a
 * longer literal by its first 4 bytes. Shorter literals are never keys. */
#define GRAM 4

static unsigned gram_hash(const char *s, unsigned mask)
{
    uint32_t g;

    memcpy(&g, s, GRAM);
    return (unsigned)((g * 2654435761u) >> 8) & mask;
}

struct by_length {
    size_t len;
    unsigned d;
};

static int compare_lengths(const void *a, const void *b)
{
    const struct by_length *x = a, *y = b;

    if (x->len != y->len) {
        return x->len < y->len ? -1 : 1;
    }
    return (x->d > y->d) - (x->d < y->d);
}

/* The text of distinct literal d (lower case) and its length. */
static const char *dlit(const struct mt_prefilter *pf, unsigned d)
{
    return pf->lits[pf->first[d]];
}

static size_t dlen(const struct mt_prefilter *pf, unsigned d)
{
    return pf->lens[pf->first[d]];
}

/* Gives each distinct literal that holds a shorter one a key: shortest
 * first, so keys are literals that hold no other; of the keys inside a
 * literal, the longest (likely the rarest in text). The keys are put in a
 * table by their first GRAM bytes, and each literal looks up each of its
 * GRAM-byte windows there. Returns 0 or -1 (no memory). */
static int find_keys(struct mt_prefilter *pf)
{
    size_t nd = pf->ndistinct, i, j, size = 16;
    struct by_length *order = mt_malloc(nd * sizeof(*order));
    unsigned *table, *gram_next, mask;
    int rc = -1;

    while (size < 2 * nd) {
        size *= 2;
    }
    mask = (unsigned)size - 1;
    table = mt_malloc(size * sizeof(*table));
    gram_next = mt_malloc(nd * sizeof(*gram_next));
    if (order == NULL || table == NULL || gram_next == NULL) {
        goto done;
    }
    for (i = 0; i < size; i++) {
        table[i] = NO_ENTRY;
    }
    for (i = 0; i < nd; i++) {
        order[i].len = dlen(pf, (unsigned)i);
        order[i].d = (unsigned)i;
        pf->key[i] = NO_ENTRY;
        pf->keyed_first[i] = NO_ENTRY;
        pf->keyed_next[i] = NO_ENTRY;
    }
    qsort(order, nd, sizeof(*order), compare_lengths);
    for (i = 0; i < nd; i++) {
        unsigned d = order[i].d, best = NO_ENTRY, k;
        const char *s = dlit(pf, d);
        size_t n = order[i].len, best_off = 0;

        if (n < GRAM) {
            continue; /* too short to hold a key, or to be one */
        }
        for (j = 0; j + GRAM <= n; j++) {
            for (k = table[gram_hash(s + j, mask)]; k != NO_ENTRY;
                 k = gram_next[k]) {
                size_t kn = dlen(pf, k);
                if (kn <= n - j && memcmp(s + j, dlit(pf, k), kn) == 0 &&
                    (best == NO_ENTRY || kn > dlen(pf, best))) {
                    best = k;
                    best_off = j;
                }
            }
        }
        if (best != NO_ENTRY) {
            pf->key[d] = best;
            pf->key_off[d] = best_off;
            pf->keyed_next[d] = pf->keyed_first[best];
            pf->keyed_first[best] = d;
        } else {
            unsigned h = gram_hash(s, mask);
            gram_next[d] = table[h];
            table[h] = d;
        }
    }
    rc = 0;
done:
    mt_free(order);
    mt_free(table);
    mt_free(gram_next);
    return rc;
}


struct long_key {
    const char *lit;
    unsigned d;
};

static int compare_heads(const void *a, const void *b)
{
    const struct long_key *x = a, *y = b;
    int c = memcmp(x->lit, y->lit, KEY_MAX);

    return c != 0 ? c : (x->d > y->d) - (x->d < y->d);
}

/* Gives the keys longer than KEY_MAX their heads: sorted by their first
 * KEY_MAX bytes, runs of the same bytes share one (head_first, head_next).
 * Returns the number of heads, or -1 (no memory). */
static long find_heads(struct mt_prefilter *pf)
{
    struct long_key *longer = mt_malloc(pf->ndistinct * sizeof(*longer));
    size_t i, n = 0, nh = 0;

    if (longer == NULL) {
        return -1;
    }
    for (i = 0; i < pf->ndistinct; i++) {
        if (pf->key[i] == NO_ENTRY && dlen(pf, (unsigned)i) > KEY_MAX) {
            longer[n].lit = dlit(pf, (unsigned)i);
            longer[n++].d = (unsigned)i;
        }
    }
    qsort(longer, n, sizeof(*longer), compare_heads);
    for (i = 0; i < n; i++) {
        unsigned d = longer[i].d;
        if (i == 0 || memcmp(longer[i - 1].lit, longer[i].lit, KEY_MAX) != 0) {
            pf->head_first[nh++] = d;
        } else {
            pf->head_next[longer[i - 1].d] = d;
        }
        pf->head_next[d] = NO_ENTRY;
    }
    mt_free(longer);
    return (long)nh;
}

int mt_prefilter_build(struct mt_prefilter *pf)
{
    hs_compile_error_t *err = NULL;
    char path[4200] = "";
    const char **lits;
    size_t *lens;
    unsigned *hs_ids;
    long d = -1, heads;
    size_t i, nkeys = 0;
    int rc = -1;

    if (pf->db != NULL) {
        return 0;
    }
    if (pf->n == 0) {
        return 0; /* nothing to find: scans report nothing */
    }
    pf->first = mt_malloc(pf->n * sizeof(*pf->first));
    pf->next = mt_malloc(pf->n * sizeof(*pf->next));
    pf->key = mt_malloc(pf->n * sizeof(*pf->key));
    pf->key_off = mt_malloc(pf->n * sizeof(*pf->key_off));
    pf->keyed_next = mt_malloc(pf->n * sizeof(*pf->keyed_next));
    pf->keyed_first = mt_malloc(pf->n * sizeof(*pf->keyed_first));
    pf->head_first = mt_malloc(pf->n * sizeof(*pf->head_first));
    pf->head_next = mt_malloc(pf->n * sizeof(*pf->head_next));
    lits = mt_malloc(pf->n * sizeof(*lits));
    lens = mt_malloc(pf->n * sizeof(*lens));
    hs_ids = mt_malloc(pf->n * sizeof(*hs_ids));
    if (pf->first == NULL || pf->next == NULL || pf->key == NULL ||
        pf->key_off == NULL || pf->keyed_next == NULL ||
        pf->keyed_first == NULL || pf->head_first == NULL ||
        pf->head_next == NULL || lits == NULL || lens == NULL ||
        hs_ids == NULL ||
        (d = chain_literals(pf, lits, lens, hs_ids)) <= 0) {
        goto done;
    }
    pf->ndistinct = (size_t)d;
    if (find_keys(pf) != 0) {
        goto done;
    }
    if ((heads = find_heads(pf)) < 0) {
        goto done;
    }
    pf->nheads = (size_t)heads;
    /* Hyperscan gets the keys only, each under its distinct number, and
     * the heads of the longer ones, numbered after them. */
    for (i = 0; i < pf->ndistinct; i++) {
        if (pf->key[i] == NO_ENTRY && lens[i] <= KEY_MAX) {
            lits[nkeys] = lits[i];
            lens[nkeys] = lens[i];
            hs_ids[nkeys++] = (unsigned)i;
        }
    }
    for (i = 0; i < pf->nheads; i++) {
        lits[nkeys] = dlit(pf, pf->head_first[i]);
        lens[nkeys] = KEY_MAX;
        hs_ids[nkeys++] = (unsigned)(pf->ndistinct + i);
    }
    if (cache_path(pf, path, sizeof(path)) == 0 &&
        cache_read(pf, path) == 0) {
        pf->from_cache = 1;
    } else {
        /* (Every entry has the same flags: the first nkeys serve.) */
        if (hs_compile_lit_multi(lits, pf->flags, hs_ids, lens,
                                 (unsigned)nkeys, HS_MODE_BLOCK, NULL,
                                 &pf->db, &err) != HS_SUCCESS) {
            goto done;
        }
        if (path[0] != '\0') {
            cache_write(pf, path);
        }
    }
    if (hs_alloc_scratch(pf->db, &pf->scratch) == HS_SUCCESS) {
        rc = 0;
    }
done:
    hs_free_compile_error(err); /* accepts NULL */
    mt_free(lits);
    mt_free(lens);
    mt_free(hs_ids);
    return rc;
}

int mt_prefilter_from_cache(const struct mt_prefilter *pf)
{
    return pf->from_cache;
}

struct scan_ctx {
    const struct mt_prefilter *pf;
    const char *text;
    size_t n;
    mt_prefilter_span_fn fn;
    void *ctx;
};

/* Reports distinct literal d found at text[start, end) under every id
 * that shares it. */
static void report(const struct scan_ctx *c, unsigned d, size_t start,
                   size_t end)
{
    unsigned i;

    for (i = c->pf->first[d]; i != NO_ENTRY; i = c->pf->next[i]) {
        c->fn(c->ctx, (int)c->pf->ids[i], start, end);
    }
}

/* Whether s[0, n) reads lit (lower case) without ASCII case. */
static int same_folded(const char *s, const char *lit, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (mt_ascii_lower((unsigned char)s[i]) != (unsigned char)lit[i]) {
            return 0;
        }
    }
    return 1;
}

/* Whether distinct literal d lies in the text from start on. */
static int lies_at(const struct scan_ctx *c, unsigned d, size_t start)
{
    size_t len = dlen(c->pf, d);

    return len <= c->n - start &&
           same_folded(c->text + start, dlit(c->pf, d), len);
}

/* Reports key k found at start, and the literals keyed on it that lie
 * around it. These end at or after the key, so a later key may be
 * reported before them: the order of end offsets is not kept
 * (prefilter.h). */
static void found_key(const struct scan_ctx *c, unsigned k, size_t start)
{
    const struct mt_prefilter *pf = c->pf;
    unsigned d;

    report(c, k, start, start + dlen(pf, k));
    for (d = pf->keyed_first[k]; d != NO_ENTRY; d = pf->keyed_next[d]) {
        size_t off = pf->key_off[d];
        if (off <= start && lies_at(c, d, start - off)) {
            report(c, d, start - off, start - off + dlen(pf, d));
        }
    }
}

static int on_match(unsigned int id, unsigned long long from,
                    unsigned long long to, unsigned int flags, void *ctx)
{
    const struct scan_ctx *c = ctx;
    const struct mt_prefilter *pf = c->pf;
    unsigned k;

    (void)from; /* not computed without HS_FLAG_SOM_LEFTMOST: the
                   literal's length says it */
    (void)flags;
    if (id < pf->ndistinct) {
        found_key(c, id, (size_t)to - dlen(pf, id));
        return 0;
    }
    if (id - pf->ndistinct >= pf->nheads || to < KEY_MAX) {
        return 0; /* (not a database this build made) */
    }
    /* A head: the keys that start with it, where they lie whole. */
    for (k = pf->head_first[id - pf->ndistinct]; k != NO_ENTRY;
         k = pf->head_next[k]) {
        if (lies_at(c, k, (size_t)to - KEY_MAX)) {
            found_key(c, k, (size_t)to - KEY_MAX);
        }
    }
    return 0;
}

struct mt_prefilter_scratch {
    hs_scratch_t *hs; /* NULL when the prefilter has no database */
};

struct mt_prefilter_scratch *
mt_prefilter_scratch_new(const struct mt_prefilter *pf)
{
    struct mt_prefilter_scratch *s = mt_calloc(1, sizeof(*s));

    if (s != NULL && pf->scratch != NULL &&
        hs_clone_scratch(pf->scratch, &s->hs) != HS_SUCCESS) {
        mt_free(s);
        return NULL;
    }
    return s;
}

void mt_prefilter_scratch_free(struct mt_prefilter_scratch *s)
{
    if (s != NULL) {
        hs_free_scratch(s->hs); /* accepts NULL */
        mt_free(s);
    }
}

void mt_prefilter_scan_spans_with(const struct mt_prefilter *pf,
                                  struct mt_prefilter_scratch *s,
                                  const char *text, size_t n,
                                  mt_prefilter_span_fn fn, void *ctx)
{
    struct scan_ctx c = {pf, text, n, fn, ctx};

    if (pf->db == NULL || n == 0 || n > 0xffffffffu) {
        return;
    }
    hs_scan(pf->db, text, (unsigned)n, 0, s != NULL ? s->hs : pf->scratch,
            on_match, &c);
}

void mt_prefilter_scan_spans(const struct mt_prefilter *pf, const char *text,
                             size_t n, mt_prefilter_span_fn fn, void *ctx)
{
    mt_prefilter_scan_spans_with(pf, NULL, text, n, fn, ctx);
}

void mt_prefilter_free(struct mt_prefilter *pf)
{
    size_t i;

    if (pf == NULL) {
        return;
    }
    for (i = 0; i < pf->n; i++) {
        mt_free(pf->lits[i]);
    }
    mt_free(pf->lits);
    mt_free(pf->lens);
    mt_free(pf->ids);
    mt_free(pf->flags);
    mt_free(pf->first);
    mt_free(pf->next);
    mt_free(pf->key);
    mt_free(pf->key_off);
    mt_free(pf->keyed_next);
    mt_free(pf->keyed_first);
    mt_free(pf->head_first);
    mt_free(pf->head_next);
    hs_free_scratch(pf->scratch);
    hs_free_database(pf->db);
    mt_free(pf);
}
