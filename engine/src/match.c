/* match.c: prefilter + PCRE2 confirmation for every record. The prefilter
 * runs either once per record, or once per block of text for all the
 * records that lie inside the block (mt_matcher_block): its hits are kept
 * in order of end offset, and each record takes the ones within its bytes,
 * so that a healthy line costs no prefilter call at all. */
#include "match.h"

#include <string.h>

#include "names.h"
#include "prefilter.h"
#include "util.h"

/* Words that make an unmatched record "look like an error" for the
 * unknown-line clustering (match.h). They ride in the same automaton as
 * the signatures' literals, with ids past the last signature. */
const char *const mt_error_words[] = {"error", "exception", "failed",
                                      "failure", "fatal", "hr=0x",
                                      "cannot", "couldn't", "unable to"};
#define NERROR_WORDS (sizeof(mt_error_words) / sizeof(mt_error_words[0]))
const size_t mt_nerror_words = NERROR_WORDS;
/* Matched, like the error words, without case at any offset; recognise.c
 * asks for them at the start of a word. */
const char *const mt_error_phrases[] = {
    "couldn\u2019t", "could not", "can't", "can\u2019t", "not able to",
    "denied", "does not exist", "doesn't exist", "doesn\u2019t exist",
    "not found", "wasn't found", "was not found", "not recognized",
    "isn't recognized", "timed out", "refused", "unsuccessful", "corrupted",
    "remote server returned", "not correct", "incorrect", "invalid",
    "not valid", "not supported", "isn't supported", "not allowed",
    "isn't allowed", "not permitted", "not authorized", "unauthorized",
    "not have permission", "n't have permission", "try again",
    "trying again", "did not complete", "didn't complete", "did not succeed",
    "didn't succeed", "already exists", "already being used",
    "already in use",
    /* The same in the languages Exchange and Windows are localised to
     * most often in the pastes we meet: an error shown in German, French,
     * Spanish, Portuguese, Italian, Dutch, Japanese, Chinese or Korean
     * still names its classes and codes in English. */
    "Fehler", "fehlgeschlagen", "verweigert", "erreur", "\u00e9chec",
    "\u00e9chou\u00e9", "refus\u00e9", "impossible de", "no se pudo",
    "denegado", "fall\u00f3", "falha", "falhou", "negado",
    "n\u00e3o foi poss\u00edvel", "errore", "impossibile", "mislukt",
    "geweigerd", "\u30a8\u30e9\u30fc", "\u5931\u6557", "\u62d2\u5426",
    "\u9519\u8bef", "\u5931\u8d25", "\u62d2\u7edd", "\uc624\ub958",
    "\uc2e4\ud328"};
const size_t mt_nerror_phrases =
    sizeof(mt_error_phrases) / sizeof(mt_error_phrases[0]);
/* The one prefilter id every stable name reports, and the one of every
 * error phrase. */
#define NAME_GATE_ID(p) ((int)((p)->n + NERROR_WORDS))
#define PHRASE_GATE_ID(p) ((int)((p)->n + NERROR_WORDS + 1))

struct mt_matcher {
    const struct mt_patterns *p;
    struct mt_prefilter *pf;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit_stack;
    int *always; /* signatures without a usable literal */
    int nalways;
    /* Per signature: the length of its literal when its pattern starts
     * with it at the start of the record ("^Identity\\s*:"), so that an
     * occurrence anywhere else does not make it a candidate; else 0. */
    size_t *anchored;
    uint32_t *stamp; /* per signature: generation it became a candidate */
    uint32_t gen;
    int *cands; /* this record's candidates, in the order found */
    size_t ncands;
    /* per-record scratch */
    size_t min_error_end;
    int error_seen;
    int name_seen; /* a stable name's literal (the gate) was seen */
    int phrase_seen; /* an error phrase was seen */
    uint64_t budget_exceeded;
    uint64_t regex_runs;
    /* The block of the records being fed (mt_matcher_block) and every
     * literal occurrence in it, sorted by end offset: those of own, or
     * those another thread found (mt_matcher_preset_block). */
    const char *blk;
    size_t blk_len;
    const struct mt_block_hit *hits;
    size_t nhits;
    struct mt_block_hits own;
    const struct mt_block_hits *preset;
    uint32_t match_options; /* PCRE2_NO_UTF_CHECK for a block's record */
    size_t cursor;     /* first hit that may lie in the next record */
    size_t cursor_at;  /* offset of the record the cursor was set for */
};

