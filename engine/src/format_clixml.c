/* format_clixml.c: the reader for PowerShell CliXML (Export-Clixml files and
 * "#< CLIXML" stderr pastes). expat parses the stream chunk by chunk; the
 * handlers turn each top-level object into the records a Format-List of it
 * would give (FIELD "Name : value" per property, a BLANK after it) and
 * every list item (report entries, failures) into records of its own.
 *
 * Overview of the element walk: a stack of frames, one per open element,
 * at most CLIXML_MAX_DEPTH deep. Text is collected only inside primitives
 * (S, I32, DT ...) and ToString, capped at the record limit. What a
 * primitive becomes depends on its parent: a property of the nearest Obj
 * (Props, MS at any nesting), a list item (LST, IE, STK, QUE), a top-level
 * item (a stderr stream line), or a dictionary entry. An Obj property that
 * has a ToString (enums, Exchange value types) becomes "Name : ToString";
 * its own Props are noise (Ticks, IsUnlimited) and are skipped, unless it
 * has no ToString (Report), whose properties are then "Report.Name". */
#include "format.h"

#include <expat.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

/* Elements nested deeper than this stop the document: real exports stay
 * below 20 (-Depth is 2 by default; containers add a level each). */
#ifndef CLIXML_MAX_DEPTH
#define CLIXML_MAX_DEPTH 64
#endif

/* Objects remembered for <Ref RefId=".."/>: PowerShell writes a Ref only
 * for an object reached twice, so a few thousand cover real exports. The
 * oldest entries are reused when it is full. */
#ifndef CLIXML_MAX_REFS
#define CLIXML_MAX_REFS 4096
#endif
/* Bytes of ToString remembered per RefId, and of a RefId itself. */
#define REF_TEXT_MAX 4096
#define REF_ID_MAX 64

/* Longest N name (decoded) and label kept; longer ones are cut. */
#define NAME_MAX_BYTES 256
#define LABEL_MAX_BYTES 512

/* Property records one list item may give (a ReportEntry has ~25). */
#define ITEM_MAX_FIELDS 64

/* Lines held back until an object's first property (see send()). */
#define HELD_MAX 64

/* A single XML token (a start tag with its attributes, a comment) that
 * expat has to hold whole before calling back. */
#define TOKEN_MAX_BYTES (4u * 1024 * 1024)

/* Bytes handed to expat per call, so the token check runs often. */
#define FEED_SLICE (64 * 1024)

enum kind {
    K_OBJS,
    K_OBJ,
    K_TOSTRING,
    K_PROPS, /* Props or MS */
    K_LIST,  /* LST, IE, STK, QUE */
    K_DCT,
    K_EN,
    K_PRIM, /* a primitive whose text is collected */
    K_SKIP, /* a subtree that says nothing (BA, SS, Nil, TN, PR, progress) */
    K_OTHER
};

enum role {
    R_NONE,
    R_TOP,  /* a pipeline object or item */
    R_PROP, /* a property of an Obj (or a dictionary value) */
    R_ITEM, /* an item of a list */
    R_KEY   /* a dictionary key */
};

struct frame {
    enum kind kind;
    enum role role;
    char *name;        /* decoded N (or dictionary key); may be NULL */
    char *prefix;      /* K_OBJ: label prefix for its properties */
    char *refid;       /* K_OBJ: its RefId, to remember its ToString */
    char *stream;      /* K_PRIM at top level: the S="Error" stream name */
    struct mt_buf tostr; /* K_OBJ: its ToString, decoded */
    int has_tostring;
    int emits_props;   /* K_OBJ: its properties become records */
    int had_items;     /* K_OBJ: a list below it gave records */
    int emitted;       /* K_OBJ: records came from it */
    unsigned fields;   /* K_OBJ (item): property records given */
    char *key;         /* K_EN: the decoded key */
    uint64_t line;
};

struct ref {
    char id[REF_ID_MAX];
    char *text; /* NULL: object without a ToString */
    int next;   /* next entry in the same hash chain, or -1 */
};

enum pre_state {
    PRE_START,  /* before the document: skip blanks, "#< CLIXML" lines */
    PRE_HASH,   /* in a "#..." line before the document */
    PRE_XML,    /* feeding expat */
    PRE_FAILED  /* malformed: the rest is ignored */
};

struct mt_format_reader {
    struct mt_scan *scan;
    const char *origin;
    XML_Parser p;
    enum pre_state pre;
    uint64_t line_base; /* lines skipped before the XML started */
    uint64_t fed;       /* bytes given to the current parser */
    uint64_t last_event; /* byte index of the last handler call */
    int64_t root_end;   /* byte index after </Objs>, or -1 */
    size_t max_record;

    struct frame stack[CLIXML_MAX_DEPTH];
    int depth;
    int skip; /* >0: inside a K_SKIP subtree, this many levels */

    struct mt_buf text; /* raw text of the open primitive / ToString */
    int text_cut;
    struct mt_buf dec;  /* decoded text */
    struct mt_buf out;  /* the record being built */

    /* "#< CLIXML" stderr: consecutive stream strings join into one
     * message, emitted a line at a time. */
    struct mt_buf pending;
    char pending_stream[32];
    uint64_t pending_line;

    struct ref *refs;
    int *buckets; /* CLIXML_MAX_REFS chain heads into refs, -1 = none */
    size_t nrefs, next_ref;

    /* Lines of a top-level object held until its first property. */
    int holding;
    struct held {
        size_t off, len;
        unsigned flags;
        uint64_t line, last_line;
    } held[HELD_MAX];
    size_t nheld;
    struct mt_buf held_text;

    int rc; /* a negative status a sink returned */
    int warned_cut, warned_ref, failed;
};

