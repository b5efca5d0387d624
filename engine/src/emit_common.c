/* emit_common.c: what the emitters share: the article of a signature,
 * command templates filled for a report's groups (the filling itself is
 * article.c's), log text made safe for a terminal, and the JSON pieces of
 * a finding (also used by the lookup commands). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "engine_private.h"
#include "report.h"
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

/* The values a group's commands take before its own fields and context:
 * {mailbox} as the report names the mailbox, and what the report shares. */
static void report_over(const struct mt_report *r, size_t g,
                        struct mt_fields *over)
{
    const struct mt_finding *f = &r->e->res.agg.groups[g].first;
    const char *mailbox = mt_report_group_mailbox(r, g);
    int i;

    memset(over, 0, sizeof(*over));
    if (mailbox != NULL) {
        mt_fields_set(over, "mailbox", mailbox, strlen(mailbox), 0);
    }
    /* What the finding does not say, the rest of the report may, when it
     * says it with one voice (one server, one domain, one mailbox). */
    for (i = 0; i < r->shared.n; i++) {
        const char *name = r->shared.kv[i].name;
        if (mt_fields_get(over, name) == NULL &&
            mt_fields_get(&f->fields, name) == NULL &&
            mt_fields_get(&f->context, name) == NULL) {
            mt_fields_set(over, name, r->shared.kv[i].value,
                          strlen(r->shared.kv[i].value), 0);
        }
    }
}

char *mt_report_fill(const struct mt_report *r, size_t g, const char *tmpl,
                     struct mt_buf *visible)
{
    const struct mt_finding *f = &r->e->res.agg.groups[g].first;
    struct mt_fields over;
    char *out;

    report_over(r, g, &over);
    out = mt_fill_command(tmpl, &over, &f->fields, &f->context, visible);
    mt_fields_clear(&over);
    return out;
}

