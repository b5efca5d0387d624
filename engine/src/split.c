/* split.c: cuts a UTF-8 text stream into lines and re-joins the lines that
 * PowerShell, .NET and HCW wrapped into records (Format-List fields, error
 * record fields, entries with stack traces); see split.h for the rules. */
#include "split.h"

#include "migtriage.h"
#include "mt_limits.h"
#include "util.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Overview. Bytes are gathered into one line at a time (never more than
 * max_line bytes: the rest of a longer line is dropped unseen). Each
 * complete line is classified against the record still open (rec): it
 * either continues it or closes it and opens a new one. So a record is
 * emitted when the line after it arrives, or at finish. The record text
 * holds at most max_record bytes; alt is only filled once a join turns out
 * to be ambiguous.
 *
 * What a line may continue depends on how the open record started:
 *  - FIELD: a Format-List "Label<pad> : value" line; continued by lines
 *    indented by exactly col blanks (col = column of ':' + 2), joined
 *    directly. Web pastes indent whole blocks and pad with U+00A0, so the
 *    label line may be indented and blanks are counted in characters.
 *  - ERROR: "    + Label<pad> : value" (text keeps "+ Label : value");
 *    continued by lines of exactly 3 spaces, joined directly.
 *  - LINE: a line starting at column 0; continued by indented lines.
 *  - ALONE: an indented line with nothing before it; never continued.
 * FIELD, ERROR and LINE records also take any other indented line, joined
 * with one space (a LINE record then becomes an MT_REC_ENTRY).
 *
 * A direct join is certain when the broken line ends with a blank (the
 * blank PowerShell leaves at a word wrap). When it does not, the break was
 * mid-word or a paste trimmed that blank: ambiguous, text joins directly
 * and alt with a space. Format-List wraps every line of an object at one
 * width, so a broken line narrower than an earlier line of the same object
 * stopped early: a word wrap whose blank was trimmed (or a line end inside
 * the value), joined with a space; a join still in doubt gets that space
 * later when a wider line of the same value follows. Error records are
 * left out: documentation samples shorten values ("<Request ID>"), which
 * makes a line look narrower than the next one.
 *
 * Console copies and Out-File output of an error record hard-wrap plain
 * lines at the console width (80 or 120 cells), mid-word and with no
 * indent ("New-PSSession : [server] Connecting ... error message" / ": Access
 * is denied."). A plain or label line exactly that wide continues on the
 * next column-0 line when that one is no wider (a row never is) and does
 * not open a record of its own (a label, an error field, a timestamped
 * entry or log line): ambiguous, text joins directly and alt with a
 * space. */

enum mode { M_LINE, M_FIELD, M_ERROR, M_ALONE };

/* Joins in doubt remembered per Format-List value: a value wraps over a
 * few lines; past this many the later ones stay as they are. */
#define MAX_DOUBTFUL_JOINS 16

struct open_rec {
    int open;
    enum mode mode;
    enum mt_record_kind kind;
    unsigned flags;
    size_t col;       /* indentation (characters) that continues a value */
    int has_label;
    size_t label_off; /* offsets into text, valid when has_label */
    size_t label_len;
    size_t value_off;
    size_t prev_cells; /* width of the line last added */
    size_t console_row; /* the console width the line last added filled */
    /* When not 0, console_row is still to be worked out (record_row):
     * the line last added is the last row_len bytes of the text. */
    size_t row_len;
    /* Format-List joins made directly but in doubt, with the width of
     * the line before each: a later, wider line of the same value shows
     * that line stopped early (a word wrap whose blank was trimmed), and
     * the join gets its space after all (see fix_early_stops). */
    size_t doubt_off[MAX_DOUBTFUL_JOINS];
    size_t doubt_cells[MAX_DOUBTFUL_JOINS];
    int ndoubt;
    /* A record of one whole line of the block is not copied: it points
     * there (NUL-terminated in place) until a second line joins it or the
     * block is done (materialise). */
    const char *borrow;
    size_t borrow_len;
    int has_alt;
    uint64_t line;
    uint64_t last_line;
    struct mt_buf text;
    struct mt_buf alt;
};

struct mt_splitter {
    struct mt_split_config cfg;
    int status;         /* sticky: the first negative status seen */
    struct mt_buf line; /* the line being gathered */
    int in_line;        /* bytes of an unfinished line have been seen */
    int skipping;       /* the line hit max_line: drop bytes until its end */
    int cut;            /* the current line was cut */
    int pending_cr;     /* the last byte seen was CR: swallow one LF */
    /* The line being classified, and its width in console cells, which
     * only Format-List wrapping needs: worked out on first use, so that
     * other lines are not read once more for it. */
    const char *cur_line;
    size_t cur_len;
    size_t cur_cells;
    int cur_cells_known;
    size_t obj_width;   /* widest Format-List line since the last blank */
    uint64_t lines;
    uint64_t cut_lines;
    struct open_rec rec;
    /* The block being cut (a copy of what one feed call gave) and whether
     * the line being classified lies in it and stays there until the end
     * of the feed (so a record may point at it). */
    struct mt_buf blk;
    int line_in_block;
    /* The block is all ASCII: a line in it takes a cell a byte. */
    int block_ascii;
    const char *next_cr; /* the next CR in the block, or its end (line_end) */
};

static int is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* The characters of a Format-List label (a property name): letters,
 * digits, '_', '.' and '-'. A table, since every line that starts at
 * column 0 is read through its first word for it. */
static const unsigned char label_chars[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    /* 0x80 and up: 0 */};

static int is_label_char(unsigned char c)
{
    return label_chars[c];
}

/* Bytes of the blank at s[0..n): 1 for a space (or a tab when tabs is
 * set), 2 for U+00A0, which web pastes use for padding and indentation
 * (and which takes one column like a space); 0 when s is not blank. */
static size_t blank_at(const char *s, size_t n, int tabs)
{
    if (n >= 1 && (s[0] == ' ' || (tabs && s[0] == '\t'))) {
        return 1;
    }
    if (n >= 2 && (unsigned char)s[0] == 0xC2 &&
        (unsigned char)s[1] == 0xA0) {
        return 2;
    }
    return 0;
}

/* East Asian wide characters take two console cells; PowerShell wraps by
 * cells. Approximate ranges: CJK, Hangul, fullwidth forms, emoji. */
static int is_wide(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) ||
           (cp >= 0x1F300 && cp <= 0x1F64F) ||
           (cp >= 0x20000 && cp <= 0x3FFFD);
}

