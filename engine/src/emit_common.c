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
#include "report.h"
#include "util.h"

/* 1 when word is one of the ", "-separated words of list. */
static int strstr_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    const char *p = list;

    while ((p = strstr(p, word)) != NULL) {
        if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ',')) {
            return 1;
        }
        p += n;
    }
    return 0;
}

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

/* Commands are pasted into PowerShell, so a value from a log must not be
 * able to run anything. PowerShell takes the typographic quotes as quotes
 * too: U+2018..U+201B for single, U+201C..U+201E for double. */
static size_t single_quote_at(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;

    if (u[0] == '\'') {
        return 1;
    }
    return u[0] == 0xe2 && u[1] == 0x80 && u[2] >= 0x98 && u[2] <= 0x9b ? 3
                                                                          : 0;
}

static size_t double_quote_at(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;

    if (u[0] == '"') {
        return 1;
    }
    return u[0] == 0xe2 && u[1] == 0x80 && u[2] >= 0x9c && u[2] <= 0x9e ? 3
                                                                          : 0;
}

/* Appends a value for a PowerShell single-quoted string: every single
 * quote doubled (the escape PowerShell knows), control characters (which
 * could end the line) dropped. */
static void append_single_quoted(struct mt_buf *b, const char *v)
{
    while (*v) {
        unsigned char c = (unsigned char)*v;
        size_t q = single_quote_at(v);
        if (q > 0) {
            mt_buf_append(b, v, q);
            mt_buf_append(b, v, q);
            v += q;
            continue;
        }
        if (c >= 0x20 && c != 0x7f) {
            mt_buf_appendc(b, (char)c);
        }
        v++;
    }
}

/* A value that can stand bare as an argument: letters, digits, . _ and
 * inner - (a leading - would be a parameter, @ a splat, $ a variable). */
static int bare_safe(const char *v)
{
    const char *p;

    if (*v == '\0' || *v == '-') {
        return 0;
    }
    for (p = v; *p; p++) {
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' &&
            *p != '-') {
            return 0;
        }
    }
    return 1;
}

/* A value safe inside a double-quoted (expandable) string: nothing that
 * expands ($, `), ends the string or the quoted value of a -Filter inside
 * it (quotes of either kind), or ends the line. */
static int double_safe(const char *v)
{
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        if (c < 0x20 || c == 0x7f || c == '$' || c == '`' ||
            single_quote_at(v) || double_quote_at(v)) {
            return 0;
        }
    }
    return 1;
}

/* "<your EWS host>": a word or few between angle brackets, as the
 * articles write a value the reader supplies. Its length, or 0. */
static size_t hint_at(const char *p)
{
    size_t n = 1;

    if (*p != '<' || !isalpha((unsigned char)p[1])) {
        return 0;
    }
    while (p[n] && (isalnum((unsigned char)p[n]) || p[n] == ' ' ||
                    p[n] == '-' || p[n] == '_' || p[n] == '.') &&
           n < 60) {
        n++;
    }
    return p[n] == '>' ? n + 1 : 0;
}

enum quoting { Q_BARE, Q_SINGLE, Q_DOUBLE };

/* The value of placeholder name: over, then fields, then context; a
 * mailbox without its proxy prefix (SMTP:, MigrationService: ...). */
static const char *value_of(const char *name, const struct mt_fields *over,
                            const struct mt_fields *fields,
                            const struct mt_fields *context)
{
    const char *v = over ? mt_fields_get(over, name) : NULL;

    if (v == NULL) {
        v = mt_fields_get(fields, name);
    }
    if (v == NULL) {
        v = mt_fields_get(context, name);
    }
    if (v != NULL && strcmp(name, "mailbox") == 0) {
        v = mt_name_strip(v);
    }
    return v;
}

/* Copies the placeholder name of "{name}" at p into name; its length
 * (with braces), or 0 when p does not start one. */
static size_t placeholder_at(const char *p, char *name, size_t size)
{
    size_t n = 0;

    if (*p != '{') {
        return 0;
    }
    while (p[1 + n] && (islower((unsigned char)p[1 + n]) ||
                        isdigit((unsigned char)p[1 + n]) || p[1 + n] == '_')) {
        n++;
    }
    if (n == 0 || n >= size || p[1 + n] != '}') {
        return 0;
    }
    memcpy(name, p + 1, n);
    name[n] = '\0';
    return n + 2;
}

/* Appends the plain form of a placeholder or hint (the text between its
 * delimiters, p[1..len-2]): {mailbox} -> MAILBOX, <your EWS host> ->
 * YOUR_EWS_HOST; notes it in names once. */
static void append_visible(struct mt_buf *b, const char *p, size_t len,
                           struct mt_buf *names)
{
    size_t start = b->len, i;
    char *word;

    for (i = 1; i + 1 < len; i++) {
        char c = p[i];
        mt_buf_appendc(b, c == ' ' || c == '-' || c == '.'
                              ? '_'
                              : (char)toupper((unsigned char)c));
    }
    word = mt_strndup(b->data + start, b->len - start);
    if (word != NULL && !strstr_word(names->data ? names->data : "", word)) {
        mt_buf_appendf(names, "%s%s", names->len ? ", " : "", word);
    }
    mt_free(word);
}

