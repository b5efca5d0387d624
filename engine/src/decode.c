/* decode.c: the dispatcher. Peeks at a stream, lets the decoders bid on
 * its first bytes (never its name), and stacks the winner: gzip recurses,
 * archives walk their members, everything else is text. */
#include "decode.h"

#include "util.h"

#include <string.h>

struct decoder {
    const char *name;
    int (*bid)(const unsigned char *p, size_t n);
    int (*run)(struct mt_scan *scan, struct mt_stream *in,
               const char *origin, int depth);
};

static int run_gzip(struct mt_scan *scan, struct mt_stream *in,
                    const char *origin, int depth)
{
    struct mt_stream *gz = mt_gzip_open(in);
    int rc;

    if (gz == NULL) {
        mt_scan_message(scan, MT_MSG_ERROR, origin, "out of memory");
        return MT_EINPUT;
    }
    mt_gzip_set_origin(gz, origin);
    /* A filter adds no name: file.gz reads as file.gz:LINE. */
    rc = mt_decode_stream(scan, gz, origin, depth + 1);
    mt_stream_free(gz);
    return rc;
}

static int run_archive(struct mt_scan *scan, struct mt_stream *in,
                       const char *origin, int depth)
{
    return mt_archive_scan(scan, in, origin, depth);
}

static int run_text(struct mt_scan *scan, struct mt_stream *in,
                    const char *origin, int depth)
{
    (void)depth;
    return mt_text_scan(scan, in, origin);
}

static const struct decoder decoders[] = {
    {"gzip", mt_gzip_bid, run_gzip},
    {"archive", mt_archive_bid, run_archive},
};

static const struct decoder text_decoder = {"text", NULL, run_text};

int mt_decode_stream(struct mt_scan *scan, struct mt_stream *in,
                     const char *origin, int depth)
{
    const struct decoder *best = &text_decoder;
    struct mt_stream *replay = NULL;
    unsigned char *peek = NULL;
    ptrdiff_t n;
    size_t i;
    int bid, best_bid = 0;
    int before = scan->status;
    int rc;

    if (depth < 0 || (uint64_t)depth > scan->limits[MT_LIMIT_DEPTH]) {
        mt_scan_message(scan, MT_MSG_ERROR, origin,
                        "nested deeper than %d decoders; skipped",
                        (int)scan->limits[MT_LIMIT_DEPTH]);
        return MT_EINPUT;
    }
    if (scan->aborted) {
        return MT_EINPUT;
    }
    peek = mt_malloc(MT_PEEK);
    if (peek == NULL) {
        mt_scan_message(scan, MT_MSG_ERROR, origin, "out of memory");
        return MT_EINPUT;
    }
    n = mt_stream_read_full(in, peek, MT_PEEK);
    if (n < 0) {
        mt_scan_message(scan, MT_MSG_ERROR, origin, "%s", in->errmsg);
        rc = MT_EINPUT;
        goto done;
    }
    for (i = 0; i < sizeof(decoders) / sizeof(decoders[0]); i++) {
        bid = decoders[i].bid(peek, (size_t)n);
        if (bid > best_bid) {
            best_bid = bid;
            best = &decoders[i];
        }
    }
    replay = mt_stream_prefixed(in, peek, (size_t)n);
    if (replay == NULL) {
        mt_scan_message(scan, MT_MSG_ERROR, origin, "out of memory");
        rc = MT_EINPUT;
        goto done;
    }
    mt_free(peek);
    peek = NULL;
    rc = best->run(scan, replay, origin, depth);
done:
    mt_stream_free(replay);
    mt_free(peek);
    /* Messages raised on the way (a filter's warning) count as well. */
    if (scan->status < before && scan->status < rc) {
        rc = scan->status;
    }
    return rc;
}