/* Bytes of ASCII at the start of s[0..n), counted 32 (SSE2) or 8 at a
 * time: a lower bound that stops at the block holding the first byte
 * >= 0x80. */
static size_t ascii_run(const char *s, size_t n)
{
    size_t i = 0;

#if defined(__SSE2__)
    while (i + 32 <= n) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i b =
            _mm_loadu_si128((const __m128i *)(const void *)(s + i + 16));
        if (_mm_movemask_epi8(_mm_or_si128(a, b)) != 0) {
            break;
        }
        i += 32;
    }
#endif
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if ((w & 0x8080808080808080ULL) != 0) {
            break;
        }
        i += 8;
    }
    return i;
}

/* Console cells that s[0..n) takes (invalid bytes count one each). */
static size_t cells(const char *s, size_t n)
{
    size_t i, c, k, j;
    unsigned char b;
    uint32_t cp;

    /* ASCII takes one cell a byte: skip it in blocks. */
    i = c = ascii_run(s, n);
    while (i < n) {
        b = (unsigned char)s[i];
        k = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        if (k == 1 || i + k > n) {
            c++;
            i++;
            continue;
        }
        cp = b & (0x7F >> k);
        for (j = 1; j < k; j++) {
            cp = (cp << 6) | ((unsigned char)s[i + j] & 0x3F);
        }
        c += is_wide(cp) ? 2 : 1;
        i += k;
    }
    return c;
}

/* Console cells of the line being classified (see cur_cells). */
static size_t line_cells(struct mt_splitter *sp)
{
    if (!sp->cur_cells_known) {
        sp->cur_cells = sp->line_in_block && sp->block_ascii
                            ? sp->cur_len
                            : cells(sp->cur_line, sp->cur_len);
        sp->cur_cells_known = 1;
    }
    return sp->cur_cells;
}

/* Whether s[0..n) is all ASCII. */
static int all_ascii(const char *s, size_t n)
{
    size_t i = ascii_run(s, n);

    while (i < n && (unsigned char)s[i] < 0x80) {
        i++;
    }
    return i == n;
}

/* The usual console widths (see the overview): 80 (conhost before
 * Windows 10, Out-File in a host without a console) and 120 (Windows 10
 * conhost). A character takes 1 or 2 cells and 1 to 4 bytes, so a line
 * of fewer bytes than the narrower or more than 4 times the wider never
 * fills one, and is not measured. */
#define ROW_NARROW 80
#define ROW_WIDE 120

static size_t row_of_cells(size_t c)
{
    return c == ROW_NARROW || c == ROW_WIDE ? c : 0;
}

static int may_fill_row(size_t bytes)
{
    return bytes >= ROW_NARROW && bytes <= 4 * ROW_WIDE;
}

/* The console width that the line being classified fills exactly, or 0. */
static size_t console_row(struct mt_splitter *sp)
{
    return may_fill_row(sp->cur_len) ? row_of_cells(line_cells(sp)) : 0;
}

