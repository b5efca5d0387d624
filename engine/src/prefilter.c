/* prefilter.c: Aho-Corasick automaton over the signatures' literals, built
 * as a full DFA over byte classes (only bytes that occur in some literal get
 * a class of their own), so scanning is one table lookup per byte. */
#include "prefilter.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

struct literal {
    char *text;
    size_t n;
    int id;
};

struct output {
    int id;
    int len;  /* of the literal: where it starts, for block scans */
    int next; /* next output of the same state, or -1 */
};

struct mt_prefilter {
    /* Staged literals: classes must be known before states are built. */
    struct literal *lits;
    size_t nlits;
    size_t alloc_lits;

    unsigned char cls[256]; /* byte -> class; 0 = in no literal */
    int nclasses;
    int32_t *delta; /* nstates x nclasses, after build: full DFA */
    int nstates;
    int alloc_states;
    int *first_out; /* per state: first output index or -1 */
    struct output *outs;
    int nouts;
    int alloc_outs;
    int built;
    /* Bytes that leave the root state: at the root, all others can be
     * skipped without a table lookup, which is most bytes of a log. */
    unsigned char leaves_root[256];
};

struct mt_prefilter *mt_prefilter_new(void)
{
    struct mt_prefilter *pf = mt_calloc(1, sizeof(*pf));

    if (pf != NULL) {
        pf->nclasses = 1;
    }
    return pf;
}

int mt_prefilter_add(struct mt_prefilter *pf, const char *lit, size_t n,
                     int id)
{
    size_t i;

    if (pf->built || n == 0) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)tolower((unsigned char)lit[i]);
        if (pf->cls[c] == 0) {
            if (pf->nclasses == 255) {
                return -1;
            }
            pf->cls[c] = (unsigned char)pf->nclasses++;
            /* An upper-case letter shares its lower-case letter's class. */
            if (islower(c)) {
                pf->cls[toupper(c)] = pf->cls[c];
            }
        }
    }
    if (pf->nlits == pf->alloc_lits) {
        size_t na = pf->alloc_lits ? pf->alloc_lits * 2 : 64;
        struct literal *grown = mt_realloc(pf->lits, na * sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        pf->lits = grown;
        pf->alloc_lits = na;
    }
    pf->lits[pf->nlits].text = mt_strndup(lit, n);
    if (pf->lits[pf->nlits].text == NULL) {
        return -1;
    }
    pf->lits[pf->nlits].n = n;
    pf->lits[pf->nlits].id = id;
    pf->nlits++;
    return 0;
}

static int new_state(struct mt_prefilter *pf)
{
    if (pf->nstates == pf->alloc_states) {
        int na = pf->alloc_states ? pf->alloc_states * 2 : 256;
        int32_t *d = mt_realloc(pf->delta, (size_t)na * (size_t)pf->nclasses *
                                               sizeof(*d));
        int *fo;
        if (d == NULL) {
            return -1;
        }
        pf->delta = d;
        fo = mt_realloc(pf->first_out, (size_t)na * sizeof(*fo));
        if (fo == NULL) {
            return -1;
        }
        pf->first_out = fo;
        pf->alloc_states = na;
    }
    memset(pf->delta + (size_t)pf->nstates * (size_t)pf->nclasses, 0xff,
           (size_t)pf->nclasses * sizeof(int32_t)); /* -1: no edge yet */
    pf->first_out[pf->nstates] = -1;
    return pf->nstates++;
}