struct mt_block_hit {
    uint32_t start;
    uint32_t end;
    int id;
};

/* Most hits kept for one block (3 MiB): one a byte of a 256 KiB block.
 * Beyond this (text made of literals), the block's records are scanned
 * one by one as before, which bounds memory. */
#define MAX_BLOCK_HITS (1u << 18)

/* Whether pattern can only match with lit at the start of the subject:
 * it is "^" and lit written out (after an optional leading "(?i)") with
 * no quantifier after it, lit holds no character that means more than
 * itself, and no "|" outside groups offers another way. (Patterns are compiled without MULTILINE,
 * so "^" is the start of the record.) */
static int anchored_on(const char *pattern, const char *lit)
{
    const char *q;
    int depth = 0;

    if (pattern == NULL || strpbrk(lit, "\\^$.|?*+()[]{}#") != NULL) {
        return 0;
    }
    /* Quoting, extended syntax and verbs would hide a "|" from the count
     * of groups below: such patterns are not taken as anchored. */
    if (strstr(pattern, "\\Q") != NULL || strstr(pattern, "(?x") != NULL ||
        strstr(pattern, "(*") != NULL) {
        return 0;
    }
    q = strncmp(pattern, "(?i)", 4) == 0 ? pattern + 4 : pattern;
    if (q[0] != '^' || strncmp(q + 1, lit, strlen(lit)) != 0 ||
        (q[1 + strlen(lit)] != '\0' &&
         strchr("?*+{", q[1 + strlen(lit)]) != NULL)) {
        return 0; /* (a quantifier would make its last letter optional) */
    }
    for (q = pattern; *q; q++) {
        if (*q == '\\') {
            if (*++q == '\0') {
                break;
            }
        } else if (*q == '[') {
            /* A class: up to its closing ']' ("[]" and "[^]" open one
             * whose first member is ']'). */
            q += q[1] == '^' ? 2 : 1;
            if (*q == ']') {
                q++;
            }
            while (*q && *q != ']') {
                q += *q == '\\' && q[1] ? 2 : 1;
            }
            if (*q == '\0') {
                return 0;
            }
        } else if (*q == '(') {
            depth++;
        } else if (*q == ')') {
            depth--;
        } else if (*q == '|' && depth <= 0) {
            return 0;
        }
    }
    return 1;
}