/* ---- small helpers ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* The UTF-16 unit of an "_xHHHH_" escape at s[0..n), or -1. */
static long escape_at(const char *s, size_t n)
{
    long u = 0;
    int i, h;

    if (n < 7 || s[0] != '_' || (s[1] != 'x' && s[1] != 'X') ||
        s[6] != '_') {
        return -1;
    }
    for (i = 2; i < 6; i++) {
        if ((h = hexval(s[i])) < 0) {
            return -1;
        }
        u = u * 16 + h;
    }
    return u;
}

static void put_utf8(struct mt_buf *b, unsigned long cp)
{
    char u[4];

    if (cp < 0x80) {
        u[0] = (char)cp;
        mt_buf_append(b, u, 1);
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        mt_buf_append(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        mt_buf_append(b, u, 3);
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        mt_buf_append(b, u, 4);
    }
}

/* Decodes PowerShell's "_xHHHH_" escapes (expat has already applied the
 * XML entities) in one left-to-right pass, so "_x005F_x000A_" stays the
 * text "_x000A_". Surrogate halves are escaped separately and joined
 * here; an unpaired half, and NUL (records are C strings), become
 * U+FFFD. */
static void decode_escapes(struct mt_buf *out, const char *s, size_t n)
{
    size_t i = 0, lit;
    long u, lo;

    mt_buf_reset(out);
    mt_buf_append(out, "", 0);
    while (i < n) {
        const char *us = memchr(s + i, '_', n - i);
        lit = us ? (size_t)(us - s) - i : n - i;
        mt_buf_append(out, s + i, lit);
        i += lit;
        if (i >= n) {
            break;
        }
        u = escape_at(s + i, n - i);
        if (u < 0) {
            mt_buf_append(out, "_", 1);
            i++;
            continue;
        }
        i += 7;
        if (u >= 0xD800 && u <= 0xDBFF) {
            lo = escape_at(s + i, n - i);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                i += 7;
                put_utf8(out, 0x10000 + (((unsigned long)u - 0xD800) << 10) +
                                  ((unsigned long)lo - 0xDC00));
            } else {
                put_utf8(out, 0xFFFD);
            }
        } else if ((u >= 0xDC00 && u <= 0xDFFF) || u == 0) {
            put_utf8(out, 0xFFFD);
        } else {
            put_utf8(out, (unsigned long)u);
        }
    }
}

/* Decoded copy of an N attribute (or other short string), cut at max on a
 * character boundary. */
static char *decode_name(struct mt_format_reader *r, const char *s,
                         size_t max)
{
    size_t n;

    decode_escapes(&r->dec, s, strlen(s));
    n = r->dec.len;
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)r->dec.data[n] & 0xC0) == 0x80) {
            n--;
        }
    }
    return mt_strndup(r->dec.data ? r->dec.data : "", n);
}

static const char *attr(const XML_Char **atts, const char *name)
{
    int i;

    for (i = 0; atts[i] != NULL; i += 2) {
        if (strcmp(atts[i], name) == 0) {
            return atts[i + 1];
        }
    }
    return NULL;
}

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y) {
            return 0;
        }
    }
    return *a == *b;
}

static uint64_t cur_line(struct mt_format_reader *r)
{
    return r->line_base + (uint64_t)XML_GetCurrentLineNumber(r->p);
}

/* Cuts n so that s[0..n) ends on a character boundary. */
static size_t cut_utf8(const char *s, size_t n)
{
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) {
        n--;
    }
    return n;
}

static void stop(struct mt_format_reader *r)
{
    r->failed = 1;
    XML_StopParser(r->p, XML_FALSE);
}

/* ---- records ---- */

static int deliver(struct mt_format_reader *r, const struct mt_record *rec)
{
    int rc;

    if (r->rc < 0) {
        return r->rc;
    }
    rc = r->scan->sink->record(r->scan->sink_ctx, rec);
    if (rc < 0) {
        r->rc = rc;
        stop(r);
    }
    return rc;
}

/* Sends the held lines, in their order, and stops holding. */
static void release_held(struct mt_format_reader *r)
{
    struct mt_record rec;
    size_t i;

    r->holding = 0;
    for (i = 0; i < r->nheld; i++) {
        memset(&rec, 0, sizeof(rec));
        rec.kind = MT_REC_LINE;
        rec.flags = r->held[i].flags;
        rec.text = r->held_text.data + r->held[i].off;
        rec.len = r->held[i].len;
        rec.line = r->held[i].line;
        rec.last_line = r->held[i].last_line;
        deliver(r, &rec);
    }
    r->nheld = 0;
    mt_buf_reset(&r->held_text);
}

/* The engine starts a new object's context at a FIELD record that follows
 * a BLANK. Lines that come before the object's first property (a Report
 * list serialized ahead of Identity by Select-Object) are held until that
 * property is sent, so the previous object's mailbox never reaches them.
 * Bounded: past HELD_MAX lines or the record limit they go out as they
 * are. */
static int send(struct mt_format_reader *r, struct mt_record *rec)
{
    int rc;

    if (r->holding && rec->kind == MT_REC_LINE) {
        if (r->nheld < HELD_MAX &&
            r->held_text.len + rec->len + 1 <= r->max_record) {
            r->held[r->nheld].off = r->held_text.len;
            r->held[r->nheld].len = rec->len;
            r->held[r->nheld].flags = rec->flags;
            r->held[r->nheld].line = rec->line;
            r->held[r->nheld].last_line = rec->last_line;
            if (mt_buf_append(&r->held_text, rec->text, rec->len + 1) == 0) {
                r->nheld++;
                return 0;
            }
        }
        release_held(r);
    }
    if (r->holding && rec->kind == MT_REC_FIELD) {
        r->holding = 0;
        rc = deliver(r, rec);
        release_held(r);
        return rc < 0 ? rc : r->rc;
    }
    if (r->holding) {
        release_held(r);
    }
    return deliver(r, rec);
}