/* The open record's line last added was the line being classified, of
 * which the text holds the last n bytes: its console row. Worked out
 * later (record_row) when the text ends with the whole line, since only
 * a next line that may continue the row asks, and most lines of a log
 * start a record of their own (a timestamp, a label); at once otherwise
 * (an indented segment, a line cut to the record limit). */
static void note_row(struct mt_splitter *sp, size_t n)
{
    struct open_rec *r = &sp->rec;

    r->row_len = 0;
    r->console_row = 0;
    if (!may_fill_row(sp->cur_len)) {
        return;
    }
    if (n == sp->cur_len && !sp->cur_cells_known &&
        !(sp->line_in_block && sp->block_ascii)) {
        r->row_len = n;
        return;
    }
    r->console_row = row_of_cells(line_cells(sp));
}

static void forget_row(struct open_rec *r)
{
    r->row_len = 0;
    r->console_row = 0;
}

/* The open record's console row (note_row), worked out if need be. */
static size_t record_row(struct open_rec *r)
{
    if (r->row_len > 0) {
        const char *t = r->borrow ? r->borrow : r->text.data;
        size_t len = r->borrow ? r->borrow_len : r->text.len;
        r->console_row = row_of_cells(cells(t + len - r->row_len,
                                            r->row_len));
        r->row_len = 0;
    }
    return r->console_row;
}

/* Length of the longest prefix of s[0..n) that is at most max bytes and
 * does not end inside a UTF-8 sequence. Backs off at most 3 bytes, so
 * invalid input cannot make it drop a whole line. */
static size_t utf8_prefix(const char *s, size_t n, size_t max)
{
    size_t k = max;
    int i = 0;

    if (n <= max) {
        return n;
    }
    while (k > 0 && i < 3 && is_cont((unsigned char)s[k])) {
        k--;
        i++;
    }
    if (is_cont((unsigned char)s[k])) {
        return max;
    }
    return k;
}

/* Matches "Label<pad> : value" or "Label<pad> :" at s[0..n): the label is
 * a property name (no spaces), then at least one blank, ':' and either a
 * blank or the end of the line. Sets the label length, the column
 * (characters) of the colon and where the value starts (bytes). */
static int match_label(const char *s, size_t n, size_t *label_len,
                       size_t *colon_col, size_t *value_off)
{
    size_t i = 0, j, k, col;

    while (i < n && is_label_char((unsigned char)s[i])) {
        i++;
    }
    if (i == 0) {
        return 0;
    }
    j = i;
    col = i;
    while ((k = blank_at(s + j, n - j, 0)) > 0) {
        j += k;
        col++;
    }
    if (j == i || j >= n || s[j] != ':') {
        return 0;
    }
    k = 1;
    if (j + 1 < n && (k = blank_at(s + j + 1, n - j - 1, 0)) == 0) {
        return 0;
    }
    *label_len = i;
    *colon_col = col;
    *value_off = j + 1 + k;
    return 1;
}

/* Matches an error record field, "    + Label<pad> : value", with any
 * indentation (pastes collapse it). Sets where "+ " starts; the label
 * length and value offset are relative to the label. */
static int match_error(const char *s, size_t n, size_t *plus,
                       size_t *label_len, size_t *value_off)
{
    size_t i = 0, colon_col;

    while (i < n && s[i] == ' ') {
        i++;
    }
    if (i + 2 >= n || s[i] != '+' || s[i + 1] != ' ') {
        return 0;
    }
    if (!match_label(s + i + 2, n - i - 2, label_len, &colon_col,
                     value_off)) {
        return 0;
    }
    *plus = i;
    return 1;
}

/* Copies a borrowed record text into the record's own buffer: before a
 * second line joins it, and before the block it points into is reused. */
static int materialise(struct open_rec *r)
{
    const char *s = r->borrow;

    if (s == NULL) {
        return 0;
    }
    r->borrow = NULL;
    mt_buf_reset(&r->text);
    return mt_buf_append(&r->text, s, r->borrow_len) != 0 ? MT_ENOMEM : 0;
}

/* Appends to the text and, once a join was ambiguous, to alt as well. */
static int put(struct mt_splitter *sp, const char *s, size_t n)
{
    struct open_rec *r = &sp->rec;

    if (materialise(r) != 0) {
        return MT_ENOMEM;
    }
    if (mt_buf_append(&r->text, s, n) != 0) {
        return MT_ENOMEM;
    }
    if (r->has_alt && mt_buf_append(&r->alt, s, n) != 0) {
        return MT_ENOMEM;
    }
    return 0;
}