char *mt_fill_command(const char *tmpl, const struct mt_fields *over,
                      const struct mt_fields *fields,
                      const struct mt_fields *context, struct mt_buf *visible)
{
    struct mt_buf b;
    enum quoting q = Q_BARE;
    const char *p = tmpl;

    mt_buf_init(&b, 0);
    while (*p) {
        char name[64];
        size_t len = placeholder_at(p, name, sizeof(name)), qs, qd;
        const char *v = len ? value_of(name, over, fields, context) : NULL;

        if (v != NULL && *v != '\0') {
            if (q == Q_SINGLE) {
                append_single_quoted(&b, v);
            } else if (q == Q_DOUBLE) {
                /* Refused: the placeholder stays visible. */
                mt_buf_append(&b, double_safe(v) ? v : p,
                              double_safe(v) ? strlen(v) : len);
            } else if (bare_safe(v)) {
                mt_buf_append(&b, v, strlen(v));
            } else {
                mt_buf_appendc(&b, '\'');
                append_single_quoted(&b, v);
                mt_buf_appendc(&b, '\'');
            }
            p += len;
            continue;
        }
        if (len == 0 && visible != NULL) {
            len = hint_at(p);
        }
        if (len > 0) {
            if (visible != NULL) {
                append_visible(&b, p, len, visible);
            } else {
                mt_buf_append(&b, p, len);
            }
            p += len;
            continue;
        }
        qs = single_quote_at(p);
        qd = double_quote_at(p);
        if (q == Q_DOUBLE && *p == '`' && p[1] != '\0') {
            mt_buf_append(&b, p, 2); /* an escaped character */
            p += 2;
            continue;
        }
        if (q == Q_BARE && qs) {
            q = Q_SINGLE;
        } else if (q == Q_BARE && qd) {
            q = Q_DOUBLE;
        } else if (q == Q_SINGLE && qs) {
            if (single_quote_at(p + qs)) { /* '' inside: a quote */
                mt_buf_append(&b, p, qs + single_quote_at(p + qs));
                p += qs + single_quote_at(p + qs);
                continue;
            }
            q = Q_BARE;
        } else if (q == Q_DOUBLE && qd) {
            if (double_quote_at(p + qd)) {
                mt_buf_append(&b, p, qd + double_quote_at(p + qd));
                p += qd + double_quote_at(p + qd);
                continue;
            }
            q = Q_BARE;
        }
        len = qs ? qs : qd ? qd : 1;
        mt_buf_append(&b, p, len);
        p += len;
    }
    return mt_buf_steal(&b);
}

char *mt_fill_template(const char *tmpl, const struct mt_fields *fields,
                       const struct mt_fields *context)
{
    return mt_fill_command(tmpl, NULL, fields, context, NULL);
}

char *mt_report_fill(const struct mt_report *r, size_t g, const char *tmpl,
                     struct mt_buf *visible)
{
    const struct mt_finding *f = &r->e->res.agg.groups[g].first;
    const char *mailbox = mt_report_group_mailbox(r, g);
    struct mt_fields over;
    char *out;
    int i;

    memset(&over, 0, sizeof(over));
    if (mailbox != NULL) {
        mt_fields_set(&over, "mailbox", mailbox, strlen(mailbox), 0);
    }
    /* What the finding does not say, the rest of the report may, when it
     * says it with one voice (one server, one domain, one mailbox). */
    for (i = 0; i < r->shared.n; i++) {
        const char *name = r->shared.kv[i].name;
        if (mt_fields_get(&over, name) == NULL &&
            mt_fields_get(&f->fields, name) == NULL &&
            mt_fields_get(&f->context, name) == NULL) {
            mt_fields_set(&over, name, r->shared.kv[i].value,
                          strlen(r->shared.kv[i].value), 0);
        }
    }
    out = mt_fill_command(tmpl, &over, &f->fields, &f->context, visible);
    mt_fields_clear(&over);
    return out;
}

char *mt_prose_placeholders(const char *text)
{
    struct mt_buf b;
    const char *p = text;

    mt_buf_init(&b, 0);
    while (*p) {
        char name[64];
        size_t len = placeholder_at(p, name, sizeof(name)), i;

        if (len > 0) {
            /* {mailbox} -> the mailbox, {remote_host} -> the remote host */
            mt_buf_append(&b, "the ", 4);
            for (i = 0; name[i]; i++) {
                mt_buf_appendc(&b, name[i] == '_' ? ' ' : name[i]);
            }
            p += len;
        } else if ((len = hint_at(p)) > 0) {
            /* "enter <your EWS host>" -> "enter your EWS host"; inside a
             * word or URL, the plain form of commands: YOUR_EWS_HOST. */
            int alone = (p == text || p[-1] == ' ' || p[-1] == '(') &&
                        (p[len] == '\0' || strchr(" ,.;:)", p[len]));
            if (alone) {
                mt_buf_append(&b, p + 1, len - 2);
            } else {
                for (i = 1; i + 1 < len; i++) {
                    char c = p[i];
                    mt_buf_appendc(&b, c == ' ' || c == '-' || c == '.'
                                           ? '_'
                                           : (char)toupper((unsigned char)c));
                }
            }
            p += len;
        } else {
            mt_buf_appendc(&b, *p++);
        }
    }
    return mt_buf_steal(&b);
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

static void put_list(FILE *out, const char *heading, json_t *list,
                     int numbered, int prose)
{
    json_t *v;
    size_t i;

    if (!json_is_array(list) || json_array_size(list) == 0) {
        return;
    }
    fprintf(out, "  %s\n", heading);
    json_array_foreach(list, i, v) {
        char *p = prose ? mt_prose_placeholders(json_string_value(v)) : NULL;
        const char *text = p ? p : json_string_value(v);
        if (numbered) {
            fprintf(out, "    %zu. %s\n", i + 1, text);
        } else {
            fprintf(out, "    %s\n", text);
        }
        mt_free(p);
    }
}

/* A heading and the strings of a JSON list under it, numbered or not. */
void mt_put_list(FILE *out, const char *heading, json_t *list,
                 int numbered)
{
    put_list(out, heading, list, numbered, 0);
}

void mt_put_prose_list(FILE *out, const char *heading, json_t *list,
                       int numbered)
{
    put_list(out, heading, list, numbered, 1);
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
