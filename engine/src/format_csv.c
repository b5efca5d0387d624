/* format_csv.c: the Export-Csv / ConvertTo-Csv reader. Each data row
 * becomes what Format-List of that object would show: one MT_REC_FIELD
 * "Header : value" per non-null cell and an MT_REC_BLANK, every record of
 * the row carrying the row's mailbox, batch and status as context.
 *
 * The tokenizer is a hand-written streaming state machine: a CSV tokenizer
 * is small, and Debian packages no well-kept C CSV library worth a
 * dependency. It follows what PowerShell writes (FORMATS.md section 4):
 * an optional "#TYPE" line, a header of property names, "" for a quote
 * inside quotes, null written as nothing, CR/LF copied raw inside quotes
 * (a message broken over lines is one value, joined by spaces),
 * and ',' ';' or tab as delimiter (sniffed from the header line). */
#include "format.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

/* Columns kept per row: Get-MigrationUserStatistics has ~40, custom
 * scripts a few hundred; past this cells are dropped (and reported). */
#define MAX_COLUMNS 4096
/* A row is held whole (the mailbox column may be its last cell): at most
 * this many record limits of cell text, so 4096 columns of maximum size
 * cannot take a gigabyte. */
#define ROW_RECORDS 16
/* Context pairs per row: mailbox, batch, status. */
#define ROW_CTX 3

/* Header names that identify the row's mailbox, best first. */
static const char *const mailbox_columns[] = {
    "MailboxEmailAddress", "EmailAddress", "UserPrincipalName",
    "PrimarySmtpAddress",  "Identity",     "Name",
    "DisplayName"};
#define NMAILBOX (sizeof(mailbox_columns) / sizeof(mailbox_columns[0]))

static const char *const batch_columns[] = {"BatchId", "BatchName"};
#define NBATCH (sizeof(batch_columns) / sizeof(batch_columns[0]))

/* Column names of migration exports (FORMATS.md section 4) that make an
 * unquoted header line believable. */
static const char *const known_columns[] = {
    "EmailAddress", "MailboxEmailAddress", "Identity",     "Status",
    "ErrorSummary", "Error",               "ErrorMessage", "Name",
    "UserPrincipalName", "BatchId",        "BatchName",    "DisplayName",
    "PrimarySmtpAddress", "RecipientType", "State",        "StatusSummary",
    "StatusDetail", "RowIndex",            "SyncedItemCount",
    "SkippedItemCount", "Items Synced",    "Items Skipped"};
#define NKNOWN (sizeof(known_columns) / sizeof(known_columns[0]))

/* The first property of Format-* output objects: Export-Csv of them holds
 * formatting instructions, not the data. */
#define FORMAT_CLASSID "ClassId2e4f51ef21dd47e99d3c952918aff9cd"

enum state {
    S_CELL_START, /* at the start of a cell */
    S_UNQUOTED,   /* inside an unquoted cell */
    S_QUOTED,     /* inside quotes */
    S_QUOTE_SEEN  /* a quote inside quotes: "" or the end of the quotes */
};

struct cell {
    size_t off;     /* into row */
    size_t len;
    uint64_t line;  /* line the cell starts on */
    unsigned char quoted;
    unsigned char cut;
};

struct mt_format_reader {
    struct mt_scan *scan;
    const char *origin;
    size_t max_record;
    size_t max_row;

    /* Before the header is known: the raw text up to the header's end. */
    int sniffed;
    struct mt_buf head;
    char delim;

    /* Tokenizer. */
    enum state st;
    int pending_cr;     /* a CR ended a line; an LF right after is its pair */
    uint64_t line;      /* current line, 1-based */
    int row_open;       /* some byte of the current row was seen */
    uint64_t row_line;
    struct mt_buf row;  /* cell bytes, embedded line ends as '\n' */
    struct cell *cells;
    size_t ncells, alloc_cells;
    size_t dropped;     /* cells past MAX_COLUMNS in this row */

    /* Header. */
    int have_header;
    char **labels;
    size_t nlabels;
    size_t header_fields; /* including cells past MAX_COLUMNS */
    int mailbox_col[NMAILBOX];
    int batch_col[NBATCH];
    int status_col;