/* An ambiguous join: text gets nothing, alt gets a space. alt starts as a
 * copy of the text at the first such join, so records without one cost
 * nothing. */
static int put_ambiguous(struct mt_splitter *sp)
{
    struct open_rec *r = &sp->rec;

    if (materialise(r) != 0) {
        return MT_ENOMEM;
    }
    if (!r->has_alt) {
        mt_buf_reset(&r->alt);
        if (mt_buf_append(&r->alt, r->text.data ? r->text.data : "",
                          r->text.len) != 0) {
            return MT_ENOMEM;
        }
        r->has_alt = 1;
    }
    if (mt_buf_appendc(&r->alt, ' ') != 0) {
        return MT_ENOMEM;
    }
    return 0;
}

static int emit(struct mt_splitter *sp, const struct mt_record *rec)
{
    int rc = sp->cfg.sink->record(sp->cfg.sink_ctx, rec);

    if (rc < 0) {
        sp->status = rc;
        return rc;
    }
    return 0;
}

/* Hands the open record (if any) to the sink and closes it. */
static int flush(struct mt_splitter *sp)
{
    struct open_rec *r = &sp->rec;
    struct mt_record rec;
    size_t len = r->borrow ? r->borrow_len : r->text.len;
    int in_block = r->borrow != NULL;

    if (!r->open) {
        return 0;
    }
    r->open = 0;
    memset(&rec, 0, sizeof(rec));
    rec.kind = r->kind;
    rec.flags = r->flags;
    rec.text = r->borrow ? r->borrow : r->text.data ? r->text.data : "";
    r->borrow = NULL;
    rec.len = len;
    if (r->has_alt) {
        rec.alt = r->alt.data;
        rec.alt_len = r->alt.len;
    }
    if (r->kind == MT_REC_FIELD && r->has_label) {
        /* A label line cut by max_record may end before its value. */
        rec.label = rec.text + (r->label_off < len ? r->label_off : len);
        rec.label_len = r->label_len;
        if (r->label_off + r->label_len > len) {
            rec.label_len = len - (r->label_off < len ? r->label_off : len);
        }
        rec.value = rec.text + (r->value_off < len ? r->value_off : len);
        rec.value_len = len - (size_t)(rec.value - rec.text);
    }
    rec.line = r->line;
    rec.last_line = r->last_line;
    if (in_block && sp->cfg.quiet != NULL &&
        sp->cfg.quiet(sp->cfg.block_ctx, &rec)) {
        return 0;
    }
    return emit(sp, &rec);
}

/* Opens a record with its first segment, cut to max_record if need be. */
static int start(struct mt_splitter *sp, enum mode mode,
                 enum mt_record_kind kind, const char *s, size_t n)
{
    struct open_rec *r = &sp->rec;
    size_t keep = utf8_prefix(s, n, sp->cfg.max_record);

    r->open = 1;
    r->mode = mode;
    r->kind = kind;
    r->flags = sp->cut ? MT_RECF_CUT : 0;
    if (keep < n) {
        r->flags |= MT_RECF_TRUNCATED;
    }
    r->has_label = 0;
    r->has_alt = 0;
    r->ndoubt = 0;
    r->prev_cells = r->mode == M_FIELD ? line_cells(sp) : 0;
    if ((mode == M_LINE || mode == M_FIELD) && keep == n) {
        note_row(sp, n);
    } else if (mode == M_LINE || mode == M_FIELD) {
        r->row_len = 0;
        r->console_row = console_row(sp);
    } else {
        forget_row(r);
    }
    r->line = sp->lines;
    r->last_line = sp->lines;
    r->borrow = NULL;
    if (sp->line_in_block && keep == n) {
        /* The line's end in the block is already its NUL; the text buffer
         * is reset when the record is copied there (materialise). */
        r->borrow = s;
        r->borrow_len = n;
        return 0;
    }
    mt_buf_reset(&r->text);
    return put(sp, s, keep);
}

/* Adds a continuation segment. joiner is 0 for a direct join, ' ' for a
 * join with one space; ambiguous direct joins also go into alt. When the
 * segment does not fit, the record is emitted as truncated and the segment
 * opens a new one that keeps the mode (and so the wrap rule). */
