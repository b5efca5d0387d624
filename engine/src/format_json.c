/* format_json.c: the ConvertTo-Json reader. Each object becomes what
 * Format-List of it would show: "Name : value" MT_REC_FIELD records
 * (nested objects as "Parent.Name : value"), one MT_REC_LINE per string of
 * an array (report entries), and an MT_REC_BLANK after each top-level
 * object. The text is streamed: a small tokenizer finds where each
 * top-level value ends (an element of the document's array, or a document
 * that is one object) and only that value is held and parsed by Jansson,
 * so memory follows the largest object, not the file. A value past the
 * json-value-bytes limit, or one Jansson rejects, is read by the plain
 * reader from its first line on, with the rest of the input, so nothing
 * read is lost. */
#include "format.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Object nesting walked; deeper values are shown as compact JSON. Depth 2
 * is ConvertTo-Json's default; -Depth raises it (up to 100). */
#define MAX_DEPTH 8
/* Longest "Parent.Child.Name" label kept. */
#define MAX_LABEL 512
/* A UTF-8 byte order mark, skipped between documents. */
static const char BOM[] = "\xEF\xBB\xBF";
/* Context pairs per object: mailbox, batch, status. */
#define OBJ_CTX 3

static const char *const mailbox_keys[] = {
    "MailboxEmailAddress", "EmailAddress", "UserPrincipalName",
    "PrimarySmtpAddress",  "Identity",     "Name",
    "DisplayName"};
#define NMAILBOX (sizeof(mailbox_keys) / sizeof(mailbox_keys[0]))
static const char *const batch_keys[] = {"BatchId", "BatchName"};
#define NBATCH (sizeof(batch_keys) / sizeof(batch_keys[0]))
static const char *const status_keys[] = {"Status"};

/* Where the tokenizer is. */
enum json_place {
    BETWEEN_DOCUMENTS, /* before a document, or after one */
    IN_ARRAY,          /* inside a document's top-level array */
    IN_VALUE           /* inside a top-level value, which is held */
};

/* What may come next inside the top-level array. */
enum json_expect {
    ELEMENT_OR_CLOSE, /* after "[" */
    COMMA_OR_CLOSE,   /* after an element */
    ELEMENT           /* after "," */
};

struct mt_format_reader {
    struct mt_scan *scan;
    const char *origin;
    size_t max_record;
    uint64_t max_value;
    /* Set once the text goes to the plain reader instead. */
    struct mt_format_reader *plain;

    /* The tokenizer. */
    enum json_place place;
    enum json_expect expect;
    int in_array;        /* the held value is an element of an array */
    int bare;            /* the held value is a number, true, false, null */
    int in_string, escaped;
    unsigned bom_seen;   /* bytes of a UTF-8 BOM seen between documents */
    unsigned depth;      /* brackets open inside the held value */
    uint64_t at_line;    /* line of the next byte */
    size_t at_column;    /* its offset in the line */
    uint64_t value_line; /* where the held value starts */
    size_t value_column;
    uint64_t array_line; /* where the open top-level array starts */
    struct mt_buf value;

    /* While walking one top-level value. */
    uint64_t line, last_line;
    struct mt_record_ctx ctx[OBJ_CTX];
    size_t nctx;
    struct mt_buf rec;
};

/* ---- bidding ---- */

static size_t skip_ws(const char *t, size_t i, size_t n)
{
    for (;;) {
        if (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' ||
                      t[i] == '\n')) {
            i++;
        } else if (i + 3 <= n && (unsigned char)t[i] == 0xEF &&
                   (unsigned char)t[i + 1] == 0xBB &&
                   (unsigned char)t[i + 2] == 0xBF) {
            i += 3; /* a BOM left by a concatenation */
        } else {
            return i;
        }
    }
}

static int json_bid(const char *text, size_t n)
{
    size_t i = skip_ws(text, 0, n);

    if (i < n && text[i] == '[') {
        i = skip_ws(text, i + 1, n);
    }
    if (i >= n || text[i] != '{') {
        return 0;
    }
    i = skip_ws(text, i + 1, n);
    if (i >= n || text[i] != '"') {
        return 0;
    }
    for (i++; i < n && text[i] != '"'; i++) {
        if (text[i] == '\\') {
            i++;
        } else if (text[i] == '\n') {
            return 0;
        }
    }
    if (i >= n) {
        return 0;
    }
    i = skip_ws(text, i + 1, n);
    return i < n && text[i] == ':' ? 80 : 0;
}

/* ---- the walk ---- */