static int add_output(struct mt_prefilter *pf, int state, int id, int len)
{
    int i;

    /* An id with two literals that end at the same state (a name and a
     * longer name ending in it, both the name gate) is kept once per
     * length: a block scan needs each start. */
    for (i = pf->first_out[state]; i >= 0; i = pf->outs[i].next) {
        if (pf->outs[i].id == id && pf->outs[i].len == len) {
            return 0;
        }
    }
    if (pf->nouts == pf->alloc_outs) {
        int na = pf->alloc_outs ? pf->alloc_outs * 2 : 256;
        struct output *grown = mt_realloc(pf->outs, (size_t)na *
                                                        sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        pf->outs = grown;
        pf->alloc_outs = na;
    }
    pf->outs[pf->nouts].id = id;
    pf->outs[pf->nouts].len = len;
    pf->outs[pf->nouts].next = pf->first_out[state];
    pf->first_out[state] = pf->nouts++;
    return 0;
}

#define EDGE(pf, s, c) ((pf)->delta[(size_t)(s) * (size_t)(pf)->nclasses + (c)])

static int build_trie(struct mt_prefilter *pf)
{
    size_t i, j;

    if (new_state(pf) < 0) {
        return -1;
    }
    for (i = 0; i < pf->nlits; i++) {
        int s = 0;
        for (j = 0; j < pf->lits[i].n; j++) {
            int c = pf->cls[(unsigned char)pf->lits[i].text[j]];
            if (EDGE(pf, s, c) < 0) {
                int t = new_state(pf);
                if (t < 0) {
                    return -1;
                }
                EDGE(pf, s, c) = t;
            }
            s = EDGE(pf, s, c);
        }
        if (add_output(pf, s, pf->lits[i].id, (int)pf->lits[i].n) < 0) {
            return -1;
        }
    }
    return 0;
}

/* Breadth-first: each state's missing edges become its failure state's
 * edges, and it inherits the failure state's outputs. */
static int complete_dfa(struct mt_prefilter *pf)
{
    int *queue = mt_malloc((size_t)pf->nstates * sizeof(int));
    int *fail = mt_calloc((size_t)pf->nstates, sizeof(int));
    int head = 0, tail = 0, c, rc = -1;

    if (queue == NULL || fail == NULL) {
        goto fail;
    }
    for (c = 0; c < pf->nclasses; c++) {
        int t = EDGE(pf, 0, c);
        if (t < 0) {
            EDGE(pf, 0, c) = 0;
        } else {
            fail[t] = 0;
            queue[tail++] = t;
        }
    }
    while (head < tail) {
        int s = queue[head++], o;
        for (o = pf->first_out[fail[s]]; o >= 0; o = pf->outs[o].next) {
            if (add_output(pf, s, pf->outs[o].id, pf->outs[o].len) < 0) {
                goto fail;
            }
        }
        for (c = 0; c < pf->nclasses; c++) {
            int t = EDGE(pf, s, c);
            if (t < 0) {
                EDGE(pf, s, c) = EDGE(pf, fail[s], c);
            } else {
                fail[t] = EDGE(pf, fail[s], c);
                queue[tail++] = t;
            }
        }
    }
    rc = 0;
fail:
    mt_free(queue);
    mt_free(fail);
    return rc;
}

int mt_prefilter_build(struct mt_prefilter *pf)
{
    size_t i;

    if (pf->built) {
        return 0;
    }
    if (build_trie(pf) < 0 || complete_dfa(pf) < 0) {
        return -1;
    }
    for (i = 0; i < 256; i++) {
        pf->leaves_root[i] = EDGE(pf, 0, pf->cls[i]) != 0;
    }
    for (i = 0; i < pf->nlits; i++) {
        mt_free(pf->lits[i].text);
    }
    mt_free(pf->lits);
    pf->lits = NULL;
    pf->nlits = 0;
    pf->built = 1;
    return 0;
}

void mt_prefilter_scan_spans(const struct mt_prefilter *pf, const char *text,
                             size_t n, mt_prefilter_span_fn fn, void *ctx)
{
    const unsigned char *p = (const unsigned char *)text;
    int32_t s = 0;
    size_t i;

    if (!pf->built || pf->nstates == 0) {
        return;
    }
    for (i = 0; i < n; i++) {
        if (s == 0) {
            while (i < n && !pf->leaves_root[p[i]]) {
                i++;
            }
            if (i == n) {
                break;
            }
        }
        s = pf->delta[(size_t)s * (size_t)pf->nclasses + pf->cls[p[i]]];
        if (pf->first_out[s] >= 0) {
            int o;
            for (o = pf->first_out[s]; o >= 0; o = pf->outs[o].next) {
                fn(ctx, pf->outs[o].id, i + 1 - (size_t)pf->outs[o].len,
                   i + 1);
            }
        }
    }
}

/* The automaton is only read while scanning: any number of threads scan
 * it at once, and a scratch holds nothing. */
struct mt_prefilter_scratch {
    int unused;
};

struct mt_prefilter_scratch *
mt_prefilter_scratch_new(const struct mt_prefilter *pf)
{
    (void)pf;
    return mt_calloc(1, sizeof(struct mt_prefilter_scratch));
}

void mt_prefilter_scratch_free(struct mt_prefilter_scratch *s)
{
    mt_free(s);
}

void mt_prefilter_scan_spans_with(const struct mt_prefilter *pf,
                                  struct mt_prefilter_scratch *s,
                                  const char *text, size_t n,
                                  mt_prefilter_span_fn fn, void *ctx)
{
    (void)s;
    mt_prefilter_scan_spans(pf, text, n, fn, ctx);
}

void mt_prefilter_free(struct mt_prefilter *pf)
{
    size_t i;

    if (pf == NULL) {
        return;
    }
    for (i = 0; i < pf->nlits; i++) {
        mt_free(pf->lits[i].text);
    }
    mt_free(pf->lits);
    mt_free(pf->delta);
    mt_free(pf->first_out);
    mt_free(pf->outs);
    mt_free(pf);
}

int mt_prefilter_from_cache(const struct mt_prefilter *pf)
{
    (void)pf;
    return 0; /* the built-in automaton is not cached */
}