    /* What is reported once per document. */
    int warned_count;
    int cut_short;       /* the document ended inside quotes */
    int warned_classid;
    uint64_t cut_cells;
    uint64_t dropped_cells;
    uint64_t quote_line; /* line of the open quoted cell */

    struct mt_buf rec;
    struct mt_buf joined; /* a cell's field value, continuation lines in */
    struct mt_record_ctx ctx[ROW_CTX];
};

/* ---- bidding ---- */

/* The end of the line starting at p (its CR or LF, or p + n). */
static size_t line_len(const char *p, size_t n)
{
    size_t i = 0;

    while (i < n && p[i] != '\n' && p[i] != '\r') {
        i++;
    }
    return i;
}

/* The delimiter of a header line: the one of ',' ';' tab seen most often
 * outside quotes (',' on a tie: the default). */
static char sniff_delim(const char *s, size_t n)
{
    size_t comma = 0, semi = 0, tab = 0, i;
    int inq = 0;

    for (i = 0; i < n; i++) {
        if (s[i] == '"') {
            inq = !inq;
        } else if (!inq && s[i] == ',') {
            comma++;
        } else if (!inq && s[i] == ';') {
            semi++;
        } else if (!inq && s[i] == '\t') {
            tab++;
        }
    }
    if (semi > comma && semi >= tab) {
        return ';';
    }
    if (tab > comma && tab > semi) {
        return '\t';
    }
    return ',';
}

/* Counts the fields of one line split on delim; *all_quoted tells whether
 * every field is a non-empty quoted string (a PowerShell header). Returns
 * -1 when a quote is left open at the end of the line. */
static long count_fields(const char *s, size_t n, char delim, int *all_quoted,
                         int *known)
{
    long fields = 0;
    size_t i = 0;

    *all_quoted = 1;
    *known = 0;
    for (;;) {
        size_t start = i, k;

        fields++;
        if (i < n && s[i] == '"') {
            i++;
            for (;;) {
                if (i >= n) {
                    return -1;
                }
                if (s[i] == '"' && i + 1 < n && s[i + 1] == '"') {
                    i += 2;
                } else if (s[i] == '"') {
                    i++;
                    break;
                } else {
                    i++;
                }
            }
            if (i - start <= 2) {
                *all_quoted = 0;
            }
            while (i < n && s[i] != delim) {
                *all_quoted = 0;
                i++;
            }
        } else {
            *all_quoted = 0;
            while (i < n && s[i] != delim) {
                i++;
            }
        }
        for (k = 0; k < NKNOWN; k++) {
            size_t klen = strlen(known_columns[k]);
            size_t a = start, b = i;
            if (b > a && s[a] == '"') {
                a++;
                b--;
            }
            if (b - a == klen && memcmp(s + a, known_columns[k], klen) == 0) {
                (*known)++;
            }
        }
        if (i >= n) {
            break;
        }
        i++; /* the delimiter */
    }
    return fields;
}

static int csv_bid(const char *text, size_t n)
{
    size_t l1, next, l2;
    int typed = 0, quoted, known, q2, k2;
    long f1, f2;
    char delim;

    if (n >= 6 && memcmp(text, "#TYPE ", 6) == 0) {
        typed = 1;
        l1 = line_len(text, n);
        next = l1;
        if (next < n && text[next] == '\r') {
            next++;
        }
        if (next < n && text[next] == '\n') {
            next++;
        }
        text += next;
        n -= next;
    }
    l1 = line_len(text, n);
    if (l1 == 0) {
        return 0;
    }
    delim = sniff_delim(text, l1);
    f1 = count_fields(text, l1, delim, &quoted, &known);
    if (f1 < 1) {
        return 0;
    }
    if (typed) {
        /* "#TYPE" then a header: nothing but Export-Csv writes that. */
        return 90;
    }
    if (f1 < 2) {
        return 0;
    }
    if (!quoted && known < 2) {
        return 0;
    }
    next = l1;
    if (next < n && text[next] == '\r') {
        next++;
    }
    if (next < n && text[next] == '\n') {
        next++;
    }
    l2 = line_len(text + next, n - next);
    f2 = count_fields(text + next, l2, delim, &q2, &k2);
    /* The count cannot be checked when the second line is missing or runs
     * past the peek, or when a quote stays open at its end (a value with a
     * line break: the row goes on). */
    if (f2 == f1 || f2 < 0 || next + l2 >= n) {
        return quoted ? 70 : 40;
    }
    return 0;
}

