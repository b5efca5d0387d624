/* article.c: the typed article model (article.h): built and checked once
 * from an article's JSON object, its command templates filled with the
 * user's own values so that nothing from a log can run when pasted into
 * PowerShell, and the order and labels of its parts for every report. */
#include "article.h"

#include <ctype.h>
#include <string.h>

#include "datafile.h"
#include "identity.h"
#include "util.h"

/* An article's keys, in the order of enum article_key. */
static const char *const article_keys[] = {
    "id",   "title", "summary", "cause", "resolution", "commands",
    "verify", "risk", "refs",   "codes", "tags",       "lookup_only", NULL};
enum article_key {
    K_ID, K_TITLE, K_SUMMARY, K_CAUSE, K_RESOLUTION, K_COMMANDS, K_VERIFY,
    K_RISK, K_REFS, K_CODES, K_TAGS, K_LOOKUP_ONLY, K_COUNT
};

/* ---- the model ---- */

static int valid_article_id(const char *id)
{
    const char *c;

    if (id == NULL || !islower((unsigned char)*id)) {
        return 0;
    }
    for (c = id; *c; c++) {
        if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) &&
            *c != '-') {
            return 0;
        }
    }
    return 1;
}

static int is_string_array(json_t *a, int min)
{
    size_t i;
    json_t *v;

    if (!json_is_array(a) || json_array_size(a) < (size_t)min) {
        return 0;
    }
    json_array_foreach(a, i, v) {
        if (!json_is_string(v) || json_string_length(v) == 0) {
            return 0;
        }
    }
    return 1;
}

/* Checks one article's shape, whose members v holds (read in one walk
 * over them, which also names unknown keys); returns the number of
 * problems. */
static int check_article(json_t *a, json_t **v, const char *file,
                         const char *id, struct mt_problems *probs)
{
    static const enum article_key text_keys[] = {K_TITLE, K_SUMMARY,
                                                 K_CAUSE};
    static const enum article_key opt_lists[] = {K_COMMANDS, K_VERIFY,
                                                 K_CODES, K_TAGS};
    int bad = mt_datafile_members(a, article_keys, v, file, id, probs);
    size_t i;

    if (!valid_article_id(id)) {
        mt_problems_add(probs, "%s: %s: id must be lowercase [a-z0-9-]",
                        file, id);
        bad++;
    }
    for (i = 0; i < 3; i++) {
        const char *t = mt_json_strv(v[text_keys[i]]);
        if (t == NULL || *t == '\0') {
            mt_problems_add(probs, "%s: %s: %s missing or empty", file, id,
                            article_keys[text_keys[i]]);
            bad++;
        }
    }
    if (!is_string_array(v[K_RESOLUTION], 1)) {
        mt_problems_add(probs,
                        "%s: %s: resolution must be a non-empty list of steps",
                        file, id);
        bad++;
    }
    if (!is_string_array(v[K_REFS], 1)) {
        mt_problems_add(probs, "%s: %s: refs must list at least one source",
                        file, id);
        bad++;
    }
    for (i = 0; i < 4; i++) {
        if (v[opt_lists[i]] != NULL && !is_string_array(v[opt_lists[i]], 0)) {
            mt_problems_add(probs, "%s: %s: %s must be a list of strings",
                            file, id, article_keys[opt_lists[i]]);
            bad++;
        }
    }
    if (v[K_RISK] != NULL && mt_json_strv(v[K_RISK]) == NULL) {
        mt_problems_add(probs, "%s: %s: risk must be a string", file, id);
        bad++;
    }
    return bad;
}

/* Points list at the strings of the JSON array v (absent: empty). */
static int borrow_list(struct mt_strlist *list, json_t *v)
{
    size_t i, n = json_array_size(v);

    list->v = NULL;
    list->n = 0;
    if (n == 0) {
        return 0;
    }
    list->v = mt_calloc(n, sizeof(*list->v));
    if (list->v == NULL) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        list->v[i] = json_string_value(json_array_get(v, i));
    }
    list->n = n;
    return 0;
}

int mt_article_init(struct mt_article *a, json_t *obj, const char *file,
                    struct mt_problems *probs)
{
    const char *id = mt_json_str(obj, "id");
    json_t *v[K_COUNT];
    int bad;

