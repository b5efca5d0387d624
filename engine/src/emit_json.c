/* emit_json.c: the JSON report (one document) and NDJSON (one finding a
 * line as found, then a summary line). The shape is written down in
 * docs/output.md and docs/output.schema.json and checked by the tests. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

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
        json_object_set_new(o, "budget_exceeded",
                            json_integer((json_int_t)in->budget_exceeded));
        json_array_append_new(arr, o);
    }
    return arr;
}

#define MAX_LISTED_MAILBOXES 1000

static const char *problem_article(const struct mt_report *r,
                                   const struct mt_problem *pr,
                                   const char **title)
{
    const struct mt_group *g = &r->e->res.agg.groups[r->groups[pr->from]];
    const struct mt_article *a = mt_engine_article_of(r->e, g->first.sig);

    *title = a ? a->title : NULL;
    return a ? a->id : r->e->patterns.sigs[g->first.sig].article;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The problems in fix-first order, each with its rank and score. */
static json_t *jby_article(const struct mt_report *r)
{
    json_t *arr = json_array();
    size_t i, k, n, *stamp = mt_calloc(r->npeople + 1, sizeof(*stamp));
    const char **names = mt_calloc(r->npeople + 1, sizeof(*names));

    for (i = 0; stamp != NULL && names != NULL && i < r->nproblems; i++) {
        const struct mt_problem *pr = &r->problems[i];
        json_t *o = json_object(), *mbx = json_array();
        const char *title, *id = problem_article(r, pr, &title);

        for (k = pr->from, n = 0; k < pr->to; k++) {
            size_t p = r->group_person[r->groups[k]];
            if (p != MT_NONE && stamp[p] != pr->rank) {
                stamp[p] = pr->rank;
                names[n++] = r->people[p].name;
            }
        }
        qsort(names, n, sizeof(*names), compare_strings);
        for (k = 0; k < n && k < MAX_LISTED_MAILBOXES; k++) {
            json_array_append_new(mbx, mt_jstr(names[k]));
        }
        json_object_set_new(o, "rank", json_integer((json_int_t)pr->rank));
        json_object_set_new(o, "score", json_integer((json_int_t)pr->score));
        json_object_set_new(o, "article", mt_jstr(id));
        json_object_set_new(o, "title", mt_jstr(title));
        json_object_set_new(
            o, "severity",
            mt_jstr(mt_severity_name((enum mt_severity)pr->worst)));
        json_object_set_new(o, "count", json_integer((json_int_t)pr->count));
        json_object_set_new(o, "mailbox_count",
                            json_integer((json_int_t)pr->mailboxes));
        json_object_set_new(o, "mailboxes", mbx);
        json_array_append_new(arr, o);
    }
    mt_free(stamp);
    mt_free(names);
    return arr;
}

/* One mailbox (one identity, with all its names): status and batch,
 * worst finding and findings per article; mailboxes without findings too
 * (worst_severity null), so a bulk run shows which are fine. groups are
 * the positions of its groups in r->groups. */
