/* prefilter_scan.c: the per-record scan, for whichever prefilter was
 * built (prefilter.c or prefilter_hs.c): the span scan with only the end
 * of each occurrence passed on, which is all a record's caller needs. */
#include "prefilter.h"

struct record_scan {
    mt_prefilter_hit_fn fn;
    void *ctx;
};

static void on_span(void *ctx, int id, size_t start, size_t end)
{
    struct record_scan *r = ctx;

    (void)start;
    r->fn(r->ctx, id, end);
}

void mt_prefilter_scan(const struct mt_prefilter *pf, const char *text,
                       size_t n, mt_prefilter_hit_fn fn, void *ctx)
{
    struct record_scan r = {fn, ctx};

    mt_prefilter_scan_spans(pf, text, n, on_span, &r);
}
