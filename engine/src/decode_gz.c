/* decode_gz.c: the gzip filter stream, multi-member aware, with every
 * produced chunk charged to the scan's zip-bomb accounting. Inflation is
 * ISA-L's igzip when the build found it (MT_HAVE_ISAL: about 2.5x zlib's
 * speed on this kind of machine), zlib otherwise; the member framing,
 * padding and error handling around it are the same for both. */
#include "stream.h"

#include "scan.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#ifdef MT_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#else
#include <zlib.h>
#endif

#define GZ_IN (64 * 1024)

enum gz_phase {
    GZ_MEMBER = 0, /* inflating a member */
    GZ_BETWEEN = 1, /* a member ended: another, padding or garbage next */
    GZ_DONE = 2
};

/* Result of one inflate step. */
enum step {
    STEP_OK = 0,     /* progress, or more input needed */
    STEP_END = 1,    /* the member (with its trailer) is complete */
    STEP_ERROR = -1, /* corrupt data; st->err says why */
    STEP_NOMEM = -2
};

struct gz_state {
#ifdef MT_HAVE_ISAL
    struct inflate_state isal;
#else
    z_stream zs;
#endif
    /* The input window, shared by both inflaters. */
    struct {
        unsigned char *next_in;
        size_t avail_in;
    } z;
    const char *err;
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

#ifdef MT_HAVE_ISAL
static int inflater_init(struct gz_state *st)
{
    isal_inflate_init(&st->isal);
    st->isal.crc_flag = ISAL_GZIP; /* parse the header, check the trailer */
    return 0;
}

static void inflater_reset(struct gz_state *st)
{
    isal_inflate_reset(&st->isal);
    st->isal.crc_flag = ISAL_GZIP;
}

static void inflater_end(struct gz_state *st)
{
    (void)st;
}

static enum step inflater_run(struct gz_state *st, unsigned char *out,
                              size_t cap, size_t *produced)
{
    int ret;

    st->isal.next_in = st->z.next_in;
    st->isal.avail_in = (uint32_t)(st->z.avail_in > UINT32_MAX
                                       ? UINT32_MAX
                                       : st->z.avail_in);
    st->isal.next_out = out;
    st->isal.avail_out = (uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap);
    ret = isal_inflate(&st->isal);
    *produced = (size_t)(st->isal.next_out - out);
    st->z.avail_in -= (size_t)(st->isal.next_in - st->z.next_in);
    st->z.next_in = st->isal.next_in;
    if (ret < 0) {
        st->err = ret == ISAL_INCORRECT_CHECKSUM ? "CRC mismatch"
                  : ret == ISAL_INVALID_WRAPPER  ? "invalid gzip header"
                                                 : "invalid deflate data";
        return STEP_ERROR;
    }
    return st->isal.block_state == ISAL_BLOCK_FINISH ? STEP_END : STEP_OK;
}
#else
/* zlib allocates through ours, so that a failure of its allocations is
 * counted (and injected in the torture build) like the engine's. */
static voidpf zlib_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return mt_calloc(items, size);
}

static void zlib_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    mt_free(p);
}

static int inflater_init(struct gz_state *st)
{
    st->zs.zalloc = zlib_alloc;
    st->zs.zfree = zlib_free;
    st->zs.opaque = Z_NULL;
    return inflateInit2(&st->zs, 16 + MAX_WBITS) == Z_OK ? 0 : -1;
}

static void inflater_reset(struct gz_state *st)
{
    inflateReset(&st->zs);
}

static void inflater_end(struct gz_state *st)
{
    inflateEnd(&st->zs);
}

static enum step inflater_run(struct gz_state *st, unsigned char *out,
                              size_t cap, size_t *produced)
{
    int ret;

    st->zs.next_in = st->z.next_in;
    st->zs.avail_in = (uInt)(st->z.avail_in > UINT_MAX ? UINT_MAX
                                                        : st->z.avail_in);
    st->zs.next_out = out;
    st->zs.avail_out = (uInt)(cap > UINT_MAX ? UINT_MAX : cap);
    ret = inflate(&st->zs, Z_NO_FLUSH);
    *produced = (size_t)(st->zs.next_out - out);
    st->z.avail_in -= (size_t)(st->zs.next_in - st->z.next_in);
    st->z.next_in = st->zs.next_in;
    if (ret == Z_STREAM_END) {
        return STEP_END;
    }
    if (ret == Z_OK || (ret == Z_BUF_ERROR && st->z.avail_in == 0)) {
        return STEP_OK; /* progress, or needs input (the caller refills) */
    }
    if (ret == Z_MEM_ERROR) {
        return STEP_NOMEM;
    }
    st->err = st->zs.msg ? st->zs.msg : "invalid data";
    return STEP_ERROR;
}
#endif

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
    st->z.avail_in += (size_t)n;
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
        inflater_reset(st);
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

/* The stream ended inside a member, after done bytes of this read. */
static void truncated(struct mt_stream *s, size_t done)
{
    snprintf(s->errmsg, sizeof(s->errmsg),
             "truncated gzip data (ended after %llu bytes of output)",
             (unsigned long long)(s->bytes_out + done));
}

static ptrdiff_t gz_read(struct mt_stream *s, void *buf, size_t cap)
{
    struct gz_state *st = s->state;
    unsigned char *out = buf;
    size_t done = 0, produced, before;
    enum step step;
    int ret;

    while (done < cap && st->phase != GZ_DONE) {
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
                truncated(s, done);
                goto fail;
            }
            if (refill(s, st) < 0) {
                goto fail;
            }
            continue;
        }
        before = st->z.avail_in;
        step = inflater_run(st, out + done, cap - done, &produced);
        done += produced;
        if (step == STEP_OK && produced == 0 && st->z.avail_in == before) {
            /* No progress: the inflater wants more than the input holds
             * (a header cut at a block end). */
            if (st->eof) {
                truncated(s, done);
                goto fail;
            }
            if (refill(s, st) < 0) {
                goto fail;
            }
            continue;
        }
        if (produced && s->scan &&
            mt_scan_account_expansion(s->scan, produced) != 0) {
            mt_scan_expansion_reason(s->scan, s->errmsg, sizeof(s->errmsg));
            return MT_EINPUT;
        }
        if (step == STEP_END) {
            st->phase = GZ_BETWEEN;
        } else if (step == STEP_NOMEM) {
            snprintf(s->errmsg, sizeof(s->errmsg), "out of memory");
            goto fail;
        } else if (step == STEP_ERROR) {
            snprintf(s->errmsg, sizeof(s->errmsg), "corrupt gzip data: %s",
                     st->err);
            goto fail;
        }
    }
    return (ptrdiff_t)done;
fail:
    /* Hand out what was decoded before the failure; the error is sticky
     * (errmsg is set), so the next read reports it. */
    if (done > 0) {
        return (ptrdiff_t)done;
    }
    return MT_EINPUT;
}

static void gz_close(struct mt_stream *s)
{
    struct gz_state *st = s->state;

    if (st) {
        inflater_end(st);
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
    if (inflater_init(st) != 0) {
        mt_free(st);
        return NULL;
    }
    s = mt_stream_new(&gz_ops, st, upstream, upstream->scan);
    if (s == NULL) {
        inflater_end(st);
        mt_free(st);
    }
    return s;
}
