/* emit_json.c: the JSON report (one document) and NDJSON (one finding a
 * line as found, then a summary line). The shape is written down in
 * docs/output.md and docs/output.schema.json and checked by the tests. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "datafile.h"
#include "engine_private.h"
#include "util.h"

static const char *status_name(int status)
{
    return status == MT_OK ? "ok" : status == MT_WARN ? "warning" : "failed";
}

static json_t *jinputs(const struct mt_engine *e)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; i < e->ninputs; i++) {
        const struct mt_input *in = &e->inputs[i];
        json_t *o = json_object();
        json_object_set_new(o, "path", mt_jstr(in->path));
        json_object_set_new(o, "status", mt_jstr(status_name(in->status)));
        json_object_set_new(o, "bytes", json_integer((json_int_t)in->bytes));
        json_object_set_new(o, "documents",
                            json_integer((json_int_t)in->documents));
        json_object_set_new(o, "records",
                            json_integer((json_int_t)in->records));
        json_object_set_new(o, "findings",
                            json_integer((json_int_t)in->findings));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* (article, mailbox) pairs of the groups, for the rollups. */
struct pair {
    int article;
    const char *mailbox;
    int severity;
    uint64_t count;
};

static const struct mt_engine *pair_engine;

static int compare_by_article(const void *x, const void *y)
{
    const struct pair *a = x, *b = y;
    int c = strcmp(pair_engine->kb.articles[a->article].id,
                   pair_engine->kb.articles[b->article].id);
    return c ? c : strcmp(a->mailbox, b->mailbox);
}

static int compare_by_mailbox(const void *x, const void *y)
{
    const struct pair *a = x, *b = y;
    int c = strcmp(a->mailbox, b->mailbox);
    return c ? c
             : strcmp(pair_engine->kb.articles[a->article].id,
                      pair_engine->kb.articles[b->article].id);
}

static size_t collect_pairs(const struct mt_engine *e, struct pair *p)
{
    size_t i, n = 0;

    for (i = 0; i < e->agg.n; i++) {
        const struct mt_group *g = &e->agg.groups[i];
        int a = e->patterns.sigs[g->first.sig].article_index;
        const char *m = mt_finding_mailbox(&g->first);
        if (a < 0) {
            continue;
        }
        p[n].article = a;
        p[n].mailbox = m ? m : "";
        p[n].severity = g->first.severity;
        p[n].count = g->count;
        n++;
    }
    return n;
}

#define MAX_LISTED_MAILBOXES 1000

static json_t *jby_article(const struct mt_engine *e, struct pair *p,
                           size_t n)
{
    json_t *arr = json_array();
    size_t i = 0;

    pair_engine = e;
    qsort(p, n, sizeof(*p), compare_by_article);
    while (i < n) {
        const struct mt_article *a = &e->kb.articles[p[i].article];
        json_t *o = json_object(), *mbx = json_array();
        uint64_t count = 0, mailboxes = 0;
        int worst = 0;
        size_t j = i;

        for (; j < n && p[j].article == p[i].article; j++) {
            count += p[j].count;
            if (p[j].severity > worst) {
                worst = p[j].severity;
            }
            if (p[j].mailbox[0] != '\0' &&
                (j == i || strcmp(p[j].mailbox, p[j - 1].mailbox) != 0)) {
                mailboxes++;
                if (json_array_size(mbx) < MAX_LISTED_MAILBOXES) {
                    json_array_append_new(mbx, mt_jstr(p[j].mailbox));
                }
            }
        }
        json_object_set_new(o, "article", mt_jstr(a->id));
        json_object_set_new(o, "title", mt_jstr(a->title));
        json_object_set_new(o, "severity",
                            mt_jstr(mt_severity_name((enum mt_severity)worst)));
        json_object_set_new(o, "count", json_integer((json_int_t)count));
        json_object_set_new(o, "mailbox_count",
                            json_integer((json_int_t)mailboxes));
        json_object_set_new(o, "mailboxes", mbx);
        json_array_append_new(arr, o);
        i = j;
    }
    return arr;
}

/* One mailbox of by_mailbox: its status and batch, its worst finding and
 * its findings per article (from the pairs at *j on, sorted by mailbox,
 * which it consumes). Mailboxes without findings are listed too
 * (worst_severity null), so a bulk run shows which are fine. */