/* ---- rows ---- */

static int same_name(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) {
            return 0;
        }
    }
    return *a == *b;
}

static const struct cell *cell_at(const struct mt_format_reader *r, int col)
{
    if (col < 0 || (size_t)col >= r->ncells || r->cells[col].len == 0) {
        return NULL;
    }
    return &r->cells[col];
}

/* n without an incomplete UTF-8 sequence at its end (a cell cut at the
 * limit may have stopped inside a character). */
static size_t trim_partial(const char *s, size_t n)
{
    size_t p = n, need;
    unsigned char lead;

    while (p > 0 && n - p < 4 && ((unsigned char)s[p - 1] & 0xc0) == 0x80) {
        p--;
    }
    if (p == 0) {
        return n;
    }
    lead = (unsigned char)s[p - 1];
    if (lead < 0xc0) {
        return n; /* ASCII (or not UTF-8 at all: left alone) */
    }
    need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    return n - (p - 1) < need ? p - 1 : n;
}

/* Length of the first line of a cell (all of it without a line break);
 * a cut cell loses a character the cut split. */
static size_t first_line_len(const struct mt_format_reader *r,
                             const struct cell *c)
{
    const char *s = r->row.data + c->off;
    const char *nl = memchr(s, '\n', c->len);

    if (nl != NULL) {
        return (size_t)(nl - s);
    }
    return c->cut ? trim_partial(s, c->len) : c->len;
}

static void take_header(struct mt_format_reader *r)
{
    size_t i, k;

    r->have_header = 1;
    r->header_fields = r->ncells + r->dropped;
    r->labels = mt_calloc(r->ncells ? r->ncells : 1, sizeof(*r->labels));
    if (r->labels == NULL) {
        return;
    }
    r->nlabels = r->ncells;
    for (k = 0; k < NMAILBOX; k++) {
        r->mailbox_col[k] = -1;
    }
    for (k = 0; k < NBATCH; k++) {
        r->batch_col[k] = -1;
    }
    r->status_col = -1;
    for (i = 0; i < r->ncells; i++) {
        const struct cell *c = &r->cells[i];
        size_t len = c->len;
        /* A label longer than half a record would leave no room for the
         * value. */
        if (len > r->max_record / 2) {
            len = r->max_record / 2;
            while (len > 0 &&
                   ((unsigned char)r->row.data[c->off + len] & 0xc0) == 0x80) {
                len--;
            }
        }
        if (len == 0) {
            /* An empty header name: a made-up one keeps the cell. */
            r->labels[i] = mt_asprintf("H%zu", i + 1);
        } else {
            r->labels[i] = mt_strndup(r->row.data + c->off, len);
        }
        if (r->labels[i] == NULL) {
            continue;
        }
        /* Line breaks in a label would break the "Label : value" shape. */
        for (k = 0; r->labels[i][k]; k++) {
            if (r->labels[i][k] == '\n') {
                r->labels[i][k] = ' ';
            }
        }
        for (k = 0; k < NMAILBOX; k++) {
            if (r->mailbox_col[k] < 0 &&
                same_name(r->labels[i], mailbox_columns[k])) {
                r->mailbox_col[k] = (int)i;
            }
        }
        for (k = 0; k < NBATCH; k++) {
            if (r->batch_col[k] < 0 &&
                same_name(r->labels[i], batch_columns[k])) {
                r->batch_col[k] = (int)i;
            }
        }
        if (r->status_col < 0 && same_name(r->labels[i], "Status")) {
            r->status_col = (int)i;
        }
        if (!r->warned_classid && strcmp(r->labels[i], FORMAT_CLASSID) == 0) {
            r->warned_classid = 1;
            mt_scan_message(r->scan, MT_MSG_WARNING, r->origin,
                            "CSV holds Format-Table/Format-List formatting "
                            "objects, not data: export with Select-Object "
                            "instead of Format-*");
        }
    }
}