static json_t *jmailbox(const struct mt_report *r, const struct mt_person *mb,
                        const size_t *groups, size_t ngroups)
{
    json_t *o = json_object(), *arts = json_object();
    size_t k;

    for (k = 0; k < ngroups; k++) {
        size_t g = r->groups[groups[k]];
        const char *title,
            *id = problem_article(r, &r->problems[r->problem_of[g]], &title);
        json_t *prev = json_object_get(arts, id);
        json_object_set_new(
            arts, id,
            json_integer((json_int_t)r->e->res.agg.groups[g].count +
                         (prev ? json_integer_value(prev) : 0)));
    }
    json_object_set_new(o, "mailbox", mt_jstr(mb->name));
    json_object_set_new(o, "names", mt_jperson_names(r, mb));
    json_object_set_new(o, "status", mt_jstr(mb->status));
    json_object_set_new(o, "batch", mt_jstr(mb->batch));
    json_object_set_new(
        o, "worst_severity",
        mb->worst >= 0 ? mt_jstr(mt_severity_name((enum mt_severity)mb->worst))
                       : json_null());
    json_object_set_new(o, "findings", json_integer((json_int_t)mb->findings));
    json_object_set_new(o, "articles", arts);
    json_object_set_new(o, "failed_unexplained",
                        json_boolean(mt_person_failed_unexplained(mb)));
    json_object_set_new(o, "unrecognised_error", mt_jstr(mb->error));
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

/* Writes n spaces (the indentation of a nested value's lines). */
static void put_spaces(FILE *out, size_t n)
{
    static const char spaces[] = "                                ";

    while (n > 0) {
        size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
        fwrite(spaces, 1, k, out);
        n -= k;
    }
}

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
            put_spaces(out, 2 * (size_t)depth);
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

static const struct mt_report *sort_report;

static int compare_by_person(const void *x, const void *y)
{
    const struct mt_report *r = sort_report;
    size_t a = r->group_person[r->groups[*(const size_t *)x]],
           b = r->group_person[r->groups[*(const size_t *)y]];

    if (a != b) {
        return a < b ? -1 : 1;
    }
    return *(const size_t *)x < *(const size_t *)y ? -1 : 1;
}

/* The by_mailbox array, one mailbox at a time, as a member of the summary
 * object at l's depth: a run over a million mailboxes would otherwise hold
 * the whole array as a JSON tree, and then its text. */
static void put_by_mailbox(FILE *out, const struct mt_report *r,
                           const struct layout *l)
{
    struct layout item = {l->compact, l->depth + 2};
    size_t *byp = mt_malloc((r->ngroups + 1) * sizeof(*byp));
    size_t *first = mt_malloc((r->npeople + 1) * sizeof(*first));
    size_t i, k, shown = 0;

    put_key(out, "by_mailbox", l);
    if (byp == NULL || first == NULL) {
        fputs("[]", out);
        mt_free(byp);
        mt_free(first);
        return;
    }
    /* Each person's shown groups as one run of byp (positions in
     * r->groups, so each run stays in fix-first order). */
    for (i = 0; i < r->ngroups; i++) {
        byp[i] = i;
    }
    sort_report = r;
    qsort(byp, r->ngroups, sizeof(*byp), compare_by_person);
    sort_report = NULL;
    for (i = 0; i < r->npeople; i++) {
        first[i] = MT_NONE;
    }
    for (i = r->ngroups; i-- > 0;) {
        if (r->group_person[r->groups[byp[i]]] != MT_NONE) {
            first[r->group_person[r->groups[byp[i]]]] = i;
        }
    }
    fputc('[', out);
    for (i = 0; i < r->npeople; i++) {
        size_t p = r->people_by_name[i], n = 0;
        json_t *o;
        if (!r->people[p].selected) {
            continue;
        }
        for (k = first[p]; k != MT_NONE && k + n < r->ngroups &&
                           r->group_person[r->groups[byp[k + n]]] == p;
             n++) {
        }
        o = jmailbox(r, &r->people[p], first[p] != MT_NONE ? byp + first[p]
                                                            : byp,
                     n);
        if (l->compact) {
            fputs(shown ? "," : "", out);
        } else {
            fprintf(out, "%s\n%*s", shown ? "," : "", 2 * item.depth, "");
        }
        put_value(out, o, &item);
        json_decref(o);
        shown++;
    }
    if (!l->compact && shown > 0) {
        fprintf(out, "\n%*s", 2 * (l->depth + 1), "");
    }
    fputc(']', out);
    mt_free(byp);
    mt_free(first);
}

static json_t *jby_batch(const struct mt_report *r)
{
    json_t *arr = json_array();
    size_t n, i, k;
    struct mt_batch_status *b = mt_report_batches(r, &n);

    for (i = 0; b != NULL && i < n; i++) {
        json_t *o = json_object(), *st = json_object();
        for (k = 0; k < b[i].nstatuses; k++) {
            json_object_set_new(st, b[i].statuses[k].word,
                                json_integer((json_int_t)b[i].statuses[k].count));
        }
        if (b[i].other > 0) {
            json_object_set_new(st, "Other",
                                json_integer((json_int_t)b[i].other));
        }
        json_object_set_new(o, "batch", mt_jstr(b[i].batch));
        json_object_set_new(o, "mailboxes",
                            json_integer((json_int_t)b[i].mailboxes));
        json_object_set_new(o, "statuses", st);
        json_array_append_new(arr, o);
    }
    mt_free(b);
    return arr;
}

static json_t *jstrings(char *const *list, size_t n)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; i < n; i++) {
        json_array_append_new(arr, mt_jstr(list[i]));
    }
    return arr;
}

