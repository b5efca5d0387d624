/* emit_common.c: what the emitters share: the article of a signature, the
 * sorted order of finding groups, and command templates filled with the
 * user's own values. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "engine_private.h"
#include "util.h"

const struct mt_article *mt_engine_article_of(const struct mt_engine *e,
                                              int sig)
{
    int a;

    if (sig < 0 || (size_t)sig >= e->patterns.n) {
        return NULL;
    }
    a = e->patterns.sigs[sig].article_index;
    return a >= 0 ? &e->kb.articles[a] : NULL;
}

/* Appends a value for a PowerShell single-quoted string: quotes doubled,
 * control characters (which could break out of the line) dropped. */
static void append_value(struct mt_buf *b, const char *v)
{
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        if (c < 0x20 || c == 0x7f) {
            continue;
        }
        if (c == '\'') {
            mt_buf_appendc(b, '\'');
        }
        mt_buf_appendc(b, (char)c);
    }
}

char *mt_fill_template(const char *tmpl, const struct mt_fields *fields,
                       const struct mt_fields *context)
{
    struct mt_buf b;
    const char *p = tmpl;

    mt_buf_init(&b, 0);
    while (*p) {
        const char *close;
        if (*p == '{' && (close = strchr(p + 1, '}')) != NULL &&
            close - p - 1 > 0 && close - p - 1 < 64) {
            char name[64];
            const char *v;
            size_t n = (size_t)(close - p - 1), i;
            int ok = 1;

            memcpy(name, p + 1, n);
            name[n] = '\0';
            for (i = 0; i < n; i++) {
                if (!islower((unsigned char)name[i]) && name[i] != '_' &&
                    !isdigit((unsigned char)name[i])) {
                    ok = 0;
                }
            }
            v = ok ? mt_fields_get(fields, name) : NULL;
            if (ok && v == NULL) {
                v = mt_fields_get(context, name);
            }
            if (v != NULL) {
                append_value(&b, v);
                p = close + 1;
                continue;
            }
        }
        mt_buf_appendc(&b, *p++);
    }
    return mt_buf_steal(&b);
}

static const struct mt_engine *sort_engine;
static const int *sort_worst; /* per article: worst severity among groups */

static int article_worst(const struct mt_engine *e, int sig)
{
    int a = e->patterns.sigs[sig].article_index;
    return a >= 0 ? sort_worst[a] : e->patterns.sigs[sig].severity;
}

static int compare_groups(const void *x, const void *y)
{
    const struct mt_engine *e = sort_engine;
    const struct mt_group *a = &e->agg.groups[*(const size_t *)x];
    const struct mt_group *b = &e->agg.groups[*(const size_t *)y];
    const struct mt_article *aa = mt_engine_article_of(e, a->first.sig);
    const struct mt_article *ab = mt_engine_article_of(e, b->first.sig);
    int c, wa = article_worst(e, a->first.sig),
           wb = article_worst(e, b->first.sig);

    /* Articles by their worst finding, then within an article the worse
     * signatures first, so text output can group by article. */
    if (wa != wb) {
        return wb - wa;
    }
    c = strcmp(aa ? aa->id : "", ab ? ab->id : "");
    if (c != 0) {
        return c;
    }
    if (a->first.severity != b->first.severity) {
        return b->first.severity - a->first.severity;
    }
    c = strcmp(e->patterns.sigs[a->first.sig].id,
               e->patterns.sigs[b->first.sig].id);
    if (c != 0) {
        return c;
    }
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

size_t *mt_sorted_groups(const struct mt_engine *e)
{
    size_t *idx = mt_malloc((e->agg.n + 1) * sizeof(*idx)), i;
    int *worst = mt_calloc(e->kb.n + 1, sizeof(*worst));

    if (idx == NULL || worst == NULL) {
        mt_free(idx);
        mt_free(worst);
        return NULL;
    }
    for (i = 0; i < e->agg.n; i++) {
        const struct mt_group *g = &e->agg.groups[i];
        int a = e->patterns.sigs[g->first.sig].article_index;
        idx[i] = i;
        if (a >= 0 && g->first.severity > worst[a]) {
            worst[a] = g->first.severity;
        }
    }
    /* qsort has no context argument in C11; the emitters run on one
     * thread, so a file-level pointer is enough. */
    sort_engine = e;
    sort_worst = worst;
    qsort(idx, e->agg.n, sizeof(*idx), compare_groups);
    mt_free(worst);
    sort_worst = NULL;
    return idx;
}
