/* format_json.c: the ConvertTo-Json reader. Each object becomes what
 * Format-List of it would show: "Name : value" MT_REC_FIELD records
 * (nested objects as "Parent.Name : value"), one MT_REC_LINE per string of
 * an array (report entries), and an MT_REC_BLANK after each top-level
 * object. Jansson parses whole documents only, so the text is held (up to
 * a bound); a document past the bound or one Jansson rejects is read by
 * the plain reader instead, so nothing read is lost. */
#include "format.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Largest document held for Jansson. ConvertTo-Json's default depth of 2
 * keeps real exports to a few MiB even for thousands of mailboxes. */
#define MAX_DOCUMENT (64ULL * 1024 * 1024)
/* Object nesting walked; deeper values are shown as compact JSON. Depth 2
 * is ConvertTo-Json's default; -Depth raises it (up to 100). */
#define MAX_DEPTH 8
/* Longest "Parent.Child.Name" label kept. */
#define MAX_LABEL 512
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

struct mt_format_reader {
    struct mt_scan *scan;
    const char *origin;
    size_t max_record;
    uint64_t max_document;
    struct mt_buf doc;
    /* Set once the text goes to the plain reader instead. */
    struct mt_format_reader *plain;

    /* While walking one top-level object. */
    uint64_t line, last_line;
    struct mt_record_ctx ctx[OBJ_CTX];
    size_t nctx;
    struct mt_buf rec;
    /* Lines of the top-level objects' braces, in document order. */
    uint64_t *open_lines, *close_lines;
    size_t nlines, next_obj;
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

/* One top-level object (or array element): its records, then a blank. */
static int walk_top(struct mt_format_reader *r, json_t *v)
{
    struct mt_record rec;
    int rc;

    r->line = r->last_line = 1;
    if (json_is_object(v) && r->next_obj < r->nlines) {
        r->line = r->open_lines[r->next_obj];
        r->last_line = r->close_lines[r->next_obj];
        r->next_obj++;
    }
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

/* Lines of the braces of the top-level objects (those of a top-level
 * array, or the document's own): Jansson keeps no positions. */
static int find_lines(struct mt_format_reader *r)
{
    const char *s = r->doc.data;
    size_t n = r->doc.len, i, alloc = 0;
    uint64_t line = 1, open_line = 1;
    int depth = 0, instr = 0, top_array = -1;

    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n') {
            line++;
            continue;
        }
        if (instr) {
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                instr = 0;
            }
            continue;
        }
        if (c == '"') {
            instr = 1;
        } else if (c == '{' || c == '[') {
            if (top_array < 0) {
                top_array = c == '[';
            }
            if (c == '{' && depth == top_array) {
                open_line = line;
            }
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
            if (c == '}' && depth == top_array) {
                if (r->nlines == alloc) {
                    size_t na = alloc ? alloc * 2 : 64;
                    uint64_t *o = mt_realloc(r->open_lines, na * sizeof(*o));
                    uint64_t *cl;
                    if (o == NULL) {
                        return MT_ENOMEM;
                    }
                    r->open_lines = o;
                    cl = mt_realloc(r->close_lines, na * sizeof(*cl));
                    if (cl == NULL) {
                        return MT_ENOMEM;
                    }
                    r->close_lines = cl;
                    alloc = na;
                }
                r->open_lines[r->nlines] = open_line;
                r->close_lines[r->nlines] = line;
                r->nlines++;
            }
        }
    }
    return 0;
}

/* ---- the reader ---- */

/* Hands the held text to the plain reader, which reads the rest too. */
static int to_plain(struct mt_format_reader *r)
{
    int rc = 0;

    r->plain = mt_format_plain.open(r->scan, r->origin);
    if (r->plain == NULL) {
        return MT_ENOMEM;
    }
    if (r->doc.len > 0) {
        rc = mt_format_plain.feed(r->plain, r->doc.data, r->doc.len);
    }
    mt_buf_free(&r->doc);
    return rc;
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
    /* Never more than the input may expand to (which lets a test lower
     * the bound). */
    r->max_document = MAX_DOCUMENT;
    if (scan->limits[MT_LIMIT_EXPANDED_BYTES] > 0 &&
        scan->limits[MT_LIMIT_EXPANDED_BYTES] < r->max_document) {
        r->max_document = scan->limits[MT_LIMIT_EXPANDED_BYTES];
    }
    mt_buf_init(&r->doc, 0);
    mt_buf_init(&r->rec, 0);
    return r;
}