    memset(a, 0, sizeof(*a));
    if (!json_is_object(obj)) {
        mt_problems_add(probs, "%s: an article must be an object", file);
        return 1;
    }
    bad = check_article(obj, v, file, id ? id : "", probs);
    if (bad != 0) {
        return bad;
    }
    a->id = id;
    a->title = mt_json_strv(v[K_TITLE]);
    a->summary = mt_json_strv(v[K_SUMMARY]);
    a->cause = mt_json_strv(v[K_CAUSE]);
    a->risk = mt_json_strv(v[K_RISK]);
    a->lookup_only = json_is_true(v[K_LOOKUP_ONLY]);
    if (borrow_list(&a->resolution, v[K_RESOLUTION]) < 0 ||
        borrow_list(&a->refs, v[K_REFS]) < 0 ||
        borrow_list(&a->commands, v[K_COMMANDS]) < 0 ||
        borrow_list(&a->verify, v[K_VERIFY]) < 0 ||
        borrow_list(&a->codes, v[K_CODES]) < 0 ||
        borrow_list(&a->tags, v[K_TAGS]) < 0) {
        mt_article_free(a);
        return -1;
    }
    a->source = json_incref(obj);
    return 0;
}

void mt_article_free(struct mt_article *a)
{
    mt_free(a->resolution.v);
    mt_free(a->refs.v);
    mt_free(a->commands.v);
    mt_free(a->verify.v);
    mt_free(a->codes.v);
    mt_free(a->tags.v);
    mt_free(a->family);
    mt_free(a->file);
    json_decref(a->source);
    memset(a, 0, sizeof(*a));
}

/* ---- command templates ---- */

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

/* Commands are pasted into PowerShell, so a value from a log must not be
 * able to run anything. PowerShell takes the typographic quotes as quotes
 * too: U+2018..U+201B for single, U+201C..U+201E for double. The length
 * of the quote at p (ascii, or UTF-8 E2 80 lo..hi), or 0. */
static size_t quote_at(const char *p, char ascii, unsigned char lo,
                       unsigned char hi)
{
    const unsigned char *u = (const unsigned char *)p;

    if (u[0] == (unsigned char)ascii) {
        return 1;
    }
    return u[0] == 0xe2 && u[1] == 0x80 && u[2] >= lo && u[2] <= hi ? 3 : 0;
}

static size_t single_quote_at(const char *p)
{
    return quote_at(p, '\'', 0x98, 0x9b);
}

static size_t double_quote_at(const char *p)
{
    return quote_at(p, '"', 0x9c, 0x9e);
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

char *mt_fill_lines(const struct mt_strlist *list, const char *sep,
                    const char *end, const struct mt_fields *over,
                    const struct mt_fields *fields,
                    const struct mt_fields *context, struct mt_buf *visible)
{
    struct mt_buf b;
    size_t i;

    mt_buf_init(&b, 0);
    for (i = 0; i < list->n; i++) {
        char *filled = mt_fill_command(list->v[i], over, fields, context,
                                       visible);
        mt_buf_appendf(&b, "%s%s%s", i ? sep : "", filled ? filled : "", end);
        mt_free(filled);
    }
    return mt_buf_steal(&b);
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

/* ---- rendering ---- */

void mt_article_render(const struct mt_article *a,
                       const struct mt_article_style *st)
{
    if (st->prose != NULL) {
        st->prose(st->ctx, "What it means", a->summary);
        st->prose(st->ctx, "Why", a->cause);
    }
    if (st->steps != NULL && a->resolution.n > 0) {
        st->steps(st->ctx, "Fix", &a->resolution);
    }
    if (st->commands != NULL && a->commands.n > 0) {
        st->commands(st->ctx, "Commands", &a->commands);
    }
    if (st->verify != NULL && a->verify.n > 0) {
        st->verify(st->ctx, "Check afterwards", &a->verify);
    }
    if (st->prose != NULL && a->risk != NULL) {
        st->prose(st->ctx, "Risk", a->risk);
    }
    if (st->refs != NULL && a->refs.n > 0) {
        st->refs(st->ctx, "References", &a->refs);
    }
}