static int send(struct mt_format_reader *r, struct mt_record *rec)
{
    rec->line = r->line;
    rec->last_line = r->line;
    rec->ctx = r->nctx ? r->ctx : NULL;
    rec->nctx = r->nctx;
    return r->scan->sink->record(r->scan->sink_ctx, rec);
}

/* Cuts n so that prefix + n bytes of s fit a record, on a character
 * boundary. */
static size_t fit(const struct mt_format_reader *r, const char *s, size_t n,
                  size_t prefix, unsigned *flags)
{
    size_t room = r->max_record > prefix ? r->max_record - prefix : 0;

    if (n <= room) {
        return n;
    }
    while (room > 0 && ((unsigned char)s[room] & 0xc0) == 0x80) {
        room--;
    }
    *flags |= MT_RECF_TRUNCATED;
    return room;
}

/* Sends lines of s (split at CR/LF) as LINE records, empty ones skipped. */
static int emit_lines(struct mt_format_reader *r, const char *s, size_t n)
{
    size_t i = 0;
    int rc;

    while (i < n) {
        size_t j = i, len;
        struct mt_record rec;

        while (j < n && s[j] != '\n' && s[j] != '\r') {
            j++;
        }
        if (j > i) {
            memset(&rec, 0, sizeof(rec));
            len = fit(r, s + i, j - i, 0, &rec.flags);
            mt_buf_reset(&r->rec);
            if (mt_buf_append(&r->rec, s + i, len) != 0) {
                return MT_ENOMEM;
            }
            rec.kind = MT_REC_LINE;
            rec.text = r->rec.data;
            rec.len = len;
            if ((rc = send(r, &rec)) != 0) {
                return rc;
            }
        }
        i = j + 1;
    }
    return 0;
}

/* "Label : value": the value's first line; further lines (a message with
 * line breaks) follow as LINE records. */
static int emit_field(struct mt_format_reader *r, const char *label,
                      const char *value, size_t n)
{
    struct mt_record rec;
    size_t llen = strlen(label), first = 0, vlen;
    int rc;

    while (first < n && value[first] != '\n' && value[first] != '\r') {
        first++;
    }
    memset(&rec, 0, sizeof(rec));
    /* A label longer than half a record would leave no room for the
     * value. */
    if (llen > r->max_record / 2) {
        llen = r->max_record / 2;
        while (llen > 0 && ((unsigned char)label[llen] & 0xc0) == 0x80) {
            llen--;
        }
    }
    vlen = fit(r, value, first, llen + 3, &rec.flags);
    if (mt_format_field(&r->rec, label, llen, value, vlen, &rec) != 0) {
        return MT_ENOMEM;
    }
    if ((rc = send(r, &rec)) != 0) {
        return rc;
    }
    return first < n ? emit_lines(r, value + first, n - first) : 0;
}

/* A scalar as Format-List prints it. Returns the length written to buf
 * (or points *s at the string itself); -1 for null. */
static long scalar_text(json_t *v, char *buf, size_t cap, const char **s)
{
    *s = buf;
    switch (json_typeof(v)) {
    case JSON_STRING:
        *s = json_string_value(v);
        return (long)json_string_length(v);
    case JSON_INTEGER:
        return snprintf(buf, cap, "%" JSON_INTEGER_FORMAT,
                        json_integer_value(v));
    case JSON_REAL:
        return snprintf(buf, cap, "%.15g", json_real_value(v));
    case JSON_TRUE:
        return snprintf(buf, cap, "True");
    case JSON_FALSE:
        return snprintf(buf, cap, "False");
    default:
        return -1;
    }
}

static int walk_value(struct mt_format_reader *r, const char *label,
                      json_t *v, int depth);

/* dst = a b (a prefix and a key, or a label and "."), cut to fit on a
 * character boundary; line ends in keys become blanks, as a record holds
 * no line ends. */
static void make_label(char *dst, const char *a, const char *b)
{
    size_t n = 0, i, p;
    const char *parts[2] = {a, b};
    int k, cut = 0;

    for (k = 0; k < 2; k++) {
        for (i = 0; parts[k][i]; i++) {
            char c = parts[k][i];
            if (n + 1 >= MAX_LABEL) {
                cut = 1;
                break;
            }
            dst[n++] = c == '\n' || c == '\r' ? ' ' : c;
        }
    }
    if (cut && n > 0) {
        /* Drop a character cut in the middle. */
        unsigned char lead;
        size_t need;

        p = n - 1;
        while (p > 0 && ((unsigned char)dst[p] & 0xc0) == 0x80) {
            p--;
        }
        lead = (unsigned char)dst[p];
        need = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
        if (n - p < need) {
            n = p;
        }
    }
    dst[n] = '\0';
}