static json_t *jmailbox(const struct mt_engine *e,
                        const struct mt_mailbox *mb, const struct pair *p,
                        size_t n, size_t *j)
{
    json_t *o = json_object(), *arts = json_object();
    int c;

    /* Pairs and mailboxes are both sorted by name: walk them together. */
    while (*j < n && (c = strcmp(p[*j].mailbox, mb->name)) <= 0) {
        if (c == 0) {
            const char *id = e->kb.articles[p[*j].article].id;
            json_t *prev = json_object_get(arts, id);
            json_int_t sum = (json_int_t)p[*j].count +
                             (prev ? json_integer_value(prev) : 0);
            json_object_set_new(arts, id, json_integer(sum));
        }
        (*j)++;
    }
    json_object_set_new(o, "mailbox", mt_jstr(mb->name));
    json_object_set_new(o, "status", mt_jstr(mb->status));
    json_object_set_new(o, "batch", mt_jstr(mb->batch));
    json_object_set_new(
        o, "worst_severity",
        mb->worst >= 0 ? mt_jstr(mt_severity_name((enum mt_severity)mb->worst))
                       : json_null());
    json_object_set_new(o, "findings", json_integer((json_int_t)mb->findings));
    json_object_set_new(o, "articles", arts);
    return o;
}

/* How a value is laid out: JSON_INDENT(2) at a nesting depth (the
 * document), or compact (an NDJSON line). */
struct layout {
    int compact;
    int depth;
};

static size_t dump_flags(const struct layout *l)
{
    return (l->compact ? JSON_COMPACT : JSON_INDENT(2)) |
           JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;
}

static void put_nested(FILE *out, json_t *value, int depth);

/* Writes n bytes of text with each line after the first indented by
 * 2 * depth more, a line at a time. */
static void put_indented(FILE *out, const char *text, size_t n, int depth)
{
    const char *end = text + n;

    while (text < end) {
        const char *nl = memchr(text, '\n', (size_t)(end - text));
        size_t k = nl ? (size_t)(nl - text) + 1 : (size_t)(end - text);
        fwrite(text, 1, k, out);
        if (nl != NULL) {
            fprintf(out, "%*s", 2 * depth, "");
        }
        text += k;
    }
}

static void put_value(FILE *out, json_t *value, const struct layout *l)
{
    if (l->compact) {
        char *text = json_dumps(value, dump_flags(l));
        if (text != NULL) {
            fputs(text, out);
        }
        free(text); /* jansson allocated it */
    } else {
        put_nested(out, value, l->depth);
    }
}

/* Writes object o (not empty) laid out as l, without its closing brace,
 * so that members written by hand can follow; returns the text that
 * closes it. */
static const char *put_open_object(FILE *out, json_t *o,
                                   const struct layout *l)
{
    char *text = json_dumps(o, dump_flags(l));
    size_t n = text ? strlen(text) : 0;

    /* Drop "}" (compact) or "\n}" (indented). */
    n = n >= 2 && !l->compact ? n - 2 : n >= 1 ? n - 1 : 0;
    if (text != NULL) {
        put_indented(out, text, n, l->depth);
    }
    free(text); /* jansson allocated it */
    return l->compact ? "}" : "\n}";
}

/* Writes the closing text of put_open_object() at l's depth. */
static void put_close_object(FILE *out, const char *close,
                             const struct layout *l)
{
    if (close[0] == '\n') {
        fprintf(out, "\n%*s}", 2 * l->depth, "");
    } else {
        fputs(close, out);
    }
}

/* ",\"key\":" (compact) or ",\n<indent>\"key\": " as a member of an
 * object at l's depth. */
static void put_key(FILE *out, const char *key, const struct layout *l)
{
    if (l->compact) {
        fprintf(out, ",\"%s\":", key);
    } else {
        fprintf(out, ",\n%*s\"%s\": ", 2 * (l->depth + 1), "", key);
    }
}

/* The by_mailbox array, one mailbox at a time, as a member of the summary
 * object at l's depth: a run over a million mailboxes would otherwise hold
 * the whole array as a JSON tree, and then its text. */
static void put_by_mailbox(FILE *out, const struct mt_engine *e,
                           struct pair *p, size_t n, const struct layout *l)
{
    size_t *order = mt_mailboxes_sorted(&e->mailboxes), i, j = 0;
    struct layout item = {l->compact, l->depth + 2};