static void add_ctx(struct mt_format_reader *r, size_t *k, const char *name,
                    const struct cell *c)
{
    r->ctx[*k].name = name;
    r->ctx[*k].value = r->row.data + c->off;
    r->ctx[*k].value_len = first_line_len(r, c);
    (*k)++;
}

/* The first non-empty cell of the columns given, best first. */
static const struct cell *pick(const struct mt_format_reader *r,
                               const int *cols, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const struct cell *c = cell_at(r, cols[i]);
        if (c != NULL && first_line_len(r, c) > 0) {
            return c;
        }
    }
    return NULL;
}

static int send(struct mt_format_reader *r, struct mt_record *rec)
{
    return r->scan->sink->record(r->scan->sink_ctx, rec);
}

static size_t count_newlines(const char *s, size_t n)
{
    size_t k = 0;
    const char *p;

    while ((p = memchr(s, '\n', n)) != NULL) {
        k++;
        n -= (size_t)(p + 1 - s);
        s = p + 1;
    }
    return k;
}

/* Whether a line of a cell starts a report entry of its own (a timestamp:
 * "1/2/2019 2:59:34 PM [EXHV-1234] ..." in any culture's digits order)
 * rather than continuing the text before it. */
static int starts_entry(const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    return n > 0 && *s >= '0' && *s <= '9';
}

/* The value of a cell's field record: its first line with the lines that
 * continue it (a Message or Error cell whose text breaks over lines),
 * joined by spaces as Format-List's wrapped lines are, into buf. *rest is
 * set to the '\n' before the first line left for records of their own, or
 * NULL. Returns the value length. */
static size_t joined_value(const struct mt_format_reader *r,
                           const struct cell *c, struct mt_buf *buf,
                           const char **rest)
{
    const char *s = r->row.data + c->off, *end = s + c->len, *nl, *line;
    size_t n;

    mt_buf_reset(buf);
    n = first_line_len(r, c);
    mt_buf_append(buf, s, n);
    nl = n < c->len ? s + n : NULL;
    while (nl != NULL) {
        line = nl + 1;
        nl = memchr(line, '\n', (size_t)(end - line));
        n = nl ? (size_t)(nl - line) : (size_t)(end - line);
        if (nl == NULL && c->cut) {
            n = trim_partial(line, n);
        }
        if (starts_entry(line, n)) {
            *rest = line - 1;
            return buf->len;
        }
        while (n > 0 && (*line == ' ' || *line == '\t')) {
            line++;
            n--;
        }
        if (n > 0 && (mt_buf_appendc(buf, ' ') != 0 ||
                      mt_buf_append(buf, line, n) != 0)) {
            break;
        }
    }
    *rest = NULL;
    return buf->len;
}

/* One cell: its first line, with the lines continuing it, as "Label :
 * value"; from the first line that starts an entry (a timestamp) on, each
 * line as its own record (a report entry per line is matched alone). */