static void emit_blank(struct mt_format_reader *r, uint64_t line)
{
    struct mt_record rec;

    memset(&rec, 0, sizeof(rec));
    rec.kind = MT_REC_BLANK;
    rec.text = "";
    rec.line = line;
    rec.last_line = line;
    send(r, &rec);
}

/* Length of the line at s[0..n) and, in *next, where the next one
 * starts (CRLF, LF and CR end lines). */
static size_t line_len(const char *s, size_t n, size_t *next)
{
    size_t i = 0;

    while (i < n && s[i] != '\n' && s[i] != '\r') {
        i++;
    }
    *next = i;
    if (i < n) {
        *next = i + (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n' ? 2 : 1);
    }
    return i;
}

static int blank_text(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t') {
            return 0;
        }
    }
    return 1;
}

/* Sends s[0..n) as LINE records, one per line. Blank lines are dropped,
 * or, when blanks is set (stderr text), become BLANK records. */
static void emit_lines(struct mt_format_reader *r, const char *s, size_t n,
                       unsigned flags, uint64_t line, uint64_t last,
                       int blanks)
{
    struct mt_record rec;
    size_t i = 0, len, next;

    while (i < n && r->rc == 0) {
        len = line_len(s + i, n - i, &next);
        if (blank_text(s + i, len)) {
            if (blanks) {
                emit_blank(r, line);
            }
        } else {
            unsigned f = flags;
            if (len > r->max_record) {
                /* A remembered Ref text can be longer than the limit. */
                len = cut_utf8(s + i, r->max_record);
                f |= MT_RECF_TRUNCATED;
            }
            mt_buf_reset(&r->out);
            if (mt_buf_append(&r->out, s + i, len) != 0) {
                r->rc = MT_ENOMEM;
                stop(r);
                return;
            }
            memset(&rec, 0, sizeof(rec));
            rec.kind = MT_REC_LINE;
            rec.flags = f;
            rec.text = r->out.data;
            rec.len = r->out.len;
            rec.line = line;
            rec.last_line = last;
            send(r, &rec);
        }
        i += next;
    }
}

/* Sends "label : value" as Format-List would show it: the first line of
 * the value as a FIELD record, further lines of it as LINE records. */
static void emit_field(struct mt_format_reader *r, const char *label,
                       const char *v, size_t n, unsigned flags,
                       uint64_t line, uint64_t last)
{
    struct mt_record rec;
    size_t llen = strlen(label), len, next;

    len = line_len(v, n, &next);
    mt_buf_reset(&r->out);
    if (llen + 3 > r->max_record) {
        /* Only a tiny record limit gets here (labels are cut at
         * LABEL_MAX_BYTES). */
        llen = r->max_record > 3 ? cut_utf8(label, r->max_record - 3) : 0;
    }
    if (llen + 3 + len > r->max_record) {
        len = llen + 3 < r->max_record
                  ? cut_utf8(v, r->max_record - llen - 3)
                  : 0;
        flags |= MT_RECF_TRUNCATED;
    }
    if (mt_buf_append(&r->out, label, llen) != 0 ||
        mt_buf_append(&r->out, " : ", 3) != 0 ||
        mt_buf_append(&r->out, v, len) != 0) {
        r->rc = MT_ENOMEM;
        stop(r);
        return;
    }
    memset(&rec, 0, sizeof(rec));
    rec.kind = MT_REC_FIELD;
    rec.flags = flags;
    rec.text = r->out.data;
    rec.len = r->out.len;
    rec.label = r->out.data;
    rec.label_len = llen;
    rec.value = r->out.data + llen + 3;
    rec.value_len = len;
    rec.line = line;
    rec.last_line = last;
    send(r, &rec);
    if (next < n) {
        emit_lines(r, v + next, n - next, flags, line, last, 0);
    }
}

/* ---- stderr streams ---- */

/* Sends the complete lines of the pending stream text; with all set, the
 * rest too (the message ended). */
static void flush_pending(struct mt_format_reader *r, int all, uint64_t last)
{
    struct mt_buf *b = &r->pending;
    size_t end = b->len;

    if (b->len == 0) {
        return;
    }
    if (!all) {
        /* A CR at the very end may be half of a CRLF split across two
         * strings: it stays for the next string. */
        if (b->data[end - 1] == '\r') {
            end--;
        }
        while (end > 0 && b->data[end - 1] != '\n' &&
               b->data[end - 1] != '\r') {
            end--;
        }
        if (end == 0) {
            return;
        }
    }
    emit_lines(r, b->data, end, 0, r->pending_line, last, 1);
    memmove(b->data, b->data + end, b->len - end);
    b->len -= end;
    b->data[b->len] = '\0';
    r->pending_line = last;
    if (all) {
        mt_buf_reset(b);
        r->pending_stream[0] = '\0';
    }
}

static void add_stream_text(struct mt_format_reader *r, const char *stream,
                            const char *s, size_t n, uint64_t line,
                            uint64_t last)
{
    if (r->pending.len > 0 && !ieq(r->pending_stream, stream)) {
        flush_pending(r, 1, line);
    }
    if (r->pending.len == 0) {
        r->pending_line = line;
        snprintf(r->pending_stream, sizeof(r->pending_stream), "%s", stream);
    }
    if (r->pending.len + n > r->max_record) {
        /* One message as long as a record: send what there is. */
        flush_pending(r, 1, last);
        r->pending_line = line;
        snprintf(r->pending_stream, sizeof(r->pending_stream), "%s", stream);
        if (n > r->max_record) {
            n = cut_utf8(s, r->max_record);
        }
    }
    if (mt_buf_append(&r->pending, s, n) != 0) {
        r->rc = MT_ENOMEM;
        stop(r);
        return;
    }
    flush_pending(r, 0, last);
}

