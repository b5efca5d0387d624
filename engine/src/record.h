/* record.h: what the text stages hand to the matcher. A record is one
 * logical unit of text: a line, a Format-List value re-joined from its
 * wrapped continuation lines, or an entry with its indented continuation
 * (stack trace). Records are valid for the duration of the callback. */
#ifndef MT_RECORD_H
#define MT_RECORD_H

#include <stddef.h>
#include <stdint.h>

enum mt_record_kind {
    MT_REC_LINE = 0,  /* a plain line */
    MT_REC_FIELD = 1, /* "Label : value" (Format-List), value re-joined */
    MT_REC_ENTRY = 2, /* a line with continuation lines joined to it */
    MT_REC_BLANK = 3  /* an empty line: ends a Format-List object */
};

#define MT_RECF_CUT 0x1u       /* a line in it was longer than the limit */
#define MT_RECF_TRUNCATED 0x2u /* the record hit the record-size limit */

/* A name/value pair that the input format itself tells about a record
 * (an HCW line's Cmdlet= or Activity=, a CSV row's mailbox column). */
struct mt_record_ctx {
    const char *name;
    const char *value;
    size_t value_len;
};

struct mt_record {
    enum mt_record_kind kind;
    unsigned flags;
    /* UTF-8, NUL-terminated, no line ends. Continuation lines are appended
     * as the wrap rule of the input says (mid-word wraps joined directly). */
    const char *text;
    size_t len;
    /* When some joins were ambiguous (a wrap at a word boundary whose
     * trailing space was trimmed, or a mid-word break), alt holds the text
     * with a space at those joins; else NULL. Matchers try both. */
    const char *alt;
    size_t alt_len;
    /* MT_REC_FIELD: the label and the value (both point into text). */
    const char *label;
    size_t label_len;
    const char *value;
    size_t value_len;
    uint64_t line;      /* first line, 1-based */
    uint64_t last_line; /* last line it spans */
    /* Context from the format (may be NULL/0): findings of this record
     * carry it, ahead of the document's context. */
    const struct mt_record_ctx *ctx;
    size_t nctx;
    /* Context that costs parsing to find (an HCW line's bracket): asked
     * for only when the record has a finding. Fills at most max pairs
     * pointing into the record or static strings; may be NULL. */
    size_t (*context_of)(const struct mt_record *r, struct mt_record_ctx *out,
                         size_t max);
};

/* Where records go: begin/end bracket one text document (a file or archive
 * member); record returns 0 to go on or a negative mt_status to stop. */
struct mt_sink_ops {
    int (*begin)(void *ctx, const char *origin);
    int (*record)(void *ctx, const struct mt_record *r);
    void (*end)(void *ctx);
};

#endif