static int emit_cell(struct mt_format_reader *r, size_t i, size_t nctx,
                     uint64_t last_line)
{
    const struct cell *c = &r->cells[i];
    const char *s = r->row.data + c->off, *end = s + c->len;
    const char *label = i < r->nlabels && r->labels[i] ? r->labels[i] : NULL;
    char made[24];
    struct mt_record rec;
    const char *value, *rest;
    size_t llen, room, vlen;
    uint64_t line = c->line;
    int rc;

    if (label == NULL) {
        /* A cell past the header's columns keeps a made-up label. */
        snprintf(made, sizeof(made), "H%zu", i + 1);
        label = made;
    }
    llen = strlen(label);
    vlen = joined_value(r, c, &r->joined, &rest);
    value = r->joined.data ? r->joined.data : "";
    room = r->max_record > llen + 3 ? r->max_record - llen - 3 : 0;
    memset(&rec, 0, sizeof(rec));
    rec.flags = c->cut ? MT_RECF_TRUNCATED : 0;
    if (vlen > room) {
        vlen = room;
        while (vlen > 0 && ((unsigned char)value[vlen] & 0xc0) == 0x80) {
            vlen--;
        }
        rec.flags |= MT_RECF_TRUNCATED;
    }
    if (mt_format_field(&r->rec, label, llen, value, vlen, &rec) != 0) {
        return MT_ENOMEM;
    }
    rec.line = r->row_line;
    rec.last_line = last_line;
    rec.ctx = nctx ? r->ctx : NULL;
    rec.nctx = nctx;
    if ((rc = send(r, &rec)) != 0) {
        return rc;
    }
    /* Further entries, if the cell has any: s is at the '\n' before each;
     * the lines joined above are not sent again. */
    if (rest != NULL) {
        line += (uint64_t)count_newlines(s, (size_t)(rest - s));
    }
    s = rest;
    while (s != NULL) {
        const char *nl;
        size_t n;

        s++;
        line++;
        nl = memchr(s, '\n', (size_t)(end - s));
        n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        if (nl == NULL && c->cut) {
            n = trim_partial(s, n);
        }
        if (n > 0) {
            /* The cell is at most a record long: so is each line. */
            mt_buf_reset(&r->rec);
            if (mt_buf_append(&r->rec, s, n) != 0) {
                return MT_ENOMEM;
            }
            memset(&rec, 0, sizeof(rec));
            rec.kind = MT_REC_LINE;
            rec.flags = c->cut && nl == NULL ? MT_RECF_TRUNCATED : 0;
            rec.text = r->rec.data;
            rec.len = n;
            rec.line = line;
            rec.last_line = line;
            rec.ctx = nctx ? r->ctx : NULL;
            rec.nctx = nctx;
            if ((rc = send(r, &rec)) != 0) {
                return rc;
            }
        }
        s = nl;
    }
    return 0;
}

static int emit_row(struct mt_format_reader *r, uint64_t last_line)
{
    const struct cell *c;
    struct mt_record rec;
    size_t i, nctx = 0;
    int rc;

    if ((c = pick(r, r->mailbox_col, NMAILBOX)) != NULL) {
        add_ctx(r, &nctx, "mailbox", c);
    }
    if ((c = pick(r, r->batch_col, NBATCH)) != NULL) {
        add_ctx(r, &nctx, "batch", c);
    }
    if ((c = pick(r, &r->status_col, 1)) != NULL) {
        add_ctx(r, &nctx, "status", c);
    }
    for (i = 0; i < r->ncells; i++) {
        if (r->cells[i].len == 0) {
            continue; /* null, or an empty string: Format-List shows nothing */
        }
        if ((rc = emit_cell(r, i, nctx, last_line)) != 0) {
            return rc;
        }
    }
    memset(&rec, 0, sizeof(rec));
    rec.kind = MT_REC_BLANK;
    rec.text = "";
    rec.line = last_line;
    rec.last_line = last_line;
    return send(r, &rec);
}

/* The current row is complete (it ended on line last_line). */
static int end_row(struct mt_format_reader *r, uint64_t last_line)
{
    size_t fields = r->ncells + r->dropped;
    int rc = 0;

    if (!r->row_open) {
        return 0;
    }
    if (!r->have_header) {
        take_header(r);
        if (r->labels == NULL) {
            return MT_ENOMEM;
        }
    } else {
        /* (Blank lines between rows never open a row: see step().) */
        /* A row cut short by the end of the document has its own error. */
        if (fields != r->header_fields && !r->warned_count &&
            !r->cut_short) {
            r->warned_count = 1;
            mt_scan_message(r->scan, MT_MSG_WARNING, r->origin,
                            "CSV: row at line %llu has %zu fields, header "
                            "has %zu",
                            (unsigned long long)r->row_line, fields,
                            r->header_fields);
        }
        rc = emit_row(r, last_line);
    }
    r->dropped_cells += r->dropped;
    r->dropped = 0;
    r->ncells = 0;
    mt_buf_reset(&r->row);
    r->row_open = 0;
    return rc;
}