static int walk_object(struct mt_format_reader *r, const char *prefix,
                       json_t *obj, int depth)
{
    const char *key;
    json_t *v;
    char label[MAX_LABEL];
    int rc;

    json_object_foreach(obj, key, v) {
        make_label(label, prefix, key);
        if ((rc = walk_value(r, label, v, depth)) != 0) {
            return rc;
        }
    }
    return 0;
}

static int walk_value(struct mt_format_reader *r, const char *label,
                      json_t *v, int depth)
{
    char buf[64], sub[MAX_LABEL];
    const char *s;
    long n;
    size_t i;
    int rc;

    if (json_is_object(v) || json_is_array(v)) {
        if (depth + 1 >= MAX_DEPTH) {
            /* Too deep to walk: the value as compact JSON. */
            char *dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            if (dump == NULL) {
                return MT_ENOMEM;
            }
            rc = emit_field(r, label, dump, strlen(dump));
            free(dump); /* Jansson's allocator */
            return rc;
        }
        if (json_is_object(v)) {
            make_label(sub, label, ".");
            return walk_object(r, sub, v, depth + 1);
        }
        for (i = 0; i < json_array_size(v); i++) {
            json_t *e = json_array_get(v, i);
            if (json_is_string(e)) {
                /* A report entry (or any list of strings): one line each,
                 * so each is matched alone. */
                rc = emit_lines(r, json_string_value(e),
                                json_string_length(e));
            } else {
                rc = walk_value(r, label, e, depth + 1);
            }
            if (rc != 0) {
                return rc;
            }
        }
        return 0;
    }
    n = scalar_text(v, buf, sizeof(buf), &s);
    if (n <= 0) {
        return 0; /* null and "" show nothing in Format-List */
    }
    return emit_field(r, label, s, (size_t)n);
}

/* The string value of the first of keys the object has, else NULL. */
static json_t *first_key(json_t *obj, const char *const *keys, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        json_t *v = json_object_get(obj, keys[i]);
        if (json_is_string(v) && json_string_length(v) > 0) {
            return v;
        }
    }
    return NULL;
}

static void add_ctx(struct mt_format_reader *r, const char *name, json_t *v)
{
    const char *s;
    size_t n = 0;

    if (v == NULL) {
        return;
    }
    s = json_string_value(v);
    while (n < json_string_length(v) && s[n] != '\n' && s[n] != '\r') {
        n++;
    }
    if (n > 0) {
        r->ctx[r->nctx].name = name;
        r->ctx[r->nctx].value = s;
        r->ctx[r->nctx].value_len = n;
        r->nctx++;
    }
}

/* One top-level object (or array element), which spans lines r->line to
 * r->last_line: its records, then a blank. */
static int walk_top(struct mt_format_reader *r, json_t *v)
{
    struct mt_record rec;
    int rc;

    r->nctx = 0;
    if (json_is_object(v)) {
        /* Every record knows its mailbox, even one before "Identity". */
        add_ctx(r, "mailbox", first_key(v, mailbox_keys, NMAILBOX));
        add_ctx(r, "batch", first_key(v, batch_keys, NBATCH));
        add_ctx(r, "status", first_key(v, status_keys, 1));
        rc = walk_object(r, "", v, 0);
    } else if (json_is_string(v)) {
        rc = emit_lines(r, json_string_value(v), json_string_length(v));
    } else {
        rc = walk_value(r, "Value", v, 0);
    }
    if (rc != 0) {
        return rc;
    }
    r->nctx = 0;
    r->line = r->last_line; /* the blank stands for the closing brace */
    memset(&rec, 0, sizeof(rec));
    rec.kind = MT_REC_BLANK;
    rec.text = "";
    rc = send(r, &rec);
    return rc;
}

/* ---- the reader ---- */

/* Hands the held value and all that follows to the plain reader, after as
 * many empty lines as come before the value, so its line numbers stay
 * right. */
static int to_plain(struct mt_format_reader *r)
{
    static const char newlines[64] = {
        '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n',
        '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n',
        '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n',
        '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n',
        '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n',
        '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n',
        '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n',
        '\n', '\n', '\n', '\n', '\n', '\n', '\n', '\n'};
    uint64_t skip = r->value_line - 1;
    int rc = 0;

    r->plain = mt_format_plain.open(r->scan, r->origin);
    if (r->plain == NULL) {
        return MT_ENOMEM;
    }
    while (skip > 0 && rc == 0) {
        size_t k = skip < sizeof(newlines) ? (size_t)skip : sizeof(newlines);
        rc = mt_format_plain.feed(r->plain, newlines, k);
        skip -= k;
    }
    /* The column the value starts at, as blanks. */
    for (skip = r->value_column; skip > 0 && rc == 0; skip--) {
        rc = mt_format_plain.feed(r->plain, " ", 1);
    }
    if (rc == 0 && r->value.len > 0) {
        rc = mt_format_plain.feed(r->plain, r->value.data, r->value.len);
    }
    mt_buf_free(&r->value);
    return rc;
}