static int extend(struct mt_splitter *sp, const char *s, size_t n,
                  char joiner, int ambiguous)
{
    struct open_rec *r = &sp->rec;
    size_t need;
    enum mode mode = r->mode;
    int rc;

    if (materialise(r) != 0) {
        return MT_ENOMEM;
    }
    need = r->text.len + n + (joiner ? 1 : 0);
    if (need > sp->cfg.max_record) {
        r->flags |= MT_RECF_TRUNCATED;
        rc = flush(sp);
        if (rc < 0) {
            return rc;
        }
        return start(sp, mode, MT_REC_LINE, s, n);
    }
    if (joiner) {
        rc = put(sp, &joiner, 1);
    } else if (ambiguous) {
        rc = put_ambiguous(sp);
    } else {
        rc = 0;
    }
    if (rc == 0) {
        rc = put(sp, s, n);
    }
    if (sp->cut) {
        r->flags |= MT_RECF_CUT;
    }
    if (r->kind == MT_REC_LINE) {
        r->kind = MT_REC_ENTRY;
    }
    r->prev_cells = r->mode == M_FIELD ? line_cells(sp) : 0;
    r->last_line = sp->lines;
    return rc;
}

static int ends_blank(const struct mt_buf *b)
{
    return b->len > 0 &&
           (b->data[b->len - 1] == ' ' ||
            (b->len > 1 && (unsigned char)b->data[b->len - 2] == 0xC2 &&
             (unsigned char)b->data[b->len - 1] == 0xA0));
}

/* The line just added to a Format-List value is width cells wide: each
 * join in doubt after a narrower line gets the space it lacked in text
 * (alt has it already). Oldest first: each space inserted moves the
 * joins after it one byte on (shift), those settled now and those still
 * in doubt alike. */
static int fix_early_stops(struct mt_splitter *sp, size_t width)
{
    struct open_rec *r = &sp->rec;
    size_t shift = 0;
    int i, k = 0;

    for (i = 0; i < r->ndoubt; i++) {
        size_t off = r->doubt_off[i] + shift;
        if (r->doubt_cells[i] >= width) {
            r->doubt_off[k] = off; /* still in doubt */
            r->doubt_cells[k++] = r->doubt_cells[i];
            continue;
        }
        if (r->text.len + 1 > sp->cfg.max_record) {
            r->ndoubt = 0; /* the record is full: no space fits any more */
            return 0;
        }
        if (mt_buf_reserve(&r->text, r->text.len + 1) != 0) {
            return MT_ENOMEM;
        }
        memmove(r->text.data + off + 1, r->text.data + off,
                r->text.len - off + 1);
        r->text.data[off] = ' ';
        r->text.len++;
        shift++;
    }
    r->ndoubt = k;
    return 0;
}

/* A wrapped value continues (see the overview for the join). If the value
 * was empty so far ("Label :"), the text first gets the space the label
 * line lacks so that it reads "Label : value". */
static int extend_wrapped(struct mt_splitter *sp, const char *s, size_t n)
{
    struct open_rec *r = &sp->rec;
    size_t len;

    if (materialise(r) != 0) {
        return MT_ENOMEM;
    }
    len = r->text.len;
    if (r->has_label && len <= r->value_off) {
        if (len < r->value_off && len + 1 + n <= sp->cfg.max_record &&
            put(sp, " ", 1) != 0) {
            return MT_ENOMEM;
        }
        return extend(sp, s, n, 0, 0);
    }
    if (ends_blank(&r->text)) {
        return extend(sp, s, n, 0, 0);
    }
    if (r->mode == M_FIELD && r->prev_cells < sp->obj_width) {
        return extend(sp, s, n, ' ', 0);
    }
    if (r->mode == M_FIELD && r->ndoubt < MAX_DOUBTFUL_JOINS) {
        size_t off = r->text.len, before = r->prev_cells;
        int rc = extend(sp, s, n, 0, 1);
        /* (A record cut at max_record restarts on this line: no join.) */
        if (rc == 0 && r->line != sp->lines && r->text.len > off) {
            r->doubt_off[r->ndoubt] = off;
            r->doubt_cells[r->ndoubt++] = before;
        }
        return rc;
    }
    return extend(sp, s, n, 0, 1);
}

static int start_field(struct mt_splitter *sp, enum mode mode,
                       const char *s, size_t n, size_t label_off,
                       size_t label_len, size_t value_off, size_t col)
{
    struct open_rec *r = &sp->rec;
    int rc = start(sp, mode, MT_REC_FIELD, s, n);

    if (rc < 0) {
        return rc;
    }
    r->has_label = 1;
    r->label_off = label_off;
    r->label_len = label_len;
    r->value_off = value_off;
    r->col = col;
    return 0;
}

static int emit_blank(struct mt_splitter *sp)
{
    struct mt_record rec;

    memset(&rec, 0, sizeof(rec));
    rec.kind = MT_REC_BLANK;
    rec.flags = sp->cut ? MT_RECF_CUT : 0;
    rec.text = "";
    rec.line = sp->lines;
    rec.last_line = sp->lines;
    return emit(sp, &rec);
}

static size_t count_digits(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && s[i] >= '0' && s[i] <= '9') {
        i++;
    }
    return i;
}

