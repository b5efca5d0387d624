/* split.h: turns a stream of UTF-8 text into records. Lines end at LF,
 * CRLF or a lone CR. Lines longer than the line limit are cut (the rest up
 * to the next line end is dropped and the record flagged MT_RECF_CUT).
 * Lines are then joined into records by the wrap rules of the inputs:
 *  - Format-List: "Label<pad> : value"; a following line that starts with
 *    exactly (column of ':' + 2) spaces continues the value, often mid-word.
 *  - Error records: "    + CategoryInfo          : ..."; continuation lines
 *    are indented 3 spaces and break mid-word.
 *  - Entries: a line followed by more-indented lines (stack traces, HCW
 *    continuation) becomes one MT_REC_ENTRY, lines joined with a space.
 * Blank lines are passed on as MT_REC_BLANK (object boundaries). */
#ifndef MT_SPLIT_H
#define MT_SPLIT_H

#include "record.h"

#include <stddef.h>
#include <stdint.h>

struct mt_splitter;

struct mt_split_config {
    size_t max_line;   /* MT_LIMIT_LINE_BYTES */
    size_t max_record; /* MT_LIMIT_RECORD_BYTES */
    const struct mt_sink_ops *sink;
    void *sink_ctx;
    /* Optional: told of each block of text before its records are cut
     * (text, n) and after (NULL, 0). A record made of one whole line of
     * the block points into text (no copy), so a block-wide prefilter scan
     * covers it (mt_matcher_block); other records are copies. */
    void (*block)(void *block_ctx, const char *text, size_t n);
    void *block_ctx;
    /* Optional, with block: asked first about each record of one whole
     * line of the block (no copy, no join). Returns 1 when nothing the
     * block scan found lies in it and it was counted as a record that
     * matches nothing (then the sink does not see it), 0 to hand it to
     * the sink as usual. Most lines of a log end here. */
    int (*quiet)(void *block_ctx, const struct mt_record *r);
};

struct mt_splitter *mt_splitter_new(const struct mt_split_config *cfg);
/* Feeds valid UTF-8 (may end mid-line or mid-character). The text is
 * copied once into the splitter's block; the complete lines in it are then
 * cut in place (each line end becomes the NUL of the record before it).
 * Returns 0, or the negative status a sink returned (then stop feeding). */
int mt_splitter_feed(struct mt_splitter *sp, const char *text, size_t n);
/* The same for text the splitter may cut where it lies, with no copy:
 * writable, and left alone by everyone else until the call returns (a
 * decoded block its caller owns; the two-thread scan's, pipeline.h). */
int mt_splitter_feed_in_place(struct mt_splitter *sp, char *text, size_t n);
/* Flushes the last line and record. */
int mt_splitter_finish(struct mt_splitter *sp);
uint64_t mt_splitter_lines(const struct mt_splitter *sp);
uint64_t mt_splitter_cut_lines(const struct mt_splitter *sp);
void mt_splitter_free(struct mt_splitter *sp);

#endif