    put_key(out, "by_mailbox", l);
    if (order == NULL || e->mailboxes.n == 0) {
        fputs("[]", out);
        mt_free(order);
        return;
    }
    pair_engine = e;
    qsort(p, n, sizeof(*p), compare_by_mailbox);
    fputc('[', out);
    for (i = 0; i < e->mailboxes.n; i++) {
        json_t *o = jmailbox(e, &e->mailboxes.items[order[i]], p, n, &j);
        if (l->compact) {
            fputs(i ? "," : "", out);
        } else {
            fprintf(out, "%s\n%*s", i ? "," : "", 2 * item.depth, "");
        }
        put_value(out, o, &item);
        json_decref(o);
    }
    if (!l->compact) {
        fprintf(out, "\n%*s", 2 * (l->depth + 1), "");
    }
    fputc(']', out);
    mt_free(order);
}

/* The summary object: counts and by_article as one tree (bounded by the
 * articles), by_mailbox streamed after them. */
static void put_summary(FILE *out, struct mt_engine *e,
                        const struct layout *l)
{
    static const char *const sev[] = {"critical", "error", "warning",
                                      "info"};
    json_t *o = json_object(), *bysev = json_object();
    struct pair *pairs = mt_calloc(e->agg.n + 1, sizeof(*pairs));
    size_t npairs = pairs ? collect_pairs(e, pairs) : 0;
    const char *close;
    int i;

    for (i = 0; i < 4; i++) {
        json_object_set_new(bysev, sev[i],
                            json_integer((json_int_t)e->agg.by_severity[3 - i]));
    }
    json_object_set_new(o, "inputs", json_integer((json_int_t)e->ninputs));
    json_object_set_new(o, "inputs_failed",
                        json_integer((json_int_t)mt_engine_failed_inputs(e)));
    json_object_set_new(o, "records", json_integer((json_int_t)e->records));
    json_object_set_new(o, "findings",
                        json_integer((json_int_t)e->agg.findings));
    json_object_set_new(o, "finding_groups",
                        json_integer((json_int_t)e->agg.n));
    json_object_set_new(o, "findings_ungrouped",
                        json_integer((json_int_t)e->agg.overflow));
    json_object_set_new(o, "unknown_records",
                        json_integer((json_int_t)e->unknown.lines));
    json_object_set_new(
        o, "match_budget_exceeded",
        json_integer((json_int_t)mt_engine_budget_exceeded(e)));
    json_object_set_new(o, "by_severity", bysev);
    json_object_set_new(o, "by_article", jby_article(e, pairs, npairs));
    close = put_open_object(out, o, l);
    json_decref(o);
    put_by_mailbox(out, e, pairs, npairs, l);
    put_close_object(out, close, l);
    mt_free(pairs);
}

#define MAX_JSON_CLUSTERS 100