struct mt_matcher *mt_matcher_new(const struct mt_patterns *p,
                                  const struct mt_names *names,
                                  uint64_t match_limit, uint64_t depth_limit)
{
    struct mt_matcher *m = mt_calloc(1, sizeof(*m));
    size_t i;

    if (m == NULL) {
        return NULL;
    }
    m->p = p;
    m->pf = mt_prefilter_new();
    m->stamp = mt_calloc(p->n + 1, sizeof(*m->stamp));
    m->always = mt_calloc(p->n + 1, sizeof(*m->always));
    m->cands = mt_calloc(p->n + 1, sizeof(*m->cands));
    m->anchored = mt_calloc(p->n + 1, sizeof(*m->anchored));
    m->md = pcre2_match_data_create(p->max_groups ? p->max_groups : 1,
                                    mt_pcre2_general());
    m->mctx = pcre2_match_context_create(mt_pcre2_general());
    if (m->pf == NULL || m->stamp == NULL || m->always == NULL ||
        m->cands == NULL || m->anchored == NULL ||
        m->md == NULL || m->mctx == NULL) {
        goto fail;
    }
    /* PCRE2's budgets are 32-bit: a larger value means "as much as it
     * can", not what the cast would wrap it to (2^32 to 0). */
    pcre2_set_match_limit(m->mctx, match_limit > UINT32_MAX
                                       ? UINT32_MAX
                                       : (uint32_t)match_limit);
    pcre2_set_depth_limit(m->mctx, depth_limit > UINT32_MAX
                                       ? UINT32_MAX
                                       : (uint32_t)depth_limit);
    /* The default JIT stack (32 KiB) is too small for long records with
     * lazy quantifiers; 1 MiB keeps them within the match budget instead
     * of failing early. */
    m->jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024,
                                           mt_pcre2_general());
    if (m->jit_stack != NULL) {
        pcre2_jit_stack_assign(m->mctx, NULL, m->jit_stack);
    }
    for (i = 0; i < p->n; i++) {
        const char *lit = p->sigs[i].literal;
        if (p->sigs[i].code == NULL) {
            continue;
        }
        if (lit == NULL || strlen(lit) < 4 ||
            mt_prefilter_add(m->pf, lit, strlen(lit), (int)i) != 0) {
            m->always[m->nalways++] = (int)i;
        } else if (anchored_on(p->sigs[i].pattern, lit)) {
            m->anchored[i] = strlen(lit);
        }
    }
    for (i = 0; i < NERROR_WORDS; i++) {
        if (mt_prefilter_add(m->pf, mt_error_words[i], strlen(mt_error_words[i]),
                             (int)(p->n + i)) != 0) {
            goto fail;
        }
    }
    for (i = 0; names != NULL && i < names->n; i++) {
        const char *nm = names->v[i].name;
        if (strcmp(names->v[i].kind, "event") != 0 && strlen(nm) >= 4 &&
            mt_prefilter_add(m->pf, nm, strlen(nm), NAME_GATE_ID(p)) != 0) {
            goto fail;
        }
    }
    /* The generic names of cue rules (names.h) open the same gate. */
    for (i = 0; names != NULL && i < names->ncues; i++) {
        const char *nm = names->cues[i].name;
        if (mt_prefilter_add(m->pf, nm, strlen(nm), NAME_GATE_ID(p)) != 0) {
            goto fail;
        }
    }
    for (i = 0; i < mt_nerror_phrases; i++) {
        if (mt_prefilter_add(m->pf, mt_error_phrases[i],
                             strlen(mt_error_phrases[i]),
                             PHRASE_GATE_ID(p)) != 0) {
            goto fail;
        }
    }
    if (mt_prefilter_build(m->pf) != 0) {
        goto fail;
    }
    return m;
fail:
    mt_matcher_free(m);
    return NULL;
}

void mt_matcher_free(struct mt_matcher *m)
{
    if (m == NULL) {
        return;
    }
    mt_prefilter_free(m->pf);
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mctx);
    pcre2_jit_stack_free(m->jit_stack);
    mt_free(m->stamp);
    mt_free(m->always);
    mt_free(m->cands);
    mt_free(m->anchored);
    mt_block_hits_free(&m->own);
    mt_free(m);
}

void mt_block_hits_free(struct mt_block_hits *h)
{
    mt_free(h->v);
    memset(h, 0, sizeof(*h));
}

static void on_block_literal(void *ctx, int id, size_t start, size_t end)
{
    struct mt_block_hits *h = ctx;
    struct mt_block_hit *hit;

    if (h->overflow) {
        return;
    }
    if (h->n == h->alloc) {
        size_t na = h->alloc ? h->alloc * 2 : 256;
        struct mt_block_hit *grown = na <= MAX_BLOCK_HITS
                                         ? mt_realloc(h->v, na * sizeof(*grown))
                                         : NULL;
        if (grown == NULL) {
            h->overflow = 1;
            return;
        }
        h->v = grown;
        h->alloc = na;
    }
    hit = &h->v[h->n++];
    hit->start = (uint32_t)start;
    hit->end = (uint32_t)end;
    hit->id = id;
}

static int compare_hit_ends(const void *a, const void *b)
{
    const struct mt_block_hit *x = a, *y = b;

    return (x->end > y->end) - (x->end < y->end);
}

