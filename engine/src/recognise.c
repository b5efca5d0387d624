/* recognise.c: what happens to a record the signatures did not explain.
 * In order:
 *   1. when no signature found anything in it (not even a catch-all), a
 *      stable name in it (kb/names) reports the name's article, with
 *      match kind "name" (signature "name.<article>");
 *   2. an event id with its source, once the document's context has both
 *      (Event Viewer text), reports its article as an object fallback;
 *   3. an error-like record still unexplained is an unknown line, and
 *      when it is close enough to an article's samples it is also counted
 *      as a possible match (similar.c), which is never a finding.
 * The sink (engine.c) calls this after the signatures ran on a record. */
#include "recognise.h"

#include <string.h>

#include "util.h"

/* Reports name k found at text[start .. start + len) through the sink's
 * own hit callback, as if its derived signature had matched there. */
static int report_name(const struct mt_state *st, int k, const char *text,
                       size_t n, size_t start, size_t len, mt_hit_fn on_hit,
                       void *hit_ctx)
{
    const struct mt_name *x = &st->e->names.v[k];
    int event = strcmp(x->kind, "event") == 0;
    struct mt_hit hit;

    memset(&hit, 0, sizeof(hit));
    hit.sig = &st->e->patterns.sigs[x->sig];
    hit.sig_index = x->sig;
    hit.subject = text;
    hit.subject_len = n;
    hit.start = start;
    hit.end = start + len;
    hit.caps[0].name = "name";
    hit.caps[0].value = event ? x->name : text + start;
    hit.caps[0].len = event ? strlen(x->name) : len;
    hit.ncaps = 1;
    return on_hit(hit_ctx, &hit);
}

static int by_name(struct mt_state *st, const struct mt_record *r,
                   mt_hit_fn on_hit, void *hit_ctx)
{
    size_t start, len;
    const char *text = r->text;
    size_t n = r->len;
    int k;

    /* The prefilter saw no name's text: nothing to scan for (most
     * records of a healthy log end here). */
    if (!mt_matcher_name_seen(st->matcher)) {
        return 0;
    }
    k = mt_names_find(&st->e->names, text, n, &start, &len);
    if (k < 0 && r->alt != NULL) {
        text = r->alt;
        n = r->alt_len;
        k = mt_names_find(&st->e->names, text, n, &start, &len);
    }
    if (k < 0) {
        return 0;
    }
    return report_name(st, k, text, n, start, len, on_hit, hit_ctx) < 0
               ? MT_ENOMEM
               : 1;
}

/* Event Viewer text gives the source and the id on lines of their own;
 * once the document's context has both, the pair is looked up (once per
 * pair and document). */
static int by_event(struct mt_state *st, const struct mt_record *r,
                    mt_hit_fn on_hit, void *hit_ctx)
{
    struct mt_document *d = &st->doc;
    const char *source = mt_fields_get(&d->context, "source");
    const char *id = mt_fields_get(&d->context, "event_id");
    unsigned long long key;
    int k;

    if (source == NULL || id == NULL) {
        return 0;
    }
    key = mt_hash(id, strlen(id), mt_hash(source, strlen(source),
                                          MT_HASH_SEED));
    if (key == d->event_key) {
        return 0;
    }
    d->event_key = key;
    k = mt_names_event(&st->e->names, source, id);
    if (k < 0 || st->e->names.v[k].sig < 0) {
        return 0;
    }
    return report_name(st, k, r->text, r->len, 0, r->len, on_hit, hit_ctx) <
                   0
               ? MT_ENOMEM
               : 1;
}

/* The frame lines of a PowerShell error record ("+ CategoryInfo ...",
 * "+ FullyQualifiedErrorId ...") repeat the record's class and cmdlet; the
 * message line above them is the one to compare, not these. */
static int error_record_frame(const char *text, size_t len)
{
    static const char *const frames[] = {"+ CategoryInfo",
                                         "+ FullyQualifiedErrorId", NULL};
    size_t i = 0;
    int k;

    while (i < len && (text[i] == ' ' || text[i] == '\t')) {
        i++;
    }
    for (k = 0; frames[k]; k++) {
        size_t n = strlen(frames[k]);
        if (len - i >= n && memcmp(text + i, frames[k], n) == 0) {
            return 1;
        }
    }
    return 0;
}

static void possible_match(struct mt_state *st, const struct mt_record *r)
{
    const struct mt_similar *similar;
    double score;
    int art;

    if (st->possible == NULL || error_record_frame(r->text, r->len)) {
        return;
    }
    similar = mt_engine_similar(st->e);
    if (similar == NULL) {
        st->oom = 1;
        return;
    }
    if (st->similar_scratch.score == NULL &&
        mt_similar_scratch_init(&st->similar_scratch, similar) != 0) {
        st->oom = 1;
        return;
    }
    art = mt_similar_possible(similar, &st->similar_scratch, r->text, &score);
    if (art >= 0 &&
        mt_possibles_add(st->possible, art, score,
                         st->doc.origin ? st->doc.origin : "", r->line,
                         r->text, r->len) != 0) {
        st->oom = 1;
    }
}

/* Bytes of an unrecognised error line kept for its mailbox. */
#define MAX_UNKNOWN_ERROR 500

/* The object's first unrecognised error line: what a failed mailbox with
 * no known cause shows. */
static void note_unknown_error(struct mt_document *d,
                               const struct mt_record *r)
{
    size_t n = r->len < MAX_UNKNOWN_ERROR ? r->len : MAX_UNKNOWN_ERROR;

    if (d->unknown_error != NULL) {
        return;
    }
    while (n < r->len && n > 0 && ((unsigned char)r->text[n] & 0xc0) == 0x80) {
        n--; /* cut on a character boundary */
    }
    d->unknown_error = mt_strndup(r->text, n);
}

int mt_recognise_record(struct mt_state *st, const struct mt_record *r,
                        int found, int error_like,
                        int contexts, mt_hit_fn on_hit, void *hit_ctx)
{
    int named = 0;

    if (found == 0) {
        named = by_name(st, r, on_hit, hit_ctx);
        if (named < 0) {
            return named;
        }
    }
    if (contexts > 0 && by_event(st, r, on_hit, hit_ctx) < 0) {
        return MT_ENOMEM;
    }
    /* "Status : Failed" is known (it is context), not an unknown error. */
    if (found == 0 && !named && error_like && contexts == 0) {
        mt_unknown_add(st->unknown, r->text, r->len,
                       st->doc.origin ? st->doc.origin : "", r->line);
        note_unknown_error(&st->doc, r);
        possible_match(st, r);
    }
    return st->oom ? MT_ENOMEM : MT_OK;
}

void mt_recognise_done(struct mt_state *st)
{
    mt_similar_scratch_free(&st->similar_scratch);
}