/* Where a leading date and time end in s[0..n) ("1/19/2015 2:07:44 PM",
 * "2024.01.31 20:44:19", "2021-03-29T15:32:27": dotted, slashed or ISO
 * dates, 12- or 24-hour clocks), or 0 when s does not start with both. */
static size_t stamp_end(const char *s, size_t n)
{
    size_t i = count_digits(s, n), k;
    char sep;

    if (i < 1 || i > 4 || i >= n) {
        return 0;
    }
    sep = s[i];
    if (sep != '/' && sep != '.' && sep != '-') {
        return 0;
    }
    k = count_digits(s + i + 1, n - i - 1);
    i += 1 + k;
    if (k < 1 || i >= n || s[i] != sep) {
        return 0;
    }
    k = count_digits(s + i + 1, n - i - 1);
    i += 1 + k;
    if (k < 1 || i >= n || (s[i] != ' ' && s[i] != 'T')) {
        return 0;
    }
    k = count_digits(s + i + 1, n - i - 1);
    i += 1 + k;
    if (k < 1 || i >= n || s[i] != ':') {
        return 0;
    }
    while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == ':')) {
        i++;
    }
    if (i + 3 <= n && s[i] == ' ' && (s[i + 1] == 'A' || s[i + 1] == 'P') &&
        s[i + 2] == 'M') {
        i += 3;
    }
    return i;
}

/* Whether s starts like a move report entry, "1/19/2015 2:07:44 PM [SRV]"
 * (also 24-hour clocks and dotted or ISO dates). Report values list one
 * entry per line at the value column: such a line starts a new record
 * instead of continuing the previous entry. */
static int starts_entry(const char *s, size_t n)
{
    size_t i = stamp_end(s, n);

    return i > 0 && i + 1 < n && s[i] == ' ' &&
           (s[i + 1] == '[' || s[i + 1] == '(');
}

/* Whether s starts with a date and a time, as move report entries, HCW
 * and IIS log lines and transcripts' own stamps do: a log line of its
 * own, never the rest of a wrapped console row. */
static int starts_stamp(const char *s, size_t n)
{
    return stamp_end(s, n) > 0;
}

/* Classifies one complete line (number sp->lines) against the open
 * record. The order matters: an error field is recognised before a
 * continuation, a continuation of exactly the value column before a new
 * label line, and both before the looser indented-line rule. */
static int take_line(struct mt_splitter *sp, const char *s, size_t n)
{
    struct open_rec *r = &sp->rec;
    size_t ind = 0, ind_col = 0, k, plus, label_len, value_off, colon_col;
    int tab = 0, rc;

    while ((k = blank_at(s + ind, n - ind, 1)) > 0) {
        tab |= s[ind] == '\t';
        ind += k;
        ind_col++;
    }
    if (ind == n) {
        sp->obj_width = 0;
        rc = flush(sp);
        return rc < 0 ? rc : emit_blank(sp);
    }
    sp->cur_line = s;
    sp->cur_len = n;
    sp->cur_cells_known = 0;
    if (match_error(s, n, &plus, &label_len, &value_off)) {
        rc = flush(sp);
        if (rc < 0) {
            return rc;
        }
        /* Text keeps "+ Label : value", without the indentation. */
        return start_field(sp, M_ERROR, s + plus, n - plus, 2, label_len,
                           value_off + 2, 3);
    }
    if (r->open && r->mode == M_FIELD && !tab && ind_col == r->col &&
        starts_entry(s + ind, n - ind)) {
        size_t col = r->col;
        rc = flush(sp);
        if (rc < 0) {
            return rc;
        }
        rc = start(sp, M_FIELD, MT_REC_LINE, s + ind, n - ind);
        r->col = col; /* its own wraps continue at the same column */
        return rc;
    }
    if (r->open && (r->mode == M_FIELD || r->mode == M_ERROR) && !tab &&
        ind_col == r->col) {
        forget_row(r);
        rc = extend_wrapped(sp, s + ind, n - ind);
        if (rc == 0 && r->mode == M_FIELD && r->ndoubt > 0) {
            rc = fix_early_stops(sp, line_cells(sp));
        }
        if (r->mode == M_FIELD && line_cells(sp) > sp->obj_width) {
            sp->obj_width = sp->cur_cells;
        }
        return rc;
    }
    if (match_label(s + ind, n - ind, &label_len, &colon_col, &value_off)) {
        rc = flush(sp);
        if (rc < 0) {
            return rc;
        }
        if (line_cells(sp) > sp->obj_width) {
            sp->obj_width = sp->cur_cells;
        }
        return start_field(sp, M_FIELD, s + ind, n - ind, 0, label_len,
                           value_off, ind_col + colon_col + 2);
    }
    if (ind == 0) {
        size_t row;
        if (r->open && (r->mode == M_LINE || r->mode == M_FIELD) &&
            (r->row_len > 0 || r->console_row > 0) &&
            (row = record_row(r)) > 0 &&
            (n <= row || line_cells(sp) <= row) && !starts_stamp(s, n)) {
            /* A row that ends in a blank broke at a word: certain. */
            if (materialise(r) != 0) {
                return MT_ENOMEM;
            }
            rc = extend(sp, s, n, 0, !ends_blank(&r->text));
            if ((r->borrow ? r->borrow_len : r->text.len) >= n) {
                note_row(sp, n); /* the text ends with this line */
            } else {
                r->row_len = 0; /* restarted on it, cut to the limit */
                r->console_row = console_row(sp);
            }
            return rc;
        }
        rc = flush(sp);
        return rc < 0 ? rc : start(sp, M_LINE, MT_REC_LINE, s, n);
    }
    if (r->open && r->mode != M_ALONE) {
        forget_row(r);
        return extend(sp, s + ind, n - ind, ' ', 0);
    }
    rc = flush(sp);
    return rc < 0 ? rc : start(sp, M_ALONE, MT_REC_LINE, s + ind, n - ind);
}