/* Opens a new cell at the current line. Returns 0 or MT_ENOMEM. */
static int start_cell(struct mt_format_reader *r)
{
    struct cell *c;

    if (!r->row_open) {
        r->row_open = 1;
        r->row_line = r->line;
    }
    if (r->ncells >= MAX_COLUMNS) {
        r->dropped++;
        return 0;
    }
    if (r->ncells == r->alloc_cells) {
        size_t n = r->alloc_cells ? r->alloc_cells * 2 : 32;
        struct cell *grown = mt_realloc(r->cells, n * sizeof(*grown));
        if (grown == NULL) {
            return MT_ENOMEM;
        }
        r->cells = grown;
        r->alloc_cells = n;
    }
    c = &r->cells[r->ncells++];
    memset(c, 0, sizeof(*c));
    c->off = r->row.len;
    c->line = r->line;
    return 0;
}

/* Appends one byte to the open cell, unless the cell or the row is full. */
static int put(struct mt_format_reader *r, char ch)
{
    struct cell *c;

    if (r->dropped > 0 || r->ncells == 0) {
        return 0;
    }
    c = &r->cells[r->ncells - 1];
    if (c->len >= r->max_record || r->row.len >= r->max_row) {
        if (!c->cut) {
            c->cut = 1;
            r->cut_cells++;
        }
        return 0;
    }
    if (mt_buf_appendc(&r->row, ch) != 0) {
        return MT_ENOMEM;
    }
    c->len++;
    return 0;
}

/* One byte of the document, after the header has been sniffed. */
static int step(struct mt_format_reader *r, char ch)
{
    int rc = 0;

    if (r->pending_cr) {
        r->pending_cr = 0;
        if (ch == '\n') {
            return 0; /* the LF of a CRLF already counted */
        }
    }
    switch (r->st) {
    case S_CELL_START:
        if (ch == '\r' || ch == '\n') {
            if (r->row_open && (rc = start_cell(r)) != 0) {
                return rc; /* "a,b," ends on a null cell */
            }
            rc = end_row(r, r->line);
            r->line++;
            r->pending_cr = ch == '\r';
            return rc;
        }
        if ((rc = start_cell(r)) != 0) {
            return rc;
        }
        if (ch == '"') {
            if (r->dropped == 0) {
                r->cells[r->ncells - 1].quoted = 1;
            }
            r->quote_line = r->line;
            r->st = S_QUOTED;
        } else if (ch == r->delim) {
            r->st = S_CELL_START; /* a null cell */
        } else {
            r->st = S_UNQUOTED;
            rc = put(r, ch);
        }
        return rc;
    case S_UNQUOTED:
        if (ch == r->delim) {
            r->st = S_CELL_START;
        } else if (ch == '\r' || ch == '\n') {
            r->st = S_CELL_START;
            rc = end_row(r, r->line);
            r->line++;
            r->pending_cr = ch == '\r';
        } else {
            rc = put(r, ch);
        }
        return rc;
    case S_QUOTED:
        if (ch == '"') {
            r->st = S_QUOTE_SEEN;
        } else if (ch == '\r' || ch == '\n') {
            /* A line break inside the value: kept, as one '\n'. */
            rc = put(r, '\n');
            r->line++;
            r->pending_cr = ch == '\r';
        } else {
            rc = put(r, ch);
        }
        return rc;
    case S_QUOTE_SEEN:
        if (ch == '"') {
            r->st = S_QUOTED;
            rc = put(r, '"');
        } else if (ch == r->delim) {
            r->st = S_CELL_START;
        } else if (ch == '\r' || ch == '\n') {
            r->st = S_CELL_START;
            rc = end_row(r, r->line);
            r->line++;
            r->pending_cr = ch == '\r';
        } else {
            /* Text after the closing quote: kept, as Import-Csv does. */
            r->st = S_UNQUOTED;
            rc = put(r, ch);
        }
        return rc;
    }
    return 0;
}

static int run(struct mt_format_reader *r, const char *text, size_t n)
{
    size_t i;
    int rc;

    for (i = 0; i < n; i++) {
        if ((rc = step(r, text[i])) != 0) {
            return rc;
        }
    }
    return 0;
}

/* Sniffs the delimiter from the header line in head (whole or cut), skips
 * the "#TYPE" line, and runs the tokenizer over what was held back. */