/* Parses and walks the held value, which ended on line r->at_line; a
 * value Jansson rejects is reported and read as plain text. */
static int value_done(struct mt_format_reader *r)
{
    json_error_t err;
    json_t *v = json_loadb(r->value.data, r->value.len, JSON_DECODE_ANY,
                           &err);
    int rc;

    if (v == NULL) {
        long long line = (long long)r->value_line + err.line - 1;
        long long column = err.line == 1
                               ? (long long)r->value_column + err.column
                               : err.column;
        mt_scan_message(r->scan, MT_MSG_ERROR, r->origin,
                        "JSON: %s at line %lld column %lld", err.text, line,
                        column);
        return to_plain(r);
    }
    r->line = r->value_line;
    r->last_line = r->at_line;
    rc = walk_top(r, v);
    json_decref(v);
    mt_buf_reset(&r->value);
    r->place = r->in_array ? IN_ARRAY : BETWEEN_DOCUMENTS;
    r->expect = COMMA_OR_CLOSE;
    return rc;
}

/* Starts holding a top-level value at byte c. */
static void value_start(struct mt_format_reader *r, char c, int in_array)
{
    r->place = IN_VALUE;
    r->in_array = in_array;
    r->bare = c != '{' && c != '[' && c != '"';
    r->in_string = 0;
    r->escaped = 0;
    r->depth = 0;
    r->value_line = r->at_line;
    r->value_column = r->at_column;
    mt_buf_reset(&r->value);
}

/* Text that cannot start or continue a document where it stands: one line
 * on stderr, then the plain reader from there on. */