/* ---- RefId map ---- */

/* Ids are compared on their first REF_ID_MAX - 1 bytes, as stored. */
static size_t ref_bucket(const char *id)
{
    size_t n = 0;

    while (n < REF_ID_MAX - 1 && id[n] != '\0') {
        n++;
    }

    return (size_t)(mt_hash(id, n, MT_HASH_SEED) % CLIXML_MAX_REFS);
}

static struct ref *ref_find(struct mt_format_reader *r, const char *id)
{
    int i;

    if (r->refs == NULL) {
        return NULL;
    }
    for (i = r->buckets[ref_bucket(id)]; i >= 0; i = r->refs[i].next) {
        if (strncmp(r->refs[i].id, id, REF_ID_MAX - 1) == 0) {
            return &r->refs[i];
        }
    }
    return NULL;
}

/* Remembers id's ToString (text NULL: the object had none). When the map
 * is full the oldest entry makes room. */
static void ref_add(struct mt_format_reader *r, const char *id,
                    const char *text, size_t n)
{
    struct ref *f = ref_find(r, id);
    size_t b;
    int k, *link;

    if (f == NULL) {
        if (r->refs == NULL) {
            r->refs = mt_calloc(CLIXML_MAX_REFS, sizeof(*r->refs));
            r->buckets = mt_malloc(CLIXML_MAX_REFS * sizeof(*r->buckets));
            if (r->refs == NULL || r->buckets == NULL) {
                mt_free(r->refs);
                mt_free(r->buckets);
                r->refs = NULL;
                r->buckets = NULL;
                return;
            }
            for (b = 0; b < CLIXML_MAX_REFS; b++) {
                r->buckets[b] = -1;
            }
        }
        if (r->nrefs < CLIXML_MAX_REFS) {
            k = (int)r->nrefs++;
        } else {
            k = (int)r->next_ref;
            r->next_ref = (r->next_ref + 1) % CLIXML_MAX_REFS;
            /* Unlink the oldest entry from its chain. */
            link = &r->buckets[ref_bucket(r->refs[k].id)];
            while (*link != k) {
                link = &r->refs[*link].next;
            }
            *link = r->refs[k].next;
        }
        f = &r->refs[k];
        snprintf(f->id, sizeof(f->id), "%s", id);
        b = ref_bucket(f->id);
        f->next = r->buckets[b];
        r->buckets[b] = k;
    }
    mt_free(f->text);
    f->text = NULL;
    if (text != NULL) {
        f->text = mt_strndup(text, n > REF_TEXT_MAX
                                       ? cut_utf8(text, REF_TEXT_MAX)
                                       : n);
    }
}

/* ---- the element walk ---- */

/* The nearest Obj at or below stack index i. */
static struct frame *owner_obj(struct mt_format_reader *r, int i)
{
    for (; i >= 0; i--) {
        if (r->stack[i].kind == K_OBJ) {
            return &r->stack[i];
        }
    }
    return NULL;
}

static char *join_label(const char *prefix, const char *name)
{
    char *s;
    size_t n;

    if (prefix == NULL || prefix[0] == '\0') {
        s = mt_strdup(name);
    } else {
        s = mt_asprintf("%s.%s", prefix, name);
    }
    if (s != NULL && (n = strlen(s)) > LABEL_MAX_BYTES) {
        s[cut_utf8(s, LABEL_MAX_BYTES)] = '\0';
    }
    return s;
}

static void mark_items(struct mt_format_reader *r)
{
    int i;

    for (i = 0; i < r->depth; i++) {
        if (r->stack[i].kind == K_OBJ) {
            r->stack[i].had_items = 1;
            r->stack[i].emitted = 1;
        }
    }
}

/* Whether value v repeats the end of the item's ToString: a ReportEntry's
 * LocalizedString and Message are already in its ToString line, and a
 * second record of them would count every entry twice. */
static int repeats_tostring(const struct frame *obj, const char *v, size_t n)
{
    const struct mt_buf *t = &obj->tostr;

    return obj->has_tostring && n > 0 && t->len >= n &&
           memcmp(t->data + t->len - n, v, n) == 0;
}

/* A property value (primitive text, or an Obj property's ToString) of the
 * object at stack index parent. */
static void emit_property(struct mt_format_reader *r, int parent,
                          const char *name, const char *v, size_t n,
                          unsigned flags, uint64_t line, uint64_t last)
{
    struct frame *obj = owner_obj(r, parent);
    char *label;

    if (obj == NULL || !obj->emits_props || name == NULL) {
        return;
    }
    if (obj->role == R_ITEM) {
        if (repeats_tostring(obj, v, n) || obj->fields >= ITEM_MAX_FIELDS) {
            return;
        }
        obj->fields++;
    }
    label = join_label(obj->prefix, name);
    if (label == NULL) {
        r->rc = MT_ENOMEM;
        stop(r);
        return;
    }
    emit_field(r, label, v, n, flags, line, last);
    mt_free(label);
    obj->emitted = 1;
}

static void push_frame(struct mt_format_reader *r, enum kind kind,
                       enum role role, char *name)
{
    struct frame *f = &r->stack[r->depth++];

    memset(f, 0, sizeof(*f));
    f->kind = kind;
    f->role = role;
    f->name = name;
    f->line = cur_line(r);
    mt_buf_init(&f->tostr, 0);
}