char *mt_report_fill_lines(const struct mt_report *r, size_t g,
                           const struct mt_strlist *list, const char *sep,
                           const char *end, struct mt_buf *visible)
{
    const struct mt_finding *f = &r->e->res.agg.groups[g].first;
    struct mt_fields over;
    char *out;

    report_over(r, g, &over);
    out = mt_fill_lines(list, sep, end, &over, &f->fields, &f->context,
                        visible);
    mt_fields_clear(&over);
    return out;
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

json_t *mt_jstrlist(const struct mt_strlist *list)
{
    json_t *out = json_array();
    size_t i;

    for (i = 0; i < list->n; i++) {
        json_array_append_new(out, mt_jstr(list->v[i]));
    }
    return out;
}

json_t *mt_jfilled(const struct mt_strlist *list,
                   const struct mt_fields *fields,
                   const struct mt_fields *context)
{
    json_t *out = json_array();
    size_t i;

    for (i = 0; i < list->n; i++) {
        char *filled = mt_fill_template(list->v[i], fields, context);
        json_array_append_new(out, mt_jstr(filled));
        mt_free(filled);
    }
    return out;
}

/* The parts of a finding common to a group and a single occurrence. */
json_t *mt_jfinding(struct mt_engine *e, const struct mt_finding *f)
{
    return mt_jfinding_filled(e, f, NULL, NULL);
}

json_t *mt_jfinding_filled(struct mt_engine *e, const struct mt_finding *f,
                           json_t *commands, json_t *verify)
{
    const struct mt_article *a = mt_engine_article_of(e, f->sig);
    const struct mt_signature *s = &e->patterns.sigs[f->sig];
    const char *mbx = mt_finding_mailbox(f);
    json_t *o = json_object();

    json_object_set_new(o, "article", mt_jstr(a ? a->id : s->article));
    json_object_set_new(o, "title", mt_jstr(a ? a->title : NULL));
    json_object_set_new(o, "signature", mt_jstr(s->id));
    if (s->derived) {
        /* Recognised by a stable name (kb/names), or by resemblance to
         * the article's samples (derived 2), not by a signature. */
        json_object_set_new(o, "match",
                            mt_jstr(s->derived == 2 ? "similar" : "name"));
    }
    json_object_set_new(o, "severity",
                        mt_jstr(mt_severity_name((enum mt_severity)f->severity)));
    json_object_set_new(o, "origin", mt_jorigin(f->origin, f->line));
    json_object_set_new(o, "mailbox", mt_jstr(mbx));
    json_object_set_new(o, "context", mt_jfields(&f->context));
    json_object_set_new(o, "fields", mt_jfields(&f->fields));
    json_object_set_new(o, "message", mt_jstr(f->message));
    if (a != NULL) {
        json_object_set_new(o, "cause", mt_jstr(a->cause));
        json_object_set_new(o, "resolution", mt_jstrlist(&a->resolution));
        json_object_set_new(
            o, "commands",
            commands ? commands
                     : mt_jfilled(&a->commands, &f->fields, &f->context));
        json_object_set_new(
            o, "verify",
            verify ? verify : mt_jfilled(&a->verify, &f->fields, &f->context));
        json_object_set_new(o, "risk", mt_jstr(a->risk));
        json_object_set_new(o, "refs", mt_jstrlist(&a->refs));
    } else {
        json_decref(commands);
        json_decref(verify);
    }
    return o;
}

/* ---- an article's parts for a terminal (the text report, kb show) ---- */

struct text_out {
    FILE *out;
    int prose;
    mt_put_templates_fn templates;
    void *ctx;
};

static void text_prose(void *ctx, const char *label, const char *text)
{
    const struct text_out *t = ctx;
    char *p = t->prose ? mt_prose_placeholders(text) : NULL;

    fprintf(t->out, "  %s: %s\n", label, p ? p : text);
    mt_free(p);
}

/* A heading ("  Fix:") and the strings of list under it, one a line. */
static void put_list(const struct text_out *t, const char *heading,
                     const struct mt_strlist *list, int numbered, int prose)
{
    size_t i;

    fprintf(t->out, "  %s:\n", heading);
    for (i = 0; i < list->n; i++) {
        char *p = prose ? mt_prose_placeholders(list->v[i]) : NULL;
        const char *text = p ? p : list->v[i];
        if (numbered) {
            fprintf(t->out, "    %zu. %s\n", i + 1, text);
        } else {
            fprintf(t->out, "    %s\n", text);
        }
        mt_free(p);
    }
}

static void text_steps(void *ctx, const char *label,
                       const struct mt_strlist *steps)
{
    const struct text_out *t = ctx;

    put_list(t, label, steps, 1, t->prose);
}

static void text_refs(void *ctx, const char *label,
                      const struct mt_strlist *refs)
{
    put_list(ctx, label, refs, 0, 0);
}

static void text_templates(void *ctx, const char *label,
                           const struct mt_strlist *templates)
{
    const struct text_out *t = ctx;

    t->templates(t->ctx, label, templates);
}

void mt_put_text_article(FILE *out, const struct mt_article *a, int prose,
                         mt_put_templates_fn templates, void *ctx)
{
    struct text_out t = {out, prose, templates, ctx};
    const struct mt_article_style text = {.ctx = &t,
                                          .prose = text_prose,
                                          .steps = text_steps,
                                          .commands = text_templates,
                                          .verify = text_templates,
                                          .refs = text_refs};

    mt_article_render(a, &text);
}

/* "--min-severity error, --mailbox jdoe": what the report was cut to;
 * the values (typed by the user, but still) through put. */
void mt_put_filters(FILE *out, const struct mt_filters *f, mt_put_text_fn put)
{
    static const char *const labels[] = {"--mailbox ", "--article ",
                                         "--family "};
    char *const *lists[] = {f->mailboxes, f->articles, f->families};
    size_t counts[] = {f->nmailboxes, f->narticles, f->nfamilies}, i, k;
    const char *sep = "";

    if (f->min_severity >= 0) {
        fprintf(out, "--min-severity %s",
                mt_severity_name((enum mt_severity)f->min_severity));
        sep = ", ";
    }
    for (k = 0; k < 3; k++) {
        for (i = 0; i < counts[k]; i++, sep = ", ") {
            fprintf(out, "%s%s", sep, labels[k]);
            put(out, lists[k][i], 120);
        }
    }
}

void mt_put_problem_mailboxes(FILE *out, const struct mt_report *r,
                              const struct mt_problem *pr, size_t *stamp,
                              size_t max, mt_put_text_fn put)
{
    size_t i, shown = 0;

    if (pr->mailboxes == 0) {
        return;
    }
    fprintf(out, ", %zu mailbox%s: ", pr->mailboxes,
            pr->mailboxes == 1 ? "" : "es");
    for (i = pr->from; i < pr->to && shown < max; i++) {
        size_t p = r->group_person[r->groups[i]];
        if (p == MT_NONE || stamp[p] == pr->rank) {
            continue;
        }
        stamp[p] = pr->rank;
        fputs(shown++ ? ", " : "", out);
        put(out, r->people[p].name, 200);
    }
    if (pr->mailboxes > shown) {
        fprintf(out, " and %zu more", pr->mailboxes - shown);
    }
}

json_t *mt_jperson_names(const struct mt_report *r, const struct mt_person *p)
{
    json_t *names = json_array();
    size_t k;

    for (k = 0; k < p->nnames; k++) {
        json_array_append_new(names, mt_jstr(r->names[p->first_name + k]));
    }
    return names;
}

/* ---- an article's parts in a document (HTML, Markdown) ---- */

struct doc_out {
    FILE *out;
    const struct mt_report *r;
    const struct mt_problem *pr;
    const struct mt_doc_markup *m;
};

static void doc_prose(void *ctx, const char *label, const char *text)
{
    const struct doc_out *d = ctx;
    char *p = mt_prose_placeholders(text);

    fprintf(d->out, "%s%s%s", d->m->label_open, label, d->m->label_close);
    d->m->put(d->out, p ? p : text, (size_t)-1);
    fputs(d->m->prose_end, d->out);
    mt_free(p);
}

static void doc_steps(void *ctx, const char *label,
                      const struct mt_strlist *steps)
{
    const struct doc_out *d = ctx;
    size_t i;

    fprintf(d->out, "%s%s%s", d->m->label_open, label, d->m->steps_open);
    for (i = 0; i < steps->n; i++) {
        char *p = mt_prose_placeholders(steps->v[i]);
        if (d->m->step_open != NULL) {
            fputs(d->m->step_open, d->out);
        } else {
            fprintf(d->out, "%zu. ", i + 1);
        }
        d->m->put(d->out, p ? p : "", (size_t)-1);
        fputs(d->m->step_close, d->out);
        mt_free(p);
    }
    fputs(d->m->steps_close, d->out);
}

/* The commands filled for the problem's first group; the other groups'
 * differ only in their values. */
static void doc_commands(void *ctx, const char *label,
                         const struct mt_strlist *templates)
{
    const struct doc_out *d = ctx;
    struct mt_buf names;
    char *code;

    mt_buf_init(&names, 0);
    code = mt_report_fill_lines(d->r, d->r->groups[d->pr->from], templates,
                                d->m->code_sep, d->m->code_end, &names);
    fprintf(d->out, "%s%s%s", d->m->commands_open, label,
            d->m->commands_label_close);
    if (d->pr->mailboxes > 1) {
        fputs(" (for the first mailbox; the others alike)", d->out);
    }
    fputs(d->m->commands_close, d->out);
    d->m->code(d->out, code ? code : "");
    if (names.len > 0) {
        fputs(d->m->replace_open, d->out);
        d->m->put(d->out, names.data, 300);
        fputs(d->m->replace_close, d->out);
    }
    mt_free(code);
    mt_buf_free(&names);
}

void mt_put_doc_article(FILE *out, const struct mt_report *r,
                        const struct mt_problem *pr,
                        const struct mt_article *a,
                        const struct mt_doc_markup *m)
{
    struct doc_out d = {out, r, pr, m};
    /* A page or a ticket for the customer: what to do, without the checks
     * and the sources a consultant reads in the text or JSON report. */
    const struct mt_article_style doc = {.ctx = &d,
                                         .prose = doc_prose,
                                         .steps = doc_steps,
                                         .commands = doc_commands};

    mt_article_render(a, &doc);
}