static json_t *jfilters(const struct mt_engine *e)
{
    const struct mt_filters *f = &e->filters;
    json_t *o;

    if (!mt_filters_active(f)) {
        return json_null();
    }
    o = json_object();
    json_object_set_new(
        o, "min_severity",
        f->min_severity >= 0
            ? mt_jstr(mt_severity_name((enum mt_severity)f->min_severity))
            : json_null());
    json_object_set_new(o, "mailboxes", jstrings(f->mailboxes, f->nmailboxes));
    json_object_set_new(o, "articles", jstrings(f->articles, f->narticles));
    json_object_set_new(o, "families", jstrings(f->families, f->nfamilies));
    return o;
}

/* The summary object: counts, batches and by_article as one tree
 * (bounded by batches and articles), by_mailbox streamed after them. */
static void put_summary(FILE *out, struct mt_engine *e,
                        const struct mt_report *r, const struct layout *l)
{
    const char *close;
    static const char *const sev[] = {"critical", "error", "warning",
                                      "info"};
    json_t *o = json_object(), *bysev = json_object();
    uint64_t shown[4] = {0, 0, 0, 0};
    size_t i;

    for (i = 0; i < r->ngroups; i++) {
        const struct mt_group *g = &e->res.agg.groups[r->groups[i]];
        shown[g->first.severity & 3] += g->count;
    }
    for (i = 0; i < 4; i++) {
        json_object_set_new(bysev, sev[i],
                            json_integer((json_int_t)shown[3 - i]));
    }
    json_object_set_new(o, "inputs", json_integer((json_int_t)e->ninputs));
    json_object_set_new(o, "inputs_failed",
                        json_integer((json_int_t)mt_engine_failed_inputs(e)));
    json_object_set_new(o, "records", json_integer((json_int_t)e->res.records));
    json_object_set_new(o, "findings",
                        json_integer((json_int_t)e->res.agg.findings));
    json_object_set_new(o, "findings_shown",
                        json_integer((json_int_t)r->findings));
    json_object_set_new(o, "filters", jfilters(e));
    json_object_set_new(o, "finding_groups",
                        json_integer((json_int_t)e->res.agg.n));
    json_object_set_new(o, "findings_ungrouped",
                        json_integer((json_int_t)e->res.agg.overflow));
    json_object_set_new(o, "unknown_records",
                        json_integer((json_int_t)e->res.unknown.lines));
    json_object_set_new(
        o, "match_budget_exceeded",
        json_integer((json_int_t)mt_engine_budget_exceeded(e)));
    json_object_set_new(o, "by_severity", bysev);
    json_object_set_new(o, "by_batch", jby_batch(r));
    json_object_set_new(o, "by_article", jby_article(r));
    close = put_open_object(out, o, l);
    json_decref(o);
    put_by_mailbox(out, r, l);
    put_close_object(out, close, l);
}

#define MAX_JSON_CLUSTERS 100