static void free_frame(struct frame *f)
{
    mt_free(f->name);
    mt_free(f->prefix);
    mt_free(f->refid);
    mt_free(f->stream);
    mt_free(f->key);
    mt_buf_free(&f->tostr);
    memset(f, 0, sizeof(*f));
}

static int is_list(const char *el)
{
    return strcmp(el, "LST") == 0 || strcmp(el, "IE") == 0 ||
           strcmp(el, "STK") == 0 || strcmp(el, "QUE") == 0;
}

/* Elements whose content is never reported: base64 blobs, secure strings,
 * nulls, type names, progress records. */
static int is_skipped(const char *el)
{
    static const char *const names[] = {"BA", "SS", "Nil", "TN", "TNRef",
                                        "PR", NULL};
    int i;

    for (i = 0; names[i] != NULL; i++) {
        if (strcmp(el, names[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static int is_primitive(const char *el)
{
    static const char *const names[] = {
        "S",   "C",   "B",  "By", "SB", "I16", "I32",     "I64",
        "U16", "U32", "U64", "Sg", "Db", "D",  "DT",      "TS",
        "G",   "URI", "Version", "SemanticVersion", "SBK", "XD", NULL};
    int i;

    for (i = 0; names[i] != NULL; i++) {
        if (strcmp(el, names[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The role a value element plays under the frame at index parent, and
 * the name it is reported under. */
static enum role role_of(struct mt_format_reader *r, int parent,
                         const char *n_attr, char **name)
{
    struct frame *pf;

    *name = NULL;
    if (parent < 0) {
        return R_NONE;
    }
    pf = &r->stack[parent];
    switch (pf->kind) {
    case K_OBJS:
        return R_TOP;
    case K_PROPS:
        if (n_attr != NULL) {
            *name = decode_name(r, n_attr, NAME_MAX_BYTES);
        }
        return R_PROP;
    case K_LIST:
        return R_ITEM;
    case K_EN:
        if (n_attr != NULL && strcmp(n_attr, "Key") == 0) {
            return R_KEY;
        }
        if (pf->key != NULL) {
            *name = mt_strdup(pf->key);
        }
        return R_PROP;
    default:
        return R_NONE;
    }
}

static void on_ref(struct mt_format_reader *r, const XML_Char **atts)
{
    const char *id = attr(atts, "RefId");
    int parent = r->depth - 1;
    char *name = NULL;
    enum role role = role_of(r, parent, attr(atts, "N"), &name);
    struct ref *f = id != NULL ? ref_find(r, id) : NULL;
    uint64_t line = cur_line(r);

    if (f == NULL) {
        if (!r->warned_ref) {
            r->warned_ref = 1;
            mt_scan_message(r->scan, MT_MSG_WARNING, r->origin,
                            "CliXML: reference to unknown object "
                            "RefId=\"%.64s\"",
                            id ? id : "");
        }
    } else if (f->text != NULL) {
        if (role == R_PROP) {
            emit_property(r, parent, name, f->text, strlen(f->text), 0, line,
                          line);
        } else if (role == R_ITEM || role == R_TOP) {
            emit_lines(r, f->text, strlen(f->text), 0, line, line, 0);
            mark_items(r);
        }
    }
    mt_free(name);
}

static void XMLCALL on_start(void *ud, const XML_Char *el,
                             const XML_Char **atts)
{
    struct mt_format_reader *r = ud;
    int parent = r->depth - 1;
    struct frame *f;
    char *name = NULL;
    enum role role;

    r->last_event = (uint64_t)XML_GetCurrentByteIndex(r->p);
    if (r->failed) {
        return;
    }
    if (r->depth >= CLIXML_MAX_DEPTH) {
        mt_scan_message(r->scan, MT_MSG_ERROR, r->origin,
                        "CliXML: elements nested deeper than %d at line "
                        "%llu",
                        CLIXML_MAX_DEPTH, (unsigned long long)cur_line(r));
        stop(r);
        return;
    }
    if (r->skip > 0 || is_skipped(el)) {
        r->skip++;
        push_frame(r, K_SKIP, R_NONE, NULL);
        return;
    }
    if (parent < 0) {
        push_frame(r, strcmp(el, "Objs") == 0 ? K_OBJS : K_OTHER, R_NONE,
                   NULL);
        return;
    }
    if (parent == 0 && attr(atts, "S") == NULL) {
        /* A stream message goes on only while stream strings follow each
         * other (progress records aside). */
        flush_pending(r, 1, cur_line(r));
    }
    if (strcmp(el, "Ref") == 0) {
        on_ref(r, atts);
        push_frame(r, K_OTHER, R_NONE, NULL);
        return;
    }
    if (strcmp(el, "ToString") == 0) {
        push_frame(r, r->stack[parent].kind == K_OBJ ? K_TOSTRING : K_OTHER,
                   R_NONE, NULL);
        mt_buf_reset(&r->text);
        r->text_cut = 0;
        return;
    }
    if (strcmp(el, "Props") == 0 || strcmp(el, "MS") == 0) {
        /* A nested MS N="..." (property set) keeps its object's names. */
        push_frame(r,
                   r->stack[parent].kind == K_OBJ ||
                           r->stack[parent].kind == K_PROPS
                       ? K_PROPS
                       : K_OTHER,
                   R_NONE, NULL);
        return;
    }
    if (is_list(el)) {
        push_frame(r, r->stack[parent].kind == K_OBJ ? K_LIST : K_OTHER,
                   R_NONE, NULL);
        return;
    }
    if (strcmp(el, "DCT") == 0) {
        push_frame(r, r->stack[parent].kind == K_OBJ ? K_DCT : K_OTHER,
                   R_NONE, NULL);
        return;
    }
    if (strcmp(el, "En") == 0) {
        push_frame(r, r->stack[parent].kind == K_DCT ? K_EN : K_OTHER,
                   R_NONE, NULL);
        return;
    }
    role = role_of(r, parent, attr(atts, "N"), &name);
    if (strcmp(el, "Obj") == 0) {
        const char *s = attr(atts, "S");
        const char *id = attr(atts, "RefId");
        struct frame *owner = owner_obj(r, parent);

        if (s != NULL && ieq(s, "progress")) {
            mt_free(name);
            r->skip++;
            push_frame(r, K_SKIP, R_NONE, NULL);
            return;
        }
        if (role == R_KEY || role == R_NONE) {
            /* A complex key, or an Obj in an unknown place: its text is
             * not a property of anything. */
            mt_free(name);
            r->skip++;
            push_frame(r, K_SKIP, R_NONE, NULL);
            return;
        }
        push_frame(r, K_OBJ, role, name);
        f = &r->stack[r->depth - 1];
        if (id != NULL) {
            f->refid = mt_strndup(id, REF_ID_MAX - 1);
        }
        if (role == R_TOP) {
            f->prefix = mt_strdup("");
            f->emits_props = 1;
            r->holding = 1;
        } else if (role == R_ITEM) {
            /* Items are labelled by the list's owner: Failures.Message. */
            struct frame *lo = owner_obj(r, parent);
            f->prefix = mt_strdup(lo && lo->name ? lo->name : "");
            f->emits_props = 1;
        } else {
            f->prefix = join_label(owner ? owner->prefix : "",
                                   name ? name : "");
            /* Decided once its ToString is known (at Props). */
            f->emits_props = owner != NULL && owner->emits_props;
        }
        if (f->prefix == NULL) {
            r->rc = MT_ENOMEM;
            stop(r);
        }
        return;
    }
    if (is_primitive(el)) {
        const char *s = attr(atts, "S");

        push_frame(r, K_PRIM, role, name);
        f = &r->stack[r->depth - 1];
        if (role == R_TOP && s != NULL) {
            f->stream = mt_strndup(s, 31);
        }
        mt_buf_reset(&r->text);
        r->text_cut = 0;
        return;
    }
    mt_free(name);
    push_frame(r, K_OTHER, R_NONE, NULL);
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    struct mt_format_reader *r = ud;
    struct frame *f;
    size_t n = (size_t)len, room;

    r->last_event = (uint64_t)XML_GetCurrentByteIndex(r->p);
    if (r->failed || r->depth == 0 || r->skip > 0) {
        return;
    }
    f = &r->stack[r->depth - 1];
    if ((f->kind != K_PRIM && f->kind != K_TOSTRING) || r->text_cut) {
        /* After a cut, nothing more: a later piece of text could still
         * fit where a longer character did not. */
        return;
    }
    room = r->max_record > r->text.len ? r->max_record - r->text.len : 0;
    if (n > room) {
        /* expat hands over whole characters: cut between two of them. */
        n = cut_utf8(s, room);
        r->text_cut = 1;
    }
    if (n > 0 && mt_buf_append(&r->text, s, n) != 0) {
        r->rc = MT_ENOMEM;
        stop(r);
    }
}

static void note_cut(struct mt_format_reader *r)
{
    if (r->text_cut && !r->warned_cut) {
        r->warned_cut = 1;
        mt_scan_message(r->scan, MT_MSG_WARNING, r->origin,
                        "CliXML: string values longer than %llu bytes were "
                        "cut",
                        (unsigned long long)r->max_record);
    }
}

static void end_primitive(struct mt_format_reader *r, struct frame *f,
                          int parent)
{
    unsigned flags = r->text_cut ? MT_RECF_TRUNCATED : 0;
    uint64_t last = cur_line(r);
    const char *v;
    size_t n;

    note_cut(r);
    decode_escapes(&r->dec, r->text.data ? r->text.data : "", r->text.len);
    v = r->dec.data ? r->dec.data : "";
    n = cut_utf8(v, r->dec.len);
    switch (f->role) {
    case R_TOP:
        if (f->stream != NULL) {
            add_stream_text(r, f->stream, v, n, f->line, last);
        } else {
            flush_pending(r, 1, f->line);
            emit_lines(r, v, n, flags, f->line, last, 0);
        }
        break;
    case R_ITEM:
        emit_lines(r, v, n, flags, f->line, last, 0);
        mark_items(r);
        break;
    case R_PROP:
        emit_property(r, parent, f->name, v, n, flags, f->line, last);
        break;
    case R_KEY:
        if (parent >= 0 && r->stack[parent].kind == K_EN) {
            if (n > NAME_MAX_BYTES) {
                n = cut_utf8(v, NAME_MAX_BYTES);
            }
            mt_free(r->stack[parent].key);
            r->stack[parent].key = mt_strndup(v, n);
        }
        break;
    default:
        break;
    }
}

static void end_tostring(struct mt_format_reader *r, int parent)
{
    struct frame *obj = &r->stack[parent];
    size_t n;

    note_cut(r);
    decode_escapes(&r->dec, r->text.data ? r->text.data : "", r->text.len);
    n = cut_utf8(r->dec.data ? r->dec.data : "", r->dec.len);
    mt_buf_reset(&obj->tostr);
    if (mt_buf_append(&obj->tostr, r->dec.data ? r->dec.data : "", n) != 0) {
        r->rc = MT_ENOMEM;
        stop(r);
        return;
    }
    obj->has_tostring = 1;
    if (obj->role == R_PROP) {
        /* A value type or enum: its ToString is the value, its own
         * properties (Ticks, IsUnlimited) are noise. */
        obj->emits_props = 0;
    } else if (obj->role == R_ITEM) {
        /* A report entry: its ToString is the entry line. */
        emit_lines(r, obj->tostr.data, obj->tostr.len,
                   r->text_cut ? MT_RECF_TRUNCATED : 0, obj->line,
                   cur_line(r), 0);
        mark_items(r);
    }
}

static void end_obj(struct mt_format_reader *r, struct frame *f, int parent)
{
    uint64_t last = cur_line(r);

    if (f->refid != NULL) {
        ref_add(r, f->refid, f->has_tostring ? f->tostr.data : NULL,
                f->has_tostring ? f->tostr.len : 0);
    }
    if (f->role == R_PROP && f->has_tostring && !f->had_items) {
        /* The object's own value: "Status : Failed". An object whose
         * lists gave records (a Report) is not repeated as one text. */
        struct frame *owner = owner_obj(r, parent);
        if (owner != NULL && owner->emits_props && f->name != NULL) {
            emit_property(r, parent, f->name, f->tostr.data, f->tostr.len, 0,
                          f->line, last);
        }
    } else if (f->role == R_TOP) {
        if (!f->emitted && f->has_tostring) {
            emit_lines(r, f->tostr.data, f->tostr.len, 0, f->line, last, 0);
        }
        release_held(r);
        emit_blank(r, last);
    }
}

static void XMLCALL on_end(void *ud, const XML_Char *el)
{
    struct mt_format_reader *r = ud;
    struct frame *f;
    int parent;

    (void)el;
    r->last_event = (uint64_t)XML_GetCurrentByteIndex(r->p);
    if (r->failed || r->depth == 0) {
        return;
    }
    f = &r->stack[r->depth - 1];
    parent = r->depth - 2;
    if (f->kind == K_SKIP) {
        r->skip--;
    } else if (f->kind == K_PRIM) {
        end_primitive(r, f, parent);
    } else if (f->kind == K_TOSTRING) {
        end_tostring(r, parent);
    } else if (f->kind == K_OBJ) {
        end_obj(r, f, parent);
    } else if (f->kind == K_OBJS) {
        flush_pending(r, 1, cur_line(r));
    }
    free_frame(f);
    r->depth--;
    if (r->depth == 0 && !r->failed) {
        /* The document ended: a paste may hold another one after it. */
        r->root_end = (int64_t)XML_GetCurrentByteIndex(r->p) +
                      XML_GetCurrentByteCount(r->p);
        XML_StopParser(r->p, XML_TRUE);
    }
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name,
                               const XML_Char *sysid, const XML_Char *pubid,
                               int has_internal_subset)
{
    struct mt_format_reader *r = ud;

    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal_subset;
    /* CliXML never has a DTD; one here could only declare entities. */
    mt_scan_message(r->scan, MT_MSG_ERROR, r->origin,
                    "CliXML: DOCTYPE not allowed at line %llu",
                    (unsigned long long)cur_line(r));
    stop(r);
}

/* expat allocates through ours, so that the torture build can fail its
 * allocations too. */
static const XML_Memory_Handling_Suite xml_memory = {mt_malloc, mt_realloc,
                                                     mt_free};

static int setup_parser(struct mt_format_reader *r)
{
    if (r->p == NULL) {
        /* "UTF-8" overrides any encoding="utf-16" declaration: the text
         * layer has already transcoded the bytes. */
        r->p = XML_ParserCreate_MM("UTF-8", &xml_memory, NULL);
        if (r->p == NULL) {
            return MT_ENOMEM;
        }
    } else if (!XML_ParserReset(r->p, "UTF-8")) {
        return MT_ENOMEM;
    }
    /* Handlers run as soon as a token is complete, so the end of one
     * document of a paste is seen inside the chunk that holds it (and the
     * text after it can be handed to the next parser). Our chunks are
     * large, so deferral's protection against tiny feeds is not needed. */
    XML_SetReparseDeferralEnabled(r->p, XML_FALSE);
    XML_SetUserData(r->p, r);
    XML_SetElementHandler(r->p, on_start, on_end);
    XML_SetCharacterDataHandler(r->p, on_text);
    XML_SetStartDoctypeDeclHandler(r->p, on_doctype);
    r->fed = 0;
    r->last_event = 0;
    r->root_end = -1;
    return 0;
}

/* ---- the reader ---- */

static int clixml_bid(const char *text, size_t n)
{
    static const char ns[] = "http://schemas.microsoft.com/powershell/2004/04";
    size_t i = 0, k;
    int stderr_form = 0;

    while (i < n && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' ||
                     text[i] == '\n')) {
        i++;
    }
    if (n - i >= 9 && memcmp(text + i, "#< CLIXML", 9) == 0) {
        stderr_form = 1;
        while (i < n && text[i] != '\n') {
            i++;
        }
    } else if (n - i >= 5 && memcmp(text + i, "<?xml", 5) == 0) {
        while (i + 1 < n && !(text[i] == '?' && text[i + 1] == '>')) {
            i++;
        }
        i += 2;
    }
    while (i < n && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' ||
                     text[i] == '\n')) {
        i++;
    }
    if (i + 6 > n || memcmp(text + i, "<Objs", 5) != 0 ||
        (text[i + 5] != ' ' && text[i + 5] != '>' && text[i + 5] != '\t' &&
         text[i + 5] != '\r' && text[i + 5] != '\n')) {
        return 0;
    }
    if (stderr_form) {
        return 100;
    }
    for (k = i; k + sizeof(ns) - 1 <= n; k++) {
        if (memcmp(text + k, ns, sizeof(ns) - 1) == 0) {
            return 100;
        }
    }
    return 0;
}

static struct mt_format_reader *clixml_open(struct mt_scan *scan,
                                            const char *origin)
{
    struct mt_format_reader *r = mt_calloc(1, sizeof(*r));

    if (r == NULL) {
        return NULL;
    }
    r->scan = scan;
    r->origin = origin;
    r->max_record = (size_t)scan->limits[MT_LIMIT_RECORD_BYTES];
    if (r->max_record == 0) {
        r->max_record = MT_MAX_RECORD;
    }
    mt_buf_init(&r->text, 0);
    mt_buf_init(&r->dec, 0);
    mt_buf_init(&r->out, 0);
    mt_buf_init(&r->pending, 0);
    mt_buf_init(&r->held_text, 0);
    r->line_base = 0;
    r->pre = PRE_START;
    if (setup_parser(r) != 0) {
        mt_free(r);
        return NULL;
    }
    return r;
}

static void xml_error(struct mt_format_reader *r)
{
    enum XML_Error code = XML_GetErrorCode(r->p);

    if (!r->failed && code != XML_ERROR_ABORTED) {
        mt_scan_message(r->scan, MT_MSG_ERROR, r->origin,
                        "CliXML: %s at line %llu", XML_ErrorString(code),
                        (unsigned long long)cur_line(r));
    }
    r->failed = 1;
    r->pre = PRE_FAILED;
}

/* Closes what a document left open: frames of a truncated document. */
static void unwind(struct mt_format_reader *r)
{
    int top_open = 0;
    uint64_t line;

    while (r->depth > 0) {
        struct frame *f = &r->stack[--r->depth];
        if (f->kind == K_OBJ && f->role == R_TOP) {
            top_open = 1;
        }
        free_frame(f);
    }
    r->skip = 0;
    release_held(r);
    line = cur_line(r);
    if (line < r->pending_line) {
        line = r->pending_line;
    }
    flush_pending(r, 1, line);
    if (top_open) {
        /* The records of the cut object still take its context. */
        emit_blank(r, line);
    }
}

/* Hands s[0..n) to expat; on the end of a document, returns in *used how
 * much of it belonged to that document. */
static int parse(struct mt_format_reader *r, const char *s, size_t n,
                 size_t *used)
{
    enum XML_Status st;
    uint64_t before = r->fed;

    *used = n;
    st = XML_Parse(r->p, s, (int)n, 0);
    r->fed += n;
    if (st == XML_STATUS_ERROR) {
        xml_error(r);
        return r->rc;
    }
    if (st == XML_STATUS_SUSPENDED && r->root_end >= 0) {
        uint64_t line = cur_line(r);
        /* Text after the end tag that an earlier call handed over (only
         * blanks can be there) is not replayed. */
        *used = (uint64_t)r->root_end > before
                    ? (size_t)((uint64_t)r->root_end - before)
                    : 0;
        if (*used > n) {
            *used = n;
        }
        r->line_base = line - 1;
        /* Newlines of the tail of the end tag line are counted again by
         * the prefix scan: the next document starts on a later line. */
        r->pre = PRE_START;
        if (setup_parser(r) != 0) {
            return MT_ENOMEM;
        }
        return r->rc;
    }
    if (r->fed - r->last_event > TOKEN_MAX_BYTES) {
        mt_scan_message(r->scan, MT_MSG_ERROR, r->origin,
                        "CliXML: XML token longer than %u bytes at line %llu",
                        TOKEN_MAX_BYTES, (unsigned long long)cur_line(r));
        r->failed = 1;
        r->pre = PRE_FAILED;
    }
    return r->rc;
}

static int clixml_feed(struct mt_format_reader *r, const char *text, size_t n)
{
    size_t i = 0, used;
    int rc;

    while (i < n && r->rc == 0) {
        switch (r->pre) {
        case PRE_FAILED:
            return r->rc;
        case PRE_HASH:
            if (text[i] == '\n') {
                r->line_base++;
                r->pre = PRE_START;
            }
            i++;
            break;
        case PRE_START:
            if (text[i] == '\n') {
                r->line_base++;
                i++;
            } else if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r') {
                i++;
            } else if (text[i] == '<') {
                r->pre = PRE_XML;
            } else {
                /* "#< CLIXML", or text between two documents. */
                r->pre = PRE_HASH;
            }
            break;
        case PRE_XML: {
            size_t k = n - i < FEED_SLICE ? n - i : FEED_SLICE;
            rc = parse(r, text + i, k, &used);
            i += used;
            if (rc < 0) {
                return rc;
            }
            break;
        }
        }
    }
    return r->rc;
}

static int clixml_finish(struct mt_format_reader *r)
{
    if (r->pre == PRE_XML && r->rc == 0) {
        if (XML_Parse(r->p, "", 0, 1) == XML_STATUS_ERROR) {
            xml_error(r);
        }
    }
    if (r->rc == 0) {
        unwind(r);
    }
    return r->rc;
}

static void clixml_free(struct mt_format_reader *r)
{
    size_t i;

    if (r == NULL) {
        return;
    }
    while (r->depth > 0) {
        free_frame(&r->stack[--r->depth]);
    }
    if (r->p != NULL) {
        XML_ParserFree(r->p);
    }
    for (i = 0; i < r->nrefs; i++) {
        mt_free(r->refs[i].text);
    }
    mt_free(r->refs);
    mt_free(r->buckets);
    mt_buf_free(&r->text);
    mt_buf_free(&r->dec);
    mt_buf_free(&r->out);
    mt_buf_free(&r->pending);
    mt_buf_free(&r->held_text);
    mt_free(r);
}

const struct mt_format_ops mt_format_clixml = {
    "clixml", clixml_bid, clixml_open, clixml_feed, clixml_finish,
    clixml_free};