/* A line end was seen (or finish found an unterminated line). */
static int end_line(struct mt_splitter *sp)
{
    int rc;

    sp->lines++;
    if (sp->cut) {
        sp->cut_lines++;
    }
    rc = take_line(sp, sp->line.data ? sp->line.data : "", sp->line.len);
    mt_buf_reset(&sp->line);
    sp->in_line = 0;
    sp->skipping = 0;
    sp->cut = 0;
    return rc;
}

/* Adds bytes of the current line; past max_line they are only counted,
 * so memory stays bounded however long the line is. */
static int add_bytes(struct mt_splitter *sp, const char *s, size_t n)
{
    size_t room, keep;

    sp->in_line = 1;
    if (sp->skipping) {
        return 0;
    }
    room = sp->cfg.max_line - sp->line.len;
    if (n <= room) {
        return mt_buf_append(&sp->line, s, n) != 0 ? MT_ENOMEM : 0;
    }
    if (mt_buf_append(&sp->line, s, room) != 0) {
        return MT_ENOMEM;
    }
    /* s[room] is the first dropped byte; if it continues a sequence, the
     * start of that sequence (already in the buffer) is dropped too. */
    if (is_cont((unsigned char)s[room])) {
        keep = sp->line.len;
        while (keep > 0 && sp->line.len - keep < 3 &&
               is_cont((unsigned char)sp->line.data[keep - 1])) {
            keep--;
        }
        if (keep > 0 && !is_cont((unsigned char)sp->line.data[keep - 1])) {
            sp->line.len = keep - 1;
            sp->line.data[sp->line.len] = '\0';
        }
    }
    sp->skipping = 1;
    sp->cut = 1;
    return 0;
}

struct mt_splitter *mt_splitter_new(const struct mt_split_config *cfg)
{
    struct mt_splitter *sp;

    if (cfg == NULL || cfg->sink == NULL || cfg->sink->record == NULL) {
        return NULL;
    }
    sp = mt_calloc(1, sizeof(*sp));
    if (sp == NULL) {
        return NULL;
    }
    sp->cfg = *cfg;
    /* Zero means "the default", so a caller cannot make every line empty
     * by leaving a limit unset. */
    if (sp->cfg.max_line == 0) {
        sp->cfg.max_line = MT_MAX_LINE;
    }
    if (sp->cfg.max_record == 0) {
        sp->cfg.max_record = MT_MAX_RECORD;
    }
    mt_buf_init(&sp->line, 0);
    mt_buf_init(&sp->rec.text, 0);
    mt_buf_init(&sp->rec.alt, 0);
    mt_buf_init(&sp->blk, 0);
    return sp;
}

/* The first CR or LF in [p, end), or end. Two memchr calls (vectorised
 * in libc) beat a byte loop. The next CR is kept (sp->next_cr, within the
 * block being cut) and looked for again only once p has passed it: in
 * CRLF text it sits just before each LF, and text with LF line ends is
 * searched for CR once a block instead of once a line. */
static const char *line_end(struct mt_splitter *sp, const char *p,
                            const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *stop = nl != NULL ? nl : end;

    if (sp->next_cr <= p) {
        const char *cr = memchr(p, '\r', (size_t)(end - p));
        sp->next_cr = cr != NULL ? cr : end;
    }
    return sp->next_cr < stop ? sp->next_cr : stop;
}

