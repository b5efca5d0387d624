/* scan.h: the state of one top-level input's scan, shared by every stage
 * that reads it: limits, decompression accounting for zip-bomb checks, the
 * worst status seen, and where records go. */
#ifndef MT_SCAN_H
#define MT_SCAN_H

#include "migtriage.h"
#include "mt_limits.h"
#include "record.h"

#include <stdint.h>

struct mt_stream;
struct mt_buf;
struct mt_matcher;

struct mt_scan {
    mt_message_fn message;      /* where input messages go (may be NULL) */
    void *message_ctx;
    const uint64_t *limits;     /* indexed by enum mt_limit */
    uint64_t raw_bytes;         /* bytes pulled from the top-level source */
    uint64_t expanded_bytes;    /* bytes produced by decompressing streams */
    uint64_t records;
    uint64_t documents;         /* text streams scanned */
    int status;                 /* worst: MT_OK, MT_WARN or MT_EINPUT */
    int aborted;                /* a hard limit tripped: stop reading */
    int no_readahead;           /* a pool worker: its cores are taken */
    /* Set (to the sink's matcher) when this scan may use two threads: a
     * long plain-text document is then decoded and block-prefiltered on
     * a second thread while this one makes its records (pipeline.h). */
    struct mt_matcher *pipeline;
    uint64_t pipelined; /* documents that were read on two threads */
    struct mt_buf *text_out;    /* set: decoded text goes here, not to
                                   the format readers and the sink */
    const struct mt_sink_ops *sink;
    void *sink_ctx;
    /* Optional, called with sink_ctx: the plain-text reader announces each
     * block of text it cuts into records (NULL, 0 when the block is done),
     * so that the matcher scans the block once (mt_matcher_block). */
    void (*block)(void *sink_ctx, const char *text, size_t n);
    /* Optional, with block: takes a record of one line of the block that
     * nothing in the block scan lies in, without the sink (see
     * mt_split_config.quiet); returns 0 to leave it to the sink. */
    int (*quiet)(void *sink_ctx, const struct mt_record *r);
};

/* Reports something about an input (origin is the full path, archive
 * members joined with '!'). Raises scan->status: warnings to MT_WARN,
 * errors to MT_EINPUT. */
void mt_scan_message(struct mt_scan *scan, enum mt_msg_level level,
                     const char *origin, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Replaces where the scan's messages go (under the lock messages are
 * sent with, so a thread sending one meanwhile sees either), and gives
 * back the previous destination when old_fn is not NULL. */
void mt_scan_redirect_messages(struct mt_scan *scan, mt_message_fn fn,
                               void *ctx, mt_message_fn *old_fn,
                               void **old_ctx);

/* Called by decompressing streams for every chunk they produce. Returns 0,
 * or MT_EINPUT when the expanded-bytes or ratio limit is exceeded (then the
 * caller stops, sets its errmsg, and scan->aborted is set). */
int mt_scan_account_expansion(struct mt_scan *scan, size_t produced);
/* Writes the reason a stream stops after mt_scan_account_expansion()
 * failed ("expands beyond the limit ... possible zip bomb") into buf. */
void mt_scan_expansion_reason(const struct mt_scan *scan, char *buf,
                              size_t cap);

/* Decodes one stream of unknown content: peeks, lets decoders bid (gzip,
 * archive formats, text encodings), stacks them and recurses into archive
 * members, until text reaches the sink. origin names the stream; depth is
 * the number of decoders above it. Returns the worst status. */
/* Fills l (MT_LIMIT_COUNT_ entries) with the defaults of mt_limits.h:
 * the one table of them, for the engine and for tests that scan without
 * one. */
void mt_limits_defaults(uint64_t *l);

/* Sets a scan up with limits and a sink; counters zeroed. */
void mt_scan_init(struct mt_scan *scan, const uint64_t *limits,
                  const struct mt_sink_ops *sink, void *sink_ctx,
                  mt_message_fn message, void *message_ctx);

int mt_decode_stream(struct mt_scan *scan, struct mt_stream *in,
                     const char *origin, int depth);

#endif