static json_t *junknown(struct mt_engine *e)
{
    json_t *arr = json_array();
    size_t i;

    mt_unknown_sort(&e->res.unknown);
    for (i = 0; i < e->res.unknown.n && i < MAX_JSON_CLUSTERS; i++) {
        const struct mt_cluster *c = &e->res.unknown.clusters[i];
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

/* The templates filled for group g, as a JSON array. */
static json_t *jfilled(const struct mt_report *r, size_t g,
                       const struct mt_strlist *tmpls)
{
    json_t *out = json_array();
    size_t i;

    for (i = 0; i < tmpls->n; i++) {
        char *filled = mt_report_fill(r, g, tmpls->v[i], NULL);
        json_array_append_new(out, mt_jstr(filled));
        mt_free(filled);
    }
    return out;
}

/* One finding group as its JSON object. */
static json_t *jgroup(struct mt_engine *e, const struct mt_report *r,
                      size_t gi)
{
    const struct mt_group *g = &e->res.agg.groups[gi];
    const struct mt_problem *pr = &r->problems[r->problem_of[gi]];
    const struct mt_article *a = mt_engine_article_of(e, g->first.sig);
    json_t *o = json_object(), *body = mt_jfinding(e, &g->first),
           *examples = json_array();
    const char *named = mt_finding_mailbox(&g->first);
    int k;

    /* rank and score first: what a script sorts or cuts on. */
    json_object_set_new(o, "rank", json_integer((json_int_t)pr->rank));
    json_object_set_new(o, "score", json_integer((json_int_t)pr->score));
    json_object_update(o, body);
    json_decref(body);
    json_object_set_new(o, "mailbox", mt_jstr(mt_report_group_mailbox(r, gi)));
    json_object_set_new(o, "mailbox_as_named", mt_jstr(named));
    if (a != NULL) {
        json_object_set_new(o, "commands", jfilled(r, gi, &a->commands));
        json_object_set_new(o, "verify", jfilled(r, gi, &a->verify));
        json_object_set_new(o, "command_templates",
                            mt_jstrlist(&a->commands));
        json_object_set_new(o, "verify_templates", mt_jstrlist(&a->verify));
    }

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

    /* A line at a time (a byte at a time cost more than the dump). */
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
/* Groups of one signature for one mailbox that the inputs named
 * differently (jdoe, jdoe@contoso.com) are one entry: the counts add up,
 * the last origin is the last group's, the others' first occurrences
 * become examples (up to MT_MAX_EXAMPLES). Returns the end of the run
 * that starts at shown group i; o is the entry of its first group. */
static size_t merge_same_mailbox(const struct mt_engine *e,
                                 const struct mt_report *r, size_t i,
                                 json_t *o)
{
    const struct mt_group *first = &e->res.agg.groups[r->groups[i]];
    size_t person = r->group_person[r->groups[i]], j = i + 1;
    json_t *examples = json_object_get(o, "examples");
    uint64_t count = first->count;

    while (person != MT_NONE && j < r->ngroups &&
           r->group_person[r->groups[j]] == person &&
           e->res.agg.groups[r->groups[j]].first.sig == first->first.sig) {
        const struct mt_group *g = &e->res.agg.groups[r->groups[j]];
        count += g->count;
        if (json_array_size(examples) < MT_MAX_EXAMPLES) {
            json_t *x = json_object();
            json_object_set_new(x, "origin",
                                mt_jorigin(g->first.origin, g->first.line));
            json_object_set_new(x, "fields", mt_jfields(&g->first.fields));
            json_object_set_new(x, "message", mt_jstr(g->first.message));
            json_array_append_new(examples, x);
        }
        json_object_set_new(o, "last_origin",
                            mt_jorigin(g->last_origin, g->last_line));
        j++;
    }
    json_object_set_new(o, "count", json_integer((json_int_t)count));
    return j;
}

static void put_groups(FILE *out, struct mt_engine *e,
                       const struct mt_report *r)
{
    size_t i, j;

    fputs("  \"findings\": [", out);
    for (i = 0; i < r->ngroups; i = j) {
        json_t *o = jgroup(e, r, r->groups[i]);
        j = merge_same_mailbox(e, r, i, o);
        fputs(i == 0 ? "\n    " : ",\n    ", out);
        put_nested(out, o, 2);
        json_decref(o);
    }
    fputs(r->ngroups > 0 ? "\n  ],\n" : "],\n", out);
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
    struct mt_report *r = mt_report_build(e);

    if (r == NULL) {
        fputs("{\"error\": \"out of memory\"}\n", out);
        return;
    }
    fputs("{\n", out);
    put_member(out, "tool", mt_jstr("migtriage"), 0);
    put_member(out, "version", mt_jstr(MT_VERSION), 0);
    put_member(out, "kb_version", mt_jstr(mt_engine_kb_version(e)), 0);
    put_member(out, "inputs", jinputs(e), 0);
    put_groups(out, e, r);
    fputs("  \"summary\": ", out);
    put_summary(out, e, r, &summary);
    fputs(",\n", out);
    if (e->res.possible.n > 0) {
        put_member(out, "possible", mt_jpossibles(e), 0);
    }
    put_member(out, "unknown", junknown(e), 0);
    put_member(out, "errors", jerrors(e), 1);
    fputs("}\n", out);
    mt_report_free(r);
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

void mt_emit_ndjson_summary(struct mt_engine *e, FILE *out)
{
    struct layout compact = {1, 0};
    json_t *doc = jheader(e, "summary"), *v;
    struct mt_report *r = mt_report_build(e);
    const char *close;

    if (r == NULL) {
        json_decref(doc);
        fputs("{\"type\": \"error\", \"error\": \"out of memory\"}\n", out);
        return;
    }
    mt_emit_ndjson_possibles(e, out);
    json_object_set_new(doc, "inputs", jinputs(e));
    close = put_open_object(out, doc, &compact);
    json_decref(doc);
    fputs(",\"summary\":", out);
    put_summary(out, e, r, &compact);
    mt_report_free(r);
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