static int json_feed(struct mt_format_reader *r, const char *text, size_t n)
{
    int rc;

    if (r->plain != NULL) {
        return mt_format_plain.feed(r->plain, text, n);
    }
    if (r->doc.len + n > r->max_document) {
        if (r->max_document == MAX_DOCUMENT) {
            mt_scan_message(r->scan, MT_MSG_ERROR, r->origin,
                            "JSON document larger than 64 MiB; read as "
                            "plain text");
        } else {
            mt_scan_message(r->scan, MT_MSG_ERROR, r->origin,
                            "JSON document larger than %llu bytes; read as "
                            "plain text",
                            (unsigned long long)r->max_document);
        }
        rc = to_plain(r);
        return rc != 0 ? rc : mt_format_plain.feed(r->plain, text, n);
    }
    return mt_buf_append(&r->doc, text, n) != 0 ? MT_ENOMEM : 0;
}

/* Lines before byte off of the held text, and the column off is at. */
static uint64_t lines_before(const struct mt_format_reader *r, size_t off,
                             size_t *col)
{
    uint64_t n = 0;
    size_t i, bol = 0;

    for (i = 0; i < off; i++) {
        if (r->doc.data[i] == '\n') {
            n++;
            bol = i + 1;
        }
    }
    *col = off - bol;
    return n;
}

/* The document from byte off on could not be parsed: reports it and lets
 * the plain reader read that part (blank lines stand for what was read,
 * so its line numbers stay right). */
static int parse_failed(struct mt_format_reader *r, size_t off,
                        const json_error_t *err)
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
    size_t col;
    uint64_t skip = lines_before(r, off, &col);
    long long line = (long long)skip + err->line;
    long long column = err->line == 1 ? (long long)col + err->column
                                      : err->column;
    int rc = 0;

    mt_scan_message(r->scan, MT_MSG_ERROR, r->origin,
                    "JSON: %s at line %lld column %lld", err->text, line,
                    column);
    r->plain = mt_format_plain.open(r->scan, r->origin);
    if (r->plain == NULL) {
        return MT_ENOMEM;
    }
    while (skip > 0 && rc == 0) {
        size_t k = skip < sizeof(newlines) ? (size_t)skip : sizeof(newlines);
        rc = mt_format_plain.feed(r->plain, newlines, k);
        skip -= k;
    }
    if (rc == 0) {
        rc = mt_format_plain.feed(r->plain, r->doc.data + off,
                                  r->doc.len - off);
    }
    return rc != 0 ? rc : mt_format_plain.finish(r->plain);
}

static int json_finish(struct mt_format_reader *r)
{
    json_error_t err;
    json_t *root;
    size_t i, off = 0;
    int rc = 0;

    if (r->plain != NULL) {
        return mt_format_plain.finish(r->plain);
    }
    if (r->doc.data == NULL || (rc = find_lines(r)) != 0) {
        return rc;
    }
    /* Several documents one after the other ("ConvertTo-Json >> file" in
     * a loop) are read in turn. */
    for (;;) {
        off = skip_ws(r->doc.data, off, r->doc.len);
        if (off >= r->doc.len) {
            return 0;
        }
        root = json_loadb(r->doc.data + off, r->doc.len - off,
                          JSON_DISABLE_EOF_CHECK, &err);
        if (root == NULL) {
            return parse_failed(r, off, &err);
        }
        if (json_is_array(root)) {
            for (i = 0; i < json_array_size(root) && rc == 0; i++) {
                rc = walk_top(r, json_array_get(root, i));
            }
        } else {
            rc = walk_top(r, root);
        }
        json_decref(root);
        if (rc != 0) {
            return rc;
        }
        if (err.position <= 0) {
            return 0; /* no progress: never loop */
        }
        off += (size_t)err.position;
    }
}

static void json_free(struct mt_format_reader *r)
{
    if (r == NULL) {
        return;
    }
    if (r->plain != NULL) {
        mt_format_plain.free(r->plain);
    }
    mt_buf_free(&r->doc);
    mt_buf_free(&r->rec);
    mt_free(r->open_lines);
    mt_free(r->close_lines);
    mt_free(r);
}

const struct mt_format_ops mt_format_json = {"json",     json_bid,
                                             json_open,  json_feed,
                                             json_finish, json_free};