static json_t *junknown(struct mt_engine *e)
{
    json_t *arr = json_array();
    size_t i;

    mt_unknown_sort(&e->unknown);
    for (i = 0; i < e->unknown.n && i < MAX_JSON_CLUSTERS; i++) {
        const struct mt_cluster *c = &e->unknown.clusters[i];
        json_t *o = json_object();
        json_object_set_new(o, "template", mt_jstr(c->template_text));
        json_object_set_new(o, "count", json_integer((json_int_t)c->count));
        json_object_set_new(o, "origin", mt_jorigin(c->origin, c->line));
        json_object_set_new(o, "example", mt_jstr(c->example));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *jerrors(const struct mt_engine *e)
{
    static const char *const level[] = {"note", "warning", "error"};
    json_t *arr = json_array();
    size_t i;

    for (i = 0; i < e->nmessages; i++) {
        const struct mt_message *m = &e->messages[i];
        json_t *o = json_object();
        json_object_set_new(o, "level", mt_jstr(level[m->level % 3]));
        json_object_set_new(o, "origin", mt_jstr(m->origin));
        json_object_set_new(o, "message", mt_jstr(m->text));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* One finding group as its JSON object. */
static json_t *jgroup(struct mt_engine *e, const struct mt_group *g)
{
    json_t *o = mt_jfinding(e, &g->first), *examples = json_array();
    int k;

    for (k = 0; k < g->nexamples; k++) {
        json_t *x = json_object();
        json_object_set_new(x, "origin", mt_jorigin(g->examples[k].origin,
                                                    g->examples[k].line));
        json_object_set_new(x, "fields", mt_jfields(&g->examples[k].fields));
        json_object_set_new(x, "message", mt_jstr(g->examples[k].message));
        json_array_append_new(examples, x);
    }
    json_object_set_new(o, "count", json_integer((json_int_t)g->count));
    json_object_set_new(o, "last_origin",
                        mt_jorigin(g->last_origin, g->last_line));
    json_object_set_new(o, "examples", examples);
    return o;
}

/* Writes value as jansson would at the given nesting depth of a document
 * dumped with JSON_INDENT(2): its own lines indented by 2 * depth more. */
static void put_nested(FILE *out, json_t *value, int depth)
{
    char *text = json_dumps(value, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                       JSON_ENCODE_ANY);

    if (text != NULL) {
        put_indented(out, text, strlen(text), depth);
    }
    free(text); /* jansson allocated it */
}

/* A member of the top-level object: "  \"key\": value". */
static void put_member(FILE *out, const char *key, json_t *value, int last)
{
    fprintf(out, "  \"%s\": ", key);
    put_nested(out, value, 1);
    fputs(last ? "\n" : ",\n", out);
    json_decref(value);
}

/* The findings array, one group at a time: a bulk run can hold tens of
 * thousands of groups, and building them all as one JSON tree first would
 * make memory grow with the input. The bytes are those a single dump of
 * the whole document gives. */
static void put_groups(FILE *out, struct mt_engine *e)
{
    size_t *order = mt_sorted_groups(e), i;

    fputs("  \"findings\": [", out);
    for (i = 0; order != NULL && i < e->agg.n; i++) {
        json_t *o = jgroup(e, &e->agg.groups[order[i]]);
        fputs(i == 0 ? "\n    " : ",\n    ", out);
        put_nested(out, o, 2);
        json_decref(o);
    }
    fputs(order != NULL && e->agg.n > 0 ? "\n  ],\n" : "],\n", out);
    mt_free(order);
}

static void dump(json_t *doc, FILE *out, size_t flags)
{
    json_dumpf(doc, out, flags | JSON_PRESERVE_ORDER);
    fputc('\n', out);
}

static json_t *jheader(const struct mt_engine *e, const char *type)
{
    json_t *o = json_object();

    if (type != NULL) {
        json_object_set_new(o, "type", mt_jstr(type));
    }
    json_object_set_new(o, "tool", mt_jstr("migtriage"));
    json_object_set_new(o, "version", mt_jstr(MT_VERSION));
    json_object_set_new(o, "kb_version", mt_jstr(mt_engine_kb_version(e)));
    return o;
}

void mt_emit_json(struct mt_engine *e, FILE *out)
{
    struct layout summary = {0, 1};

    fputs("{\n", out);
    put_member(out, "tool", mt_jstr("migtriage"), 0);
    put_member(out, "version", mt_jstr(MT_VERSION), 0);
    put_member(out, "kb_version", mt_jstr(mt_engine_kb_version(e)), 0);
    put_member(out, "inputs", jinputs(e), 0);
    put_groups(out, e);
    fputs("  \"summary\": ", out);
    put_summary(out, e, &summary);
    fputs(",\n", out);
    if (e->possible.n > 0) {
        put_member(out, "possible", mt_jpossibles(e), 0);
    }
    put_member(out, "unknown", junknown(e), 0);
    put_member(out, "errors", jerrors(e), 1);
    fputs("}\n", out);
}

int mt_emit_ndjson_finding(struct mt_engine *e, FILE *out,
                           const struct mt_finding *f)
{
    json_t *o = json_object(), *body = mt_jfinding(e, f);

    json_object_set_new(o, "type", mt_jstr("finding"));
    json_object_update(o, body);
    json_decref(body);
    dump(o, out, JSON_COMPACT);
    json_decref(o);
    return 0;
}

/* The summary line, with the summary object streamed (see put_summary):
 * the same bytes as one compact dump of the whole line. */
void mt_emit_ndjson_summary(struct mt_engine *e, FILE *out)
{
    struct layout compact = {1, 0};
    json_t *doc = jheader(e, "summary"), *v;
    const char *close;

    mt_emit_ndjson_possibles(e, out);
    json_object_set_new(doc, "inputs", jinputs(e));
    close = put_open_object(out, doc, &compact);
    json_decref(doc);
    fputs(",\"summary\":", out);
    put_summary(out, e, &compact);
    put_key(out, "unknown", &compact);
    v = junknown(e);
    put_value(out, v, &compact);
    json_decref(v);
    put_key(out, "errors", &compact);
    v = jerrors(e);
    put_value(out, v, &compact);
    json_decref(v);
    put_close_object(out, close, &compact);
    fputc('\n', out);
}
