/* emit_common.c: what the emitters share: the article of a signature, the
 * sorted order of finding groups, command templates filled with the
 * user's own values, log text made safe for a terminal, and the JSON
 * pieces of a finding (also used by the lookup commands). */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "datafile.h"
#include "engine_private.h"
#include "util.h"

const struct mt_article *mt_engine_article_of(const struct mt_engine *e,
                                              int sig)
{
    int a;

    if (sig < 0 || (size_t)sig >= e->patterns.n + e->patterns.nderived) {
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

/* Bytes of the well-formed UTF-8 character at p (at most n), or 0. */
static size_t utf8_char_len(const unsigned char *p, size_t n)
{
    unsigned char lo, hi;
    int need = mt_utf8_lead(p[0], &lo, &hi), k;

    if (need == 0 || (size_t)need >= n) {
        return 0;
    }
    for (k = 1; k <= need; k++) {
        unsigned char c = p[k];
        if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) {
            return 0;
        }
    }
    return (size_t)need + 1;
}

/* Writes text for a terminal: C0 controls (a tab as a space), DEL, C1
 * controls (U+0080..U+009F, such as CSI) and bytes that are not UTF-8 (a
 * file name's lone 0x9B is CSI to an 8-bit terminal) each become '?'. */
void mt_put_clean(FILE *out, const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n = strlen(s), len;

    if (max > n) {
        max = n;
    }
    while (i < max) {
        if (p[i] < 0x80) {
            fputc(p[i] == '\t' ? ' ' : p[i] < 0x20 || p[i] == 0x7f ? '?'
                                                                   : p[i],
                  out);
            i++;
            continue;
        }
        len = utf8_char_len(p + i, n - i);
        if (len == 0 || (p[i] == 0xc2 && p[i + 1] <= 0x9f)) {
            fputc('?', out);
            i += len ? len : 1;
            continue;
        }
        /* A character the cut at max splits is written whole. */
        fwrite(p + i, 1, len, out);
        i += len;
    }
    if (i < n) {
        fputs("...", out);
    }
}

/* ---- JSON pieces shared by the report and the lookup commands ---- */

/* Text from logs is valid UTF-8 after decoding; should a cut ever split a
 * character, jansson would refuse the string, so invalid bytes become '?'
 * rather than dropping the value. */
json_t *mt_jstr(const char *s)
{
    json_t *v;
    char *copy;
    size_t i, n;

    if (s == NULL) {
        return json_null();
    }
    v = json_string(s);
    if (v != NULL) {
        return v;
    }
    n = strlen(s);
    copy = mt_strndup(s, n);
    if (copy == NULL) {
        return json_null();
    }
    for (i = 0; i < n; i++) {
        if ((unsigned char)copy[i] >= 0x80) {
            copy[i] = '?';
        }
    }
    v = json_string(copy);
    mt_free(copy);
    return v ? v : json_null();
}

json_t *mt_jfields(const struct mt_fields *f)
{
    json_t *o = json_object();
    int i;

    for (i = 0; i < f->n; i++) {
        json_object_set_new(o, f->kv[i].name, mt_jstr(f->kv[i].value));
    }
    return o;
}

json_t *mt_jorigin(const char *origin, uint64_t line)
{
    char *s = mt_asprintf("%s:%llu", origin ? origin : "",
                          (unsigned long long)line);
    json_t *v = mt_jstr(s);
    mt_free(s);
    return v;
}

/* A list of command templates from the article, filled in. */
static json_t *jcommands(json_t *templates, const struct mt_finding *f)
{
    json_t *out = json_array(), *t;
    size_t i;

    json_array_foreach(templates, i, t) {
        char *filled = mt_fill_template(json_string_value(t), &f->fields,
                                        &f->context);
        json_array_append_new(out, mt_jstr(filled));
        mt_free(filled);
    }
    return out;
}

/* The parts of a finding common to a group and a single occurrence. */
json_t *mt_jfinding(struct mt_engine *e, const struct mt_finding *f)
{
    const struct mt_article *a = mt_engine_article_of(e, f->sig);
    const struct mt_signature *s = &e->patterns.sigs[f->sig];
    const char *mbx = mt_finding_mailbox(f);
    json_t *o = json_object();

    json_object_set_new(o, "article", mt_jstr(a ? a->id : s->article));
    json_object_set_new(o, "title", mt_jstr(a ? a->title : NULL));
    json_object_set_new(o, "signature", mt_jstr(s->id));
    if (s->derived) {
        /* Recognised by a stable name (kb/names), not by a signature. */
        json_object_set_new(o, "match", mt_jstr("name"));
    }
    json_object_set_new(o, "severity",
                        mt_jstr(mt_severity_name((enum mt_severity)f->severity)));
    json_object_set_new(o, "origin", mt_jorigin(f->origin, f->line));
    json_object_set_new(o, "mailbox", mt_jstr(mbx));
    json_object_set_new(o, "context", mt_jfields(&f->context));
    json_object_set_new(o, "fields", mt_jfields(&f->fields));
    json_object_set_new(o, "message", mt_jstr(f->message));
    if (a != NULL) {
        json_t *risk = json_object_get(a->json, "risk");
        json_object_set_new(o, "cause", mt_jstr(mt_json_str(a->json, "cause")));
        json_object_set(o, "resolution",
                        json_object_get(a->json, "resolution"));
        json_object_set_new(o, "commands",
                            jcommands(json_object_get(a->json, "commands"),
                                      f));
        json_object_set_new(o, "verify",
                            jcommands(json_object_get(a->json, "verify"), f));
        json_object_set(o, "risk", risk ? risk : json_null());
        json_object_set(o, "refs", json_object_get(a->json, "refs"));
    }
    return o;
}

/* A heading and the strings of a JSON list under it, numbered or not. */
void mt_put_list(FILE *out, const char *heading, json_t *list,
                 int numbered)
{
    json_t *v;
    size_t i;

    if (!json_is_array(list) || json_array_size(list) == 0) {
        return;
    }
    fprintf(out, "  %s\n", heading);
    json_array_foreach(list, i, v) {
        if (numbered) {
            fprintf(out, "    %zu. %s\n", i + 1, json_string_value(v));
        } else {
            fprintf(out, "    %s\n", json_string_value(v));
        }
    }
}