void mt_matcher_scan_block(const struct mt_matcher *m,
                           struct mt_prefilter_scratch *scratch,
                           const char *text, size_t n,
                           struct mt_block_hits *out)
{
    size_t i;

    out->n = 0;
    out->overflow = 0;
    out->text_len = n;
    if (text == NULL || n == 0 || n > UINT32_MAX) {
        return;
    }
    mt_prefilter_scan_spans_with(m->pf, scratch, text, n, on_block_literal,
                                 out);
    if (out->overflow) {
        out->n = 0;
        return;
    }
    /* The records rely on the order of end offsets. The built-in
     * prefilter reports in it; Hyperscan's does except around keyed
     * literals (prefilter.h), so it is checked, and sorted when out. */
    for (i = 1; i < out->n; i++) {
        if (out->v[i].end < out->v[i - 1].end) {
            qsort(out->v, out->n, sizeof(*out->v), compare_hit_ends);
            break;
        }
    }
}

struct mt_prefilter_scratch *mt_matcher_scratch_new(const struct mt_matcher *m)
{
    return mt_prefilter_scratch_new(m->pf);
}

void mt_matcher_preset_block(struct mt_matcher *m,
                             const struct mt_block_hits *hits)
{
    m->preset = hits;
}

void mt_matcher_block(struct mt_matcher *m, const char *text, size_t n)
{
    const struct mt_block_hits *found = m->preset;

    m->preset = NULL;
    m->blk = NULL;
    m->blk_len = 0;
    m->hits = NULL;
    m->nhits = 0;
    m->cursor = 0;
    m->cursor_at = 0;
    if (text == NULL || n == 0 || n > UINT32_MAX) {
        return;
    }
    if (found == NULL || found->text_len != n) {
        mt_matcher_scan_block(m, NULL, text, n, &m->own);
        found = &m->own;
    } /* else scanned by another thread (mt_matcher_preset_block) */
    if (found->overflow) {
        return; /* too many hits: the block's records scan alone */
    }
    m->hits = found->v;
    m->nhits = found->n;
    m->blk = text;
    m->blk_len = n;
}

/* Where r lies in the current block, or -1 when it does not lie in it (a
 * record built from several lines, or from another reader). A record with
 * an alt form is always built. */
static long block_offset(const struct mt_matcher *m, const struct mt_record *r)
{
    uintptr_t b = (uintptr_t)m->blk, t = (uintptr_t)r->text;

    if (m->blk == NULL || r->alt != NULL || t < b ||
        t - b > m->blk_len || r->len > m->blk_len - (t - b)) {
        return -1;
    }
    return (long)(t - b);
}

static void on_literal(void *ctx, int id, size_t end)
{
    struct mt_matcher *m = ctx;

    if ((size_t)id < m->p->n) {
        if (m->anchored[id] != 0 && end != m->anchored[id]) {
            return; /* not at the start, where its pattern needs it */
        }
        if (m->stamp[id] != m->gen) {
            m->stamp[id] = m->gen;
            m->cands[m->ncands++] = id;
        }
    } else if (id == NAME_GATE_ID(m->p)) {
        m->name_seen = 1;
    } else if (id == PHRASE_GATE_ID(m->p)) {
        m->phrase_seen = 1;
    } else if (!m->error_seen || end < m->min_error_end) {
        m->error_seen = 1;
        m->min_error_end = end;
    }
}

/* Moves the cursor to the first hit that ends after block offset at, the
 * start of the next record. Records come in block order, so the hits that
 * end before a record are skipped once for all. */
static void seek_hits(struct mt_matcher *m, size_t at)
{
    if (at < m->cursor_at) {
        m->cursor = 0; /* out of order: start over (never in practice) */
    }
    m->cursor_at = at;
    while (m->cursor < m->nhits && m->hits[m->cursor].end <= at) {
        m->cursor++;
    }
}

