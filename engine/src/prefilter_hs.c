/* prefilter_hs.c: the prefilter on Hyperscan (Vectorscan on non-x86):
 * every literal in one literal database, matched without case, each id
 * reported once per record. Hyperscan's SIMD literal matcher is several
 * times faster than a byte-at-a-time automaton on long logs. Built instead
 * of prefilter.c when CMake finds libhs (MT_WITH_HYPERSCAN). */
#include "prefilter.h"

#include <hs.h>
#include <string.h>

#include "util.h"

struct mt_prefilter {
    char **lits;
    size_t *lens;
    unsigned *ids;
    unsigned *flags;
    size_t n;
    size_t alloc;
    hs_database_t *db;
    hs_scratch_t *scratch;
};

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
    /* SINGLEMATCH: the matcher needs to know that a literal occurs, not
     * how often; the callback then runs at most once per literal. */
    pf->flags[pf->n] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
    pf->n++;
    return 0;
}

int mt_prefilter_build(struct mt_prefilter *pf)
{
    hs_compile_error_t *err = NULL;

    if (pf->db != NULL) {
        return 0;
    }
    if (pf->n == 0) {
        return 0; /* nothing to find: scans report nothing */
    }
    if (hs_compile_lit_multi((const char *const *)pf->lits, pf->flags,
                             pf->ids, pf->lens, (unsigned)pf->n,
                             HS_MODE_BLOCK, NULL, &pf->db,
                             &err) != HS_SUCCESS) {
        hs_free_compile_error(err);
        return -1;
    }
    if (hs_alloc_scratch(pf->db, &pf->scratch) != HS_SUCCESS) {
        return -1;
    }
    return 0;
}

struct scan_ctx {
    mt_prefilter_hit_fn fn;
    void *ctx;
};

static int on_match(unsigned int id, unsigned long long from,
                    unsigned long long to, unsigned int flags, void *ctx)
{
    struct scan_ctx *c = ctx;

    (void)from;
    (void)flags;
    c->fn(c->ctx, (int)id, (size_t)to);
    return 0;
}

void mt_prefilter_scan(const struct mt_prefilter *pf, const char *text,
                       size_t n, mt_prefilter_hit_fn fn, void *ctx)
{
    struct scan_ctx c = {fn, ctx};

    if (pf->db == NULL || n == 0 || n > 0xffffffffu) {
        return;
    }
    hs_scan(pf->db, text, (unsigned)n, 0, pf->scratch, on_match, &c);
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
    hs_free_scratch(pf->scratch);
    hs_free_database(pf->db);
    mt_free(pf);
}