/* A complete line that lies in the block: classified where it is, its
 * line end (already consumed) overwritten with the NUL its record needs,
 * so that a record of this line alone needs no copy. */
static int take_block_line(struct mt_splitter *sp, char *s, size_t n)
{
    int rc;

    s[n] = '\0';
    sp->lines++;
    sp->line_in_block = 1;
    rc = take_line(sp, s, n);
    sp->line_in_block = 0;
    return rc;
}

/* Cuts the block [p, end) into lines. Lines wholly inside it are taken in
 * place; the rest (the end of a line begun in an earlier feed, a line
 * longer than the line limit, the unfinished last line) are gathered in
 * sp->line as the bytes come, and cut there when the limit says so. */
static int cut_block(struct mt_splitter *sp, char *p, char *end)
{
    char *q;
    int rc;

    sp->next_cr = p; /* not looked for yet */
    while (p < end) {
        /* A CR at the end of the previous chunk may be half of a CRLF. */
        if (sp->pending_cr) {
            sp->pending_cr = 0;
            if (*p == '\n') {
                p++;
                continue;
            }
        }
        q = (char *)line_end(sp, p, end);
        if (q < end && !sp->in_line && (size_t)(q - p) <= sp->cfg.max_line) {
            sp->pending_cr = *q == '\r';
            rc = take_block_line(sp, p, (size_t)(q - p));
            if (rc < 0) {
                return rc;
            }
            p = q + 1;
            continue;
        }
        if (q > p) {
            rc = add_bytes(sp, p, (size_t)(q - p));
            if (rc < 0) {
                return rc;
            }
        }
        if (q == end) {
            break;
        }
        sp->pending_cr = *q == '\r';
        p = q + 1;
        rc = end_line(sp);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static int feed_block(struct mt_splitter *sp, char *blk, size_t n);

int mt_splitter_feed(struct mt_splitter *sp, const char *text, size_t n)
{
    if (sp == NULL || (text == NULL && n > 0)) {
        return MT_EMISUSE;
    }
    if (sp->status < 0) {
        return sp->status;
    }
    if (n == 0) {
        return 0;
    }
    /* One copy a block (the caller's text is const and may be reused):
     * records of one line then point into it. */
    mt_buf_reset(&sp->blk);
    if (mt_buf_append(&sp->blk, text, n) != 0) {
        sp->status = MT_ENOMEM;
        return MT_ENOMEM;
    }
    return feed_block(sp, sp->blk.data, n);
}

int mt_splitter_feed_in_place(struct mt_splitter *sp, char *text, size_t n)
{
    if (sp == NULL || (text == NULL && n > 0)) {
        return MT_EMISUSE;
    }
    if (sp->status < 0) {
        return sp->status;
    }
    return n == 0 ? 0 : feed_block(sp, text, n);
}

/* Announces the block, cuts it, and ends it: by then no record points
 * into it any more. */
static int feed_block(struct mt_splitter *sp, char *blk, size_t n)
{
    int rc;

    if (sp->cfg.block != NULL) {
        sp->cfg.block(sp->cfg.block_ctx, blk, n);
    }
    /* One pass over the block spares measuring its lines in cells. */
    sp->block_ascii = all_ascii(blk, n);
    rc = cut_block(sp, blk, blk + n);
    /* The record still open may point into the block, which the next
     * feed overwrites. */
    if (materialise(&sp->rec) != 0 && rc == 0) {
        rc = MT_ENOMEM;
    }
    if (sp->cfg.block != NULL) {
        sp->cfg.block(sp->cfg.block_ctx, NULL, 0);
    }
    if (rc < 0) {
        sp->status = rc;
    }
    return rc;
}

int mt_splitter_finish(struct mt_splitter *sp)
{
    int rc;

    if (sp == NULL) {
        return MT_EMISUSE;
    }
    if (sp->status < 0) {
        return sp->status;
    }
    sp->pending_cr = 0;
    if (sp->in_line) {
        rc = end_line(sp);
        if (rc < 0) {
            sp->status = rc;
            return rc;
        }
    }
    rc = flush(sp);
    if (rc < 0) {
        sp->status = rc;
    }
    return rc;
}

uint64_t mt_splitter_lines(const struct mt_splitter *sp)
{
    return sp ? sp->lines : 0;
}

uint64_t mt_splitter_cut_lines(const struct mt_splitter *sp)
{
    return sp ? sp->cut_lines : 0;
}

void mt_splitter_free(struct mt_splitter *sp)
{
    if (sp == NULL) {
        return;
    }
    mt_buf_free(&sp->line);
    mt_buf_free(&sp->rec.text);
    mt_buf_free(&sp->rec.alt);
    mt_buf_free(&sp->blk);
    mt_free(sp);
}
