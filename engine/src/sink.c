/* sink.c: where findings go as they are found. An embedder's callback
 * (mt_engine_set_finding_cb) gets each as a plain struct of strings; the
 * NDJSON stream (mt_engine_stream_to) is one such consumer, writing each
 * as a JSON line. The sequential path delivers from the scan; with -j the
 * merge delivers each input's findings in input order (parallel.c). */
#include <stdio.h>

#include "aggregate.h"
#include "engine_private.h"

/* Captured fields handed over at most: signatures capture a handful. */
#define SINK_MAX_FIELDS 64

static void to_user(struct mt_engine *e, void *ctx,
                    const struct mt_finding *f)
{
    const struct mt_signature *s = &e->patterns.sigs[f->sig];
    const struct mt_article *a = mt_engine_article_of(e, f->sig);
    const char *names[SINK_MAX_FIELDS], *values[SINK_MAX_FIELDS];
    struct mt_finding_info info;
    int i, n = f->fields.n < SINK_MAX_FIELDS ? f->fields.n : SINK_MAX_FIELDS;

    for (i = 0; i < n; i++) {
        names[i] = f->fields.kv[i].name;
        values[i] = f->fields.kv[i].value;
    }
    info.signature = s->id;
    info.article = a != NULL ? a->id : s->article;
    info.title = a != NULL ? a->title : NULL;
    info.severity = (enum mt_severity)f->severity;
    info.origin = f->origin;
    info.line = f->line;
    info.mailbox = mt_finding_mailbox(f);
    info.message = f->message;
    info.nfields = (size_t)n;
    info.field_names = names;
    info.field_values = values;
    e->sink.user_fn(ctx, &info);
}

static void to_ndjson(struct mt_engine *e, void *ctx,
                      const struct mt_finding *f)
{
    /* The report filters apply to the stream too (report.c). */
    if (mt_filters_pass(e, f)) {
        mt_emit_ndjson_finding(e, (FILE *)ctx, f);
    }
}

void mt_engine_set_finding_cb(struct mt_engine *e, mt_finding_fn fn,
                              void *ctx)
{
    e->sink.fn = fn != NULL ? to_user : NULL;
    e->sink.user_fn = fn;
    e->sink.ctx = ctx;
}

void mt_engine_stream_to(struct mt_engine *e, FILE *out)
{
    e->sink.fn = out != NULL ? to_ndjson : NULL;
    e->sink.user_fn = NULL;
    e->sink.ctx = out;
}

void mt_sink_deliver(struct mt_engine *e, const struct mt_finding *f)
{
    if (e->sink.fn != NULL) {
        e->sink.fn(e, e->sink.ctx, f);
    }
}