static int stray_text(struct mt_format_reader *r, char c)
{
    unsigned char u = (unsigned char)c;
    size_t bom = r->bom_seen;

    if (u > 0x20 && u < 0x7f) {
        mt_scan_message(r->scan, MT_MSG_ERROR, r->origin,
                        "JSON: unexpected '%c' at line %llu column %llu", c,
                        (unsigned long long)r->at_line,
                        (unsigned long long)(r->at_column + 1 - bom));
    } else {
        mt_scan_message(r->scan, MT_MSG_ERROR, r->origin,
                        "JSON: unexpected byte 0x%02X at line %llu column "
                        "%llu",
                        u, (unsigned long long)r->at_line,
                        (unsigned long long)(r->at_column + 1 - bom));
    }
    value_start(r, c, 0);
    /* The start of a BOM that was not one is text too. */
    r->value_column -= bom;
    if (mt_buf_append(&r->value, BOM, bom) != 0 ||
        mt_buf_appendc(&r->value, c) != 0) {
        return MT_ENOMEM;
    }
    return to_plain(r);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Where a top-level value ends, byte by byte. Returns 1 when the value
 * ended just before c (a bare scalar, c itself not part of it), 2 when it
 * ends with c, 0 when it goes on. */
static int value_byte(struct mt_format_reader *r, char c)
{
    if (r->bare) {
        return is_space(c) || c == ',' || c == ']' || c == '}' ? 1 : 0;
    }
    if (r->in_string) {
        if (r->escaped) {
            r->escaped = 0;
        } else if (c == '\\') {
            r->escaped = 1;
        } else if (c == '"') {
            r->in_string = 0;
            return r->depth == 0 ? 2 : 0;
        }
        return 0;
    }
    if (c == '"') {
        r->in_string = 1;
    } else if (c == '{' || c == '[') {
        r->depth++;
    } else if ((c == '}' || c == ']') && r->depth > 0) {
        return --r->depth == 0 ? 2 : 0;
    }
    return 0;
}

/* Holds one more byte of the value; past the bound, the plain reader takes
 * over (with that byte). */
static int hold(struct mt_format_reader *r, char c)
{
    if (mt_buf_appendc(&r->value, c) != 0) {
        return MT_ENOMEM;
    }
    if (r->value.len > r->max_value) {
        mt_scan_message(r->scan, MT_MSG_ERROR, r->origin,
                        "JSON value at line %llu larger than %llu bytes "
                        "(--limit json-value-bytes); read as plain text",
                        (unsigned long long)r->value_line,
                        (unsigned long long)r->max_value);
        return to_plain(r);
    }
    return 0;
}

/* One byte outside a held value: the brackets and commas of the top-level
 * array, blanks, or the first byte of a value. */
static int structure_byte(struct mt_format_reader *r, char c)
{
    int in_array = r->place == IN_ARRAY;

    if (!in_array && c == BOM[r->bom_seen]) {
        /* A BOM left by a concatenation. */
        r->bom_seen = (r->bom_seen + 1) % 3;
        return 0;
    }
    if (!in_array && r->bom_seen > 0) {
        return stray_text(r, c); /* the start of a BOM, then other text */
    }
    if (is_space(c)) {
        return 0;
    }
    if (!in_array) {
        if (c == '[') {
            r->place = IN_ARRAY;
            r->expect = ELEMENT_OR_CLOSE;
            r->array_line = r->at_line;
            return 0;
        }
        if (c != '{') {
            return stray_text(r, c);
        }
    } else if (c == ']' && r->expect != ELEMENT) {
        r->place = BETWEEN_DOCUMENTS;
        return 0;
    } else if (c == ',' && r->expect == COMMA_OR_CLOSE) {
        r->expect = ELEMENT;
        return 0;
    } else if (r->expect == COMMA_OR_CLOSE || c == ']' || c == ',' ||
               c == '}' || c == ':') {
        return stray_text(r, c);
    }
    value_start(r, c, in_array);
    value_byte(r, c); /* a first byte never ends a value */
    return hold(r, c);
}

/* One byte of the input. When the plain reader takes over, it has been
 * given this byte. */
static int json_byte(struct mt_format_reader *r, char c)
{
    int rc, end;

    if (r->place != IN_VALUE) {
        return structure_byte(r, c);
    }
    end = value_byte(r, c);
    if (end == 1) {
        /* A bare scalar ended before c, which is read again as
         * structure. */
        if ((rc = value_done(r)) != 0) {
            return rc;
        }
        return r->plain != NULL ? mt_format_plain.feed(r->plain, &c, 1)
                                : structure_byte(r, c);
    }
    if ((rc = hold(r, c)) != 0 || r->plain != NULL || end == 0) {
        return rc;
    }
    return value_done(r);
}

static struct mt_format_reader *json_open(struct mt_scan *scan,
                                          const char *origin)
{
    struct mt_format_reader *r = mt_calloc(1, sizeof(*r));

    if (r == NULL) {
        return NULL;
    }
    r->scan = scan;
    r->origin = origin;
    r->max_record = (size_t)scan->limits[MT_LIMIT_RECORD_BYTES];
    if (r->max_record < 16) {
        r->max_record = 16;
    }
    r->max_value = scan->limits[MT_LIMIT_JSON_VALUE_BYTES];
    if (r->max_value < 1) {
        r->max_value = 1;
    }
    r->place = BETWEEN_DOCUMENTS;
    r->at_line = 1;
    mt_buf_init(&r->value, 0);
    mt_buf_init(&r->rec, 0);
    return r;
}

static int json_feed(struct mt_format_reader *r, const char *text, size_t n)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < n && r->plain == NULL && rc == 0; i++) {
        rc = json_byte(r, text[i]);
        if (text[i] == '\n') {
            r->at_line++;
            r->at_column = 0;
        } else {
            r->at_column++;
        }
    }
    if (rc == 0 && r->plain != NULL && i < n) {
        rc = mt_format_plain.feed(r->plain, text + i, n - i);
    }
    return rc;
}

static int json_finish(struct mt_format_reader *r)
{
    int rc = 0;

    if (r->plain == NULL && r->place == IN_VALUE) {
        /* The input ended inside a value: a bare scalar is whole, anything
         * else is cut short, which Jansson reports. */
        rc = value_done(r);
    }
    if (rc == 0 && r->plain == NULL && r->place == IN_ARRAY) {
        mt_scan_message(r->scan, MT_MSG_ERROR, r->origin,
                        "JSON: the array opened at line %llu is not closed "
                        "(input cut short?)",
                        (unsigned long long)r->array_line);
    }
    if (rc == 0 && r->plain != NULL) {
        rc = mt_format_plain.finish(r->plain);
    }
    return rc;
}

static void json_free(struct mt_format_reader *r)
{
    if (r == NULL) {
        return;
    }
    if (r->plain != NULL) {
        mt_format_plain.free(r->plain);
    }
    mt_buf_free(&r->value);
    mt_buf_free(&r->rec);
    mt_free(r);
}

const struct mt_format_ops mt_format_json = {"json",     json_bid,
                                             json_open,  json_feed,
                                             json_finish, json_free};