int mt_matcher_quiet(struct mt_matcher *m, const struct mt_record *r)
{
    long at = block_offset(m, r);
    size_t i;

    if (at < 0 || m->nalways > 0) {
        return 0;
    }
    seek_hits(m, (size_t)at);
    for (i = m->cursor; i < m->nhits && m->hits[i].end <= at + r->len; i++) {
        const struct mt_block_hit *h = &m->hits[i];
        if (h->start >= (size_t)at &&
            !((size_t)h->id < m->p->n && m->anchored[h->id] != 0 &&
              h->start != (size_t)at)) {
            return 0;
        }
    }
    return 1;
}

/* Hands the record at block offset at (len bytes) the literals of the
 * block that lie wholly inside it, as a scan of the record alone would
 * find them (offsets relative to the record). */
static void block_literals(struct mt_matcher *m, size_t at, size_t len)
{
    size_t i;

    seek_hits(m, at);
    for (i = m->cursor; i < m->nhits && m->hits[i].end <= at + len; i++) {
        if (m->hits[i].start >= at) {
            on_literal(m, m->hits[i].id, m->hits[i].end - at);
        }
    }
}

/* Runs one regex; fills hit on a match. */
static int run_regex_at(struct mt_matcher *m, int idx, const char *text,
                        size_t len, size_t offset, struct mt_hit *hit)
{
    const struct mt_signature *s = &m->p->sigs[idx];
    PCRE2_SIZE *ov;
    int rc, i;

    m->regex_runs++;
    rc = pcre2_match(mt_signature_code(m->p, s), (PCRE2_SPTR)text, len,
                     offset, m->match_options, m->md, m->mctx);
    if (rc == PCRE2_ERROR_NOMATCH) {
        return 0;
    }
    if (rc < 0) {
        /* Budget exceeded (or a UTF error the decoders should have
         * prevented): counted, never fatal. */
        m->budget_exceeded++;
        return -1;
    }
    hit->sig = s;
    hit->sig_index = idx;
    hit->subject = text;
    hit->subject_len = len;
    hit->ncaps = 0;
    ov = pcre2_get_ovector_pointer(m->md);
    hit->start = ov[0];
    hit->end = ov[1];
    for (i = 0; i < s->ngroups && hit->ncaps < MT_MAX_CAPTURES; i++) {
        int g = s->groups[i].number;
        if (g >= rc || ov[2 * g] == PCRE2_UNSET) {
            continue;
        }
        hit->caps[hit->ncaps].name = s->groups[i].name;
        hit->caps[hit->ncaps].value = text + ov[2 * g];
        hit->caps[hit->ncaps].len = ov[2 * g + 1] - ov[2 * g];
        hit->ncaps++;
    }
    return 1;
}

static int run_regex(struct mt_matcher *m, int idx, const char *text,
                     size_t len, struct mt_hit *hit)
{
    return run_regex_at(m, idx, text, len, 0, hit);
}

int mt_matcher_test(struct mt_matcher *m, int sig_index, const char *text,
                    size_t len, struct mt_hit *hit)
{
    if (sig_index < 0 || (size_t)sig_index >= m->p->n ||
        m->p->sigs[sig_index].code == NULL) {
        return -1;
    }
    return run_regex(m, sig_index, text, len, hit);
}

/* Reports every match of signature idx in subject (only the first for
 * context signatures). Returns the number of matches, or a negative status
 * from the callback. */
static int each_match(struct mt_matcher *m, int idx, const char *subject,
                      size_t len, mt_hit_fn fn, void *ctx)
{
    const struct mt_signature *s = &m->p->sigs[idx];
    struct mt_hit hit;
    size_t offset = 0;
    int n = 0, rc;

    while (offset <= len && n < MT_MAX_MATCHES_PER_RECORD &&
           run_regex_at(m, idx, subject, len, offset, &hit) == 1) {
        n++;
        rc = fn(ctx, &hit);
        if (rc < 0) {
            return rc;
        }
        if (s->kind == MT_SIG_CONTEXT) {
            break;
        }
        /* An empty match must still move on, by a whole character. */
        offset = hit.end > hit.start ? hit.end : hit.end + 1;
        while (offset < len && ((unsigned char)subject[offset] & 0xc0) ==
                                   0x80) {
            offset++;
        }
    }
    return n;
}