static int start(struct mt_format_reader *r)
{
    const char *s = r->head.data ? r->head.data : "";
    size_t n = r->head.len, skip = 0, l;
    int rc;

    r->sniffed = 1;
    if (n >= 6 && memcmp(s, "#TYPE ", 6) == 0) {
        skip = line_len(s, n);
        if (skip < n && s[skip] == '\r') {
            skip++;
        }
        if (skip < n && s[skip] == '\n') {
            skip++;
        }
        r->line = 2;
    }
    l = line_len(s + skip, n - skip);
    r->delim = sniff_delim(s + skip, l);
    rc = run(r, s + skip, n - skip);
    mt_buf_free(&r->head);
    return rc;
}

/* Whether head holds the "#TYPE" line (if any) and the header line. */
static int head_complete(const struct mt_format_reader *r)
{
    const char *s = r->head.data;
    size_t n = r->head.len, l = line_len(s, n);

    if (l == n) {
        return 0;
    }
    if (n >= 6 && memcmp(s, "#TYPE ", 6) == 0) {
        size_t next = l + 1;
        if (s[l] == '\r' && next < n && s[next] == '\n') {
            next++;
        }
        return line_len(s + next, n - next) < n - next;
    }
    return 1;
}

static struct mt_format_reader *csv_open(struct mt_scan *scan,
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
    r->max_row = r->max_record * ROW_RECORDS;
    r->line = 1;
    r->delim = ',';
    r->st = S_CELL_START;
    mt_buf_init(&r->head, 0);
    mt_buf_init(&r->row, 0);
    mt_buf_init(&r->rec, 0);
    mt_buf_init(&r->joined, 0);
    return r;
}

static int csv_feed(struct mt_format_reader *r, const char *text, size_t n)
{
    if (!r->sniffed) {
        if (mt_buf_append(&r->head, text, n) != 0) {
            return MT_ENOMEM;
        }
        /* Only a line end can complete the head (no rescans otherwise);
         * a header line longer than a record is sniffed on its start. */
        if (((memchr(text, '\n', n) || memchr(text, '\r', n)) &&
             head_complete(r)) ||
            r->head.len >= r->max_record + 2 * MT_FORMAT_PEEK) {
            return start(r);
        }
        return 0;
    }
    return run(r, text, n);
}

static int csv_finish(struct mt_format_reader *r)
{
    int rc = 0;

    if (!r->sniffed && (rc = start(r)) != 0) {
        return rc;
    }
    r->pending_cr = 0;
    if (r->st == S_QUOTED) {
        r->cut_short = 1;
        mt_scan_message(r->scan, MT_MSG_ERROR, r->origin,
                        "CSV: unterminated quoted field starting at line "
                        "%llu",
                        (unsigned long long)r->quote_line);
    }
    if (r->row_open) {
        if (r->st == S_CELL_START && (rc = start_cell(r)) != 0) {
            return rc; /* "a,b," at the very end */
        }
        rc = end_row(r, r->line);
    }
    r->st = S_CELL_START;
    if (r->cut_cells > 0) {
        mt_scan_message(r->scan, MT_MSG_WARNING, r->origin,
                        "CSV: %llu cell(s) longer than %llu bytes were cut",
                        (unsigned long long)r->cut_cells,
                        (unsigned long long)r->max_record);
    }
    if (r->dropped_cells > 0) {
        mt_scan_message(r->scan, MT_MSG_WARNING, r->origin,
                        "CSV: %llu cell(s) past column %d were dropped",
                        (unsigned long long)r->dropped_cells, MAX_COLUMNS);
    }
    return rc;
}

static void csv_free(struct mt_format_reader *r)
{
    size_t i;

    if (r == NULL) {
        return;
    }
    for (i = 0; i < r->nlabels; i++) {
        mt_free(r->labels[i]);
    }
    mt_free(r->labels);
    mt_free(r->cells);
    mt_buf_free(&r->head);
    mt_buf_free(&r->row);
    mt_buf_free(&r->rec);
    mt_buf_free(&r->joined);
    mt_free(r);
}

const struct mt_format_ops mt_format_csv = {"csv",     csv_bid,   csv_open,
                                            csv_feed,  csv_finish, csv_free};
