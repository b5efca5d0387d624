/* decode_gz.c: the gzip filter stream (zlib), multi-member aware, with
 * every produced chunk charged to the scan's zip-bomb accounting. */
#include "stream.h"

#include "scan.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#define GZ_IN (64 * 1024)

enum gz_phase {
    GZ_MEMBER = 0, /* inflating a member */
    GZ_BETWEEN = 1, /* a member ended: another, padding or garbage next */
    GZ_DONE = 2
};

struct gz_state {
    z_stream z;
    enum gz_phase phase;
    int eof; /* upstream has ended */
    const char *origin;
    unsigned char in[GZ_IN];
};

int mt_gzip_bid(const unsigned char *p, size_t n)
{
    if (n < 3 || p[0] != 0x1f || p[1] != 0x8b || p[2] != 8) {
        return 0;
    }
    if (n < 4) {
        return 24;
    }
    /* The top three flag bits are reserved and zero in real gzip data. */
    return (p[3] & 0xe0) ? 0 : 27;
}

void mt_gzip_set_origin(struct mt_stream *gz, const char *origin)
{
    struct gz_state *st = gz->state;

    st->origin = origin;
}

/* Moves what is left of the input to the front and reads more after it.
 * Returns bytes added, 0 at end of upstream, or MT_EINPUT. */
static ptrdiff_t refill(struct mt_stream *s, struct gz_state *st)
{
    ptrdiff_t n;

    if (st->z.avail_in && st->z.next_in != st->in) {
        memmove(st->in, st->z.next_in, st->z.avail_in);
    }
    st->z.next_in = st->in;
    n = mt_stream_read(s->upstream, st->in + st->z.avail_in,
                       sizeof(st->in) - st->z.avail_in);
    if (n < 0) {
        memcpy(s->errmsg, s->upstream->errmsg, sizeof(s->errmsg));
        return MT_EINPUT;
    }
    if (n == 0) {
        st->eof = 1;
    }
    st->z.avail_in += (uInt)n;
    return n;
}

/* After a member: zero padding ends the data silently, the gzip magic
 * starts another member, anything else is reported and ignored. Returns
 * 0 to go on, 1 when done, MT_EINPUT on a read error. */
static int between(struct mt_stream *s, struct gz_state *st)
{
    for (;;) {
        while (st->z.avail_in && st->z.next_in[0] == 0) {
            st->z.next_in++;
            st->z.avail_in--;
        }
        if ((st->z.avail_in == 0 ||
             (st->z.avail_in == 1 && st->z.next_in[0] == 0x1f)) &&
            !st->eof) {
            if (refill(s, st) < 0) {
                return MT_EINPUT;
            }
            continue;
        }
        break;
    }
    if (st->z.avail_in == 0) {
        return 1;
    }
    if (st->z.avail_in >= 2 && st->z.next_in[0] == 0x1f &&
        st->z.next_in[1] == 0x8b) {
        inflateReset(&st->z);
        st->phase = GZ_MEMBER;
        return 0;
    }
    if (s->scan) {
        mt_scan_message(s->scan, MT_MSG_WARNING,
                        st->origin ? st->origin : "",
                        "trailing garbage after gzip data ignored");
    }
    return 1;
}

static ptrdiff_t gz_read(struct mt_stream *s, void *buf, size_t cap)
{
    struct gz_state *st = s->state;
    size_t produced;
    int ret;

    if (cap > UINT_MAX) {
        cap = UINT_MAX;
    }
    st->z.next_out = buf;
    st->z.avail_out = (uInt)cap;
    while (st->z.avail_out > 0 && st->phase != GZ_DONE) {
        if (st->phase == GZ_BETWEEN) {
            ret = between(s, st);
            if (ret < 0) {
                goto fail;
            }
            if (ret == 1) {
                st->phase = GZ_DONE;
            }
            continue;
        }
        if (st->z.avail_in == 0) {
            if (st->eof) {
                snprintf(s->errmsg, sizeof(s->errmsg),
                         "truncated gzip data (ended after %llu bytes of "
                         "output)",
                         (unsigned long long)(s->bytes_out + cap -
                                              st->z.avail_out));
                goto fail;
            }
            if (refill(s, st) < 0) {
                goto fail;
            }
            continue;
        }
        produced = st->z.avail_out;
        ret = inflate(&st->z, Z_NO_FLUSH);
        produced -= st->z.avail_out;
        if (produced && s->scan &&
            mt_scan_account_expansion(s->scan, produced) != 0) {
            unsigned long long raw = s->scan->raw_bytes;
            snprintf(s->errmsg, sizeof(s->errmsg),
                     "expands beyond the limit (%llu bytes, ratio %llu): "
                     "possible zip bomb; stopped",
                     (unsigned long long)s->scan->expanded_bytes,
                     (unsigned long long)s->scan->expanded_bytes /
                         (raw ? raw : 1));
            return MT_EINPUT;
        }
        if (ret == Z_STREAM_END) {
            st->phase = GZ_BETWEEN;
        } else if (ret == Z_BUF_ERROR && st->z.avail_in == 0) {
            /* No progress possible: needs input (handled above). */
            continue;
        } else if (ret == Z_MEM_ERROR) {
            snprintf(s->errmsg, sizeof(s->errmsg), "out of memory");
            goto fail;
        } else if (ret != Z_OK) {
            snprintf(s->errmsg, sizeof(s->errmsg), "corrupt gzip data: %s",
                     st->z.msg ? st->z.msg : "invalid data");
            goto fail;
        }
    }
    return (ptrdiff_t)(cap - st->z.avail_out);
fail:
    /* Hand out what was decoded before the failure; the error is sticky
     * (errmsg is set), so the next read reports it. */
    if (cap - st->z.avail_out > 0) {
        return (ptrdiff_t)(cap - st->z.avail_out);
    }
    return MT_EINPUT;
}

static void gz_close(struct mt_stream *s)
{
    struct gz_state *st = s->state;

    if (st) {
        inflateEnd(&st->z);
        mt_free(st);
    }
}

static const struct mt_stream_ops gz_ops = {"gzip", gz_read, gz_close};

struct mt_stream *mt_gzip_open(struct mt_stream *upstream)
{
    struct gz_state *st = mt_calloc(1, sizeof(*st));
    struct mt_stream *s;

    if (st == NULL) {
        return NULL;
    }
    if (inflateInit2(&st->z, 16 + MAX_WBITS) != Z_OK) {
        mt_free(st);
        return NULL;
    }
    s = mt_stream_new(&gz_ops, st, upstream, upstream->scan);
    if (s == NULL) {
        inflateEnd(&st->z);
        mt_free(st);
    }
    return s;
}