static int compare_ints(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Passes over the candidates in signature order; kind selects context or
 * finding signatures, fallback selects catch-alls. The record's text is
 * tried first, its alt form (wraps joined with a space) only when the text
 * gave nothing. */
static int run_pass(struct mt_matcher *m, const struct mt_record *r,
                    enum mt_sig_kind kind, int fallback, mt_hit_fn fn,
                    void *ctx, int *found)
{
    size_t c;

    for (c = 0; c < m->ncands; c++) {
        int i = m->cands[c];
        const struct mt_signature *s = &m->p->sigs[i];
        int n;

        if (s->kind != kind || s->fallback != fallback || s->code == NULL) {
            continue;
        }
        n = each_match(m, i, r->text, r->len, fn, ctx);
        if (n == 0 && r->alt != NULL) {
            n = each_match(m, i, r->alt, r->alt_len, fn, ctx);
        }
        if (n < 0) {
            return n;
        }
        if (kind == MT_SIG_FINDING) {
            *found += n;
        }
    }
    return 0;
}

int mt_matcher_run(struct mt_matcher *m, const struct mt_record *r,
                   mt_hit_fn fn, void *ctx, int *error_like)
{
    int found = 0, rc, i;
    size_t label_end;
    long at;

    m->gen++;
    if (m->gen == 0) { /* wrapped: clear stale stamps */
        memset(m->stamp, 0, (m->p->n + 1) * sizeof(*m->stamp));
        m->gen = 1;
    }
    m->error_seen = 0;
    m->name_seen = 0;
    m->phrase_seen = 0;
    m->min_error_end = 0;
    m->ncands = 0;
    at = block_offset(m, r);
    /* A block is text the decoders made valid UTF-8, cut at line ends
     * only: PCRE2 need not check it again on every call (it checks the
     * whole subject each time, which cost more than the match). */
    m->match_options = at >= 0 ? PCRE2_NO_UTF_CHECK : 0;
    if (at >= 0) {
        block_literals(m, (size_t)at, r->len);
    } else {
        mt_prefilter_scan(m->pf, r->text, r->len, on_literal, m);
    }
    if (r->alt != NULL) {
        mt_prefilter_scan(m->pf, r->alt, r->alt_len, on_literal, m);
    }
    for (i = 0; i < m->nalways; i++) {
        on_literal(m, m->always[i], 0);
    }
    /* Signature order decides which of two hits comes first in output;
     * keep it whatever order the literals were found in. */
    if (m->ncands > 1) {
        qsort(m->cands, m->ncands, sizeof(*m->cands), compare_ints);
    }
    /* Error words inside a Format-List label (FailureType, BadItemLimit's
     * neighbours) say nothing; only the value counts. */
    label_end = r->kind == MT_REC_FIELD && r->value != NULL
                    ? (size_t)(r->value - r->text)
                    : 0;
    *error_like = m->error_seen && m->min_error_end > label_end;
    if (m->error_seen && !*error_like && r->kind == MT_REC_FIELD) {
        /* The first error word was in the label; look again in the value
         * alone. */
        m->error_seen = 0;
        mt_prefilter_scan(m->pf, r->value, r->value_len, on_literal, m);
        *error_like = m->error_seen;
    }
    rc = run_pass(m, r, MT_SIG_CONTEXT, 0, fn, ctx, &found);
    if (rc == 0) {
        rc = run_pass(m, r, MT_SIG_FINDING, 0, fn, ctx, &found);
    }
    if (rc == 0 && found == 0) {
        rc = run_pass(m, r, MT_SIG_FINDING, 1, fn, ctx, &found);
    }
    m->match_options = 0;
    return rc < 0 ? rc : found;
}

int mt_matcher_name_seen(const struct mt_matcher *m)
{
    return m->name_seen;
}

int mt_matcher_phrase_seen(const struct mt_matcher *m)
{
    return m->phrase_seen;
}

uint64_t mt_matcher_budget_exceeded(const struct mt_matcher *m)
{
    return m->budget_exceeded;
}

uint64_t mt_matcher_regex_runs(const struct mt_matcher *m)
{
    return m->regex_runs;
}
