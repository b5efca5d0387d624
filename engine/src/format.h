/* format.h: readers for the shapes migration evidence comes in. After the
 * decoders have turned a stream into UTF-8 text, the readers bid on its
 * first bytes (never on the file name) and the winner turns the text into
 * records for scan->sink:
 *   plain   lines and Format-List / error-record / entry re-joining (split.c)
 *   clixml  Export-Clixml documents (and "#< CLIXML" stderr pastes)
 *   csv     Export-Csv / ConvertTo-Csv and migration-batch reports
 *   json    ConvertTo-Json output
 * Structured readers emit what a Format-List of the same object would give:
 * one MT_REC_FIELD record "Name : value" per property and an MT_REC_BLANK
 * after each object, so context signatures (Identity, DisplayName,
 * BatchName, EmailAddress ...) and the per-object context rules apply to
 * every format alike. */
#ifndef MT_FORMAT_H
#define MT_FORMAT_H

#include <stddef.h>

#include "scan.h"
#include "util.h"

struct mt_format_reader;

struct mt_format_ops {
    const char *name;
    /* Looks at the start of the text (at most MT_FORMAT_PEEK bytes, fewer
     * when the document is shorter; valid UTF-8, BOM removed) and returns
     * how sure it is that the text is its format: 0 = not mine, 100 =
     * certain (a CliXML root element with the PowerShell namespace). */
    int (*bid)(const char *text, size_t n);
    /* Creates a reader that sends records to scan->sink. The caller calls
     * sink->begin before the first feed and sink->end after finish. */
    struct mt_format_reader *(*open)(struct mt_scan *scan,
                                     const char *origin);
    /* Feeds UTF-8 text in chunks of any size (may split characters).
     * Returns 0, or the negative status a sink returned (stop feeding). */
    int (*feed)(struct mt_format_reader *r, const char *text, size_t n);
    /* End of the document: flushes what is pending. A reader that finds
     * the document malformed (truncated XML, a broken RefId, a CSV with an
     * unbalanced quote) reports it once with mt_scan_message(ERROR), keeps
     * every record it could read, and returns 0. */
    int (*finish)(struct mt_format_reader *r);
    void (*free)(struct mt_format_reader *r);
};

/* Bytes of text the readers bid on. */
#define MT_FORMAT_PEEK 4096

/* Builds the FIELD record "label : value" in buf (as Format-List shows a
 * property) and points rec's text, label and value into it; other fields
 * of rec are left as they are. Returns 0 or MT_ENOMEM. */
int mt_format_field(struct mt_buf *buf, const char *label, size_t llen,
                    const char *value, size_t vlen, struct mt_record *rec);

/* Returns the reader that bids highest on text (plain when nobody bids). */
const struct mt_format_ops *mt_format_choose(const char *text, size_t n);

extern const struct mt_format_ops mt_format_plain;
/* The plain reader's feed for a block it may cut in place (writable, the
 * caller's until the call returns): no copy (mt_splitter_feed_in_place). */
int mt_format_plain_feed_in_place(struct mt_format_reader *r, char *text,
                                  size_t n);
extern const struct mt_format_ops mt_format_clixml;
extern const struct mt_format_ops mt_format_csv;
extern const struct mt_format_ops mt_format_json;

#endif
