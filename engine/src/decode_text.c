/* decode_text.c: the last decoder of every stack. Sniffs the encoding
 * (BOM, BOM-less UTF-16), skips binary data, transcodes to valid UTF-8 in
 * blocks and feeds the record splitter, which pushes records to the sink. */
#include "decode.h"

#include "format.h"
#include "pipeline.h"
#include "readahead.h"
#include "util.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum text_enc { ENC_UTF8 = 0, ENC_UTF16LE = 1, ENC_UTF16BE = 2 };

/* Input block plus room for a sequence carried over from the last one.
 * Small documents (most archive members) never get past the peek buffer. */
#define TEXT_IN MT_BLOCK
#define CARRY_ROOM 8
/* Worst case: every input byte becomes a 3-byte sequence (cp1252 0x80 is
 * U+20AC), plus a pending surrogate from the block before. */
#define OUT_FOR(in_cap) (3 * (in_cap) + 16)

/* Documents shorter than this are read directly: starting a thread costs
 * more than it saves on a small report (folders hold thousands). Past it,
 * the document is read in whole blocks of TEXT_IN (mt_stream_read_full),
 * whichever thread reads, so that the decoder (its binary windows, its
 * messages) and the decompressors below it (their limits, checked per
 * read) see the same reads with one thread or two. */
#define READAHEAD_AFTER (1024 * 1024)

struct text {
    struct mt_scan *scan;
    const char *origin;
    enum text_enc enc;
    unsigned char *in;
    size_t in_len;
    size_t in_cap; /* bytes read per block (allocated + CARRY_ROOM) */
    uint64_t in_off; /* offset of in[0] in the document, for messages */
    char *out;
    size_t out_len;
    unsigned high; /* pending UTF-16 high surrogate, 0 = none */
    uint64_t high_off;
    uint64_t nuls;
    int warned_utf8;
    int warned_utf16;
    uint64_t window_bytes; /* UTF-8 bytes read since the last binary check */
    size_t plain_tail; /* bytes at the end of in known plain ASCII */
    uint64_t window_controls;
    int worst;
    /* The format reader is chosen on the first MT_FORMAT_PEEK bytes of
     * text; until then the text waits in head. */
    const struct mt_format_ops *fmt;
    struct mt_format_reader *reader;
    struct mt_buf head;
    int long_doc; /* past READAHEAD_AFTER: reads are whole blocks */
    struct mt_stream *ra; /* the read-ahead stream, once started */
    /* Two threads (pipeline.h): from the switch on, run() works on the
     * producer thread, reading into the pipeline's slots (in and out point
     * into the slot being filled), while the calling thread feeds the
     * reader. */
    struct mt_pipeline *pipe;
    struct mt_stream *pipe_in;
};

/* Windows-1252 0x80-0x9F; the five unassigned bytes become U+FFFD. */
static const unsigned short cp1252[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

struct magic {
    const char *bytes;
    size_t len;
    const char *name;
};

static const struct magic magics[] = {
    {"\x89PNG\r\n\x1a\n", 8, "PNG image"},
    {"\xff\xd8\xff", 3, "JPEG image"},
    {"GIF87a", 6, "GIF image"},
    {"GIF89a", 6, "GIF image"},
    {"%PDF-", 5, "PDF document"},
    {"\x7f" "ELF", 4, "ELF executable"},
    {"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8, "OLE compound document"},
    {"SQLite format 3", 16, "SQLite database"},
};

static void warn(struct text *t, enum mt_msg_level level, const char *fmt,
                 ...) __attribute__((format(printf, 3, 4)));

/* One place that both reports and remembers the worst level. */
static void warn(struct text *t, enum mt_msg_level level, const char *fmt,
                 ...)
{
    int st = level == MT_MSG_ERROR     ? MT_EINPUT
             : level == MT_MSG_WARNING ? MT_WARN
                                       : MT_OK;
    char text[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    mt_scan_message(t->scan, level, t->origin, "%s", text);
    if (st < t->worst) {
        t->worst = st;
    }
}

static const char *binary_kind(const unsigned char *p, size_t n)
{
    size_t i;

    for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
        if (n >= magics[i].len &&
            memcmp(p, magics[i].bytes, magics[i].len) == 0) {
            return magics[i].name;
        }
    }
    /* "MZ" alone could start a text line; a PE header has NULs nearby. */
    if (n >= 64 && p[0] == 'M' && p[1] == 'Z' && memchr(p, 0, 64)) {
        return "Windows executable";
    }
    return NULL;
}

/* More than 10% NUL or control bytes (tab, CR, LF, FF and ESC are text). */
static int looks_binary(const unsigned char *p, size_t n)
{
    size_t i, bad = 0;

    for (i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (c < 0x20 && c != '\t' && c != '\r' && c != '\n' && c != '\f' &&
            c != 0x1b) {
            bad++;
        }
    }
    return n > 0 && bad * 10 > n;
}

/* Past the first block, text is checked per window of this many bytes: a
 * stream that turns binary later (a log with a dump appended, or
 * /dev/urandom, whose first 4 KiB pass the check about one time in six)
 * is not read to its end. */
#define BINARY_WINDOW (64 * 1024)

/* Control bytes of the windows: C0 but NUL (padding, dropped with its own
 * warning), tab, LF, CR, FF and ESC; and DEL. Random bytes hold 10.5%,
 * text none: 5% separates them by many standard deviations at 64 KiB.
 * The same pass says whether p[0..n) is plain: printable ASCII, tab, LF
 * and CR only, which is UTF-8 as it stands (*plain, see plain_ascii). */
static uint64_t count_controls(const unsigned char *p, size_t n, int *plain)
{
    uint64_t bad = 0;
    size_t i = 0;
    int odd = 0;

#if defined(__SSE2__)
    /* Every byte of a plain log passes here: sixteen at a time. */
    const __m128i c1f = _mm_set1_epi8(0x1f), del = _mm_set1_epi8(0x7f);
    const __m128i nul = _mm_setzero_si128(), tab = _mm_set1_epi8('\t');
    const __m128i lf = _mm_set1_epi8('\n'), ff = _mm_set1_epi8('\f');
    const __m128i cr = _mm_set1_epi8('\r'), esc = _mm_set1_epi8(0x1b);

    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        /* x <= 0x1f as unsigned bytes */
        __m128i c0 = _mm_cmpeq_epi8(_mm_min_epu8(x, c1f), x);
        /* Text has no control bytes but line ends and tabs: when the
         * sixteen bytes hold no other, and no DEL or byte above it (so
         * they are plain too), skip the full test. */
        __m128i lines = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(x, lf), _mm_cmpeq_epi8(x, cr)),
            _mm_cmpeq_epi8(x, tab));
        __m128i high = _mm_cmpeq_epi8(_mm_max_epu8(x, del), x);
        if (_mm_movemask_epi8(_mm_or_si128(_mm_andnot_si128(lines, c0),
                                           high)) == 0) {
            continue;
        }
        odd = 1;
        __m128i ok = _mm_or_si128(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, nul),
                                      _mm_cmpeq_epi8(x, tab)),
                         _mm_or_si128(_mm_cmpeq_epi8(x, lf),
                                      _mm_cmpeq_epi8(x, ff))),
            _mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, esc)));
        __m128i b = _mm_or_si128(_mm_andnot_si128(ok, c0),
                                 _mm_cmpeq_epi8(x, del));
        unsigned mask = (unsigned)_mm_movemask_epi8(b);
        while (mask != 0) { /* rare in text: no popcount instruction */
            bad++;
            mask &= mask - 1;
        }
    }
#endif
    for (; i < n; i++) {
        unsigned char c = p[i];
        bad += (c < 0x20 && c != 0 && c != '\t' && c != '\r' && c != '\n' &&
                c != '\f' && c != 0x1b) ||
               c == 0x7f;
        odd |= (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c >= 0x7f;
    }
    *plain = !odd;
    return bad;
}

/* Adds the n bytes just read (ending at document offset end) to the
 * window; when the window they close looks binary, says so and returns 1.
 * *plain: whether they are plain ASCII (count_controls). */
static int window_binary(struct text *t, const unsigned char *p, size_t n,
                         uint64_t end, int *plain)
{
    uint64_t bytes;
    int binary;

    t->window_bytes += n;
    t->window_controls += count_controls(p, n, plain);
    if (t->window_bytes < BINARY_WINDOW) {
        return 0;
    }
    bytes = t->window_bytes;
    binary = t->window_controls * 20 > bytes;
    t->window_bytes = 0;
    t->window_controls = 0;
    if (binary) {
        /* What was read before this block was text and has been read;
         * the block (the end of the window) is dropped. */
        warn(t, MT_MSG_WARNING,
             "binary data in bytes %llu-%llu (more than 5%% control "
             "bytes); the rest skipped",
             (unsigned long long)(end - bytes), (unsigned long long)end);
    }
    return binary;
}

/* BOM-less UTF-16: ASCII-range text leaves every other byte zero. */
static int sniff_utf16(const unsigned char *p, size_t n)
{
    size_t i, pairs = n / 2, zero_even = 0, zero_odd = 0;

    if (pairs == 0) {
        return ENC_UTF8;
    }
    for (i = 0; i + 1 < n; i += 2) {
        zero_even += p[i] == 0;
        zero_odd += p[i + 1] == 0;
    }
    if (zero_odd * 2 > pairs && zero_even * 8 <= pairs) {
        return ENC_UTF16LE;
    }
    if (zero_even * 2 > pairs && zero_odd * 8 <= pairs) {
        return ENC_UTF16BE;
    }
    return ENC_UTF8;
}

static void put_cp(struct text *t, unsigned c)
{
    char *o = t->out + t->out_len;

    if (c < 0x80) {
        o[0] = (char)c;
        t->out_len += 1;
    } else if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        t->out_len += 2;
    } else if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        t->out_len += 3;
    } else {
        o[0] = (char)(0xF0 | (c >> 18));
        o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[3] = (char)(0x80 | (c & 0x3F));
        t->out_len += 4;
    }
}

/* Copies the longest prefix of src[0..n) that is ASCII without NUL, in
 * steps of 16 bytes (SSE2, the x86-64 baseline; elsewhere nothing, and
 * the caller's 8-byte loop does it). Returns the bytes copied. The UTF-8
 * check is the first pass over every byte of a plain log: done a byte or
 * a word at a time it cost more than the prefilter. */
static size_t copy_ascii(char *dst, const unsigned char *src, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();

    while (i + 16 <= n) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(src + i));
        /* High bit: a byte >= 0x80, or a NUL (cmpeq sets all bits). */
        if (_mm_movemask_epi8(_mm_or_si128(x, _mm_cmpeq_epi8(x, zero))) !=
            0) {
            break;
        }
        _mm_storeu_si128((__m128i *)(void *)(dst + i), x);
        i += 16;
    }
#else
    (void)dst;
    (void)src;
    (void)n;
#endif
    return i;
}

/* Whether p[0..n) is all ASCII without NUL: UTF-8 as it stands, which
 * convert_utf8 would only copy. Most blocks of a log are; run() then hands
 * the read block on itself. Sixteen bytes at a time (SSE2), looking at
 * the result every 256 so that a block with a non-ASCII byte early on is
 * not read to its end twice. */
static int plain_ascii(const unsigned char *p, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();

    while (i + 256 <= n) {
        __m128i acc = zero;
        size_t end = i + 256;
        for (; i < end; i += 16) {
            __m128i x =
                _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            /* High bit: a byte >= 0x80, or a NUL (cmpeq sets all bits). */
            acc = _mm_or_si128(acc, _mm_or_si128(x, _mm_cmpeq_epi8(x, zero)));
        }
        if (_mm_movemask_epi8(acc) != 0) {
            return 0;
        }
    }
#endif
    for (; i < n; i++) {
        if (p[i] == 0 || p[i] >= 0x80) {
            return 0;
        }
    }
    return 1;
}

/* Converts in[0..in_len) to out; returns the bytes consumed (the rest is a
 * sequence cut by the block end, carried to the next block). */
static size_t convert_utf8(struct text *t, int eof)
{
    const unsigned char *p = t->in;
    size_t i = 0, n = t->in_len;

    while (i < n) {
        unsigned char b, lo, hi;
        int need, k, ok = 1;
        size_t start = i;

        /* Logs are mostly ASCII: copy runs with no high bit and no NUL
         * sixteen bytes at a time, then eight. */
        i += copy_ascii(t->out + t->out_len, p + i, n - i);
        t->out_len += i - start;
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if ((w & 0x8080808080808080ULL) != 0 ||
                ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL) !=
                    0) {
                break;
            }
            memcpy(t->out + t->out_len, p + i, 8);
            t->out_len += 8;
            i += 8;
        }
        if (i >= n) {
            break;
        }
        b = p[i];
        if (b < 0x80) {
            if (b == 0) {
                t->nuls++;
            } else {
                t->out[t->out_len++] = (char)b;
            }
            i++;
            continue;
        }
        need = mt_utf8_lead(b, &lo, &hi);
        if (need == 0) {
            ok = 0;
        }
        for (k = 1; ok && k <= need; k++) {
            unsigned char c;
            if (i + (size_t)k >= n) {
                if (!eof) {
                    return i;
                }
                ok = 0;
                break;
            }
            c = p[i + (size_t)k];
            if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) {
                ok = 0;
            }
        }
        if (ok) {
            memcpy(t->out + t->out_len, p + i, (size_t)need + 1);
            t->out_len += (size_t)need + 1;
            i += (size_t)need + 1;
            continue;
        }
        if (!t->warned_utf8) {
            t->warned_utf8 = 1;
            warn(t, MT_MSG_WARNING,
                 "not valid UTF-8 (first at byte %llu); read as "
                 "Windows-1252",
                 (unsigned long long)(t->in_off + i));
        }
        put_cp(t, b < 0xA0 ? cp1252[b - 0x80] : b);
        i++;
    }
    return i;
}

static void bad_surrogate(struct text *t, uint64_t off)
{
    put_cp(t, 0xFFFD);
    if (!t->warned_utf16) {
        t->warned_utf16 = 1;
        warn(t, MT_MSG_WARNING,
             "invalid UTF-16: unpaired surrogate at byte %llu "
             "(replaced)",
             (unsigned long long)off);
    }
}

static void utf16_unit(struct text *t, unsigned u, uint64_t off)
{
    if (t->high) {
        if (u >= 0xDC00 && u <= 0xDFFF) {
            put_cp(t, 0x10000 + ((t->high - 0xD800) << 10) + (u - 0xDC00));
            t->high = 0;
            return;
        }
        bad_surrogate(t, t->high_off);
        t->high = 0;
    }
    if (u >= 0xD800 && u <= 0xDBFF) {
        t->high = u;
        t->high_off = off;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
        bad_surrogate(t, off);
    } else if (u == 0) {
        t->nuls++;
    } else {
        put_cp(t, u);
    }
}

static size_t convert_utf16(struct text *t, int eof)
{
    const unsigned char *p = t->in;
    size_t i = 0, n = t->in_len;
    unsigned u;

    for (; i + 1 < n; i += 2) {
        if (t->enc == ENC_UTF16LE) {
            u = p[i] | (unsigned)p[i + 1] << 8;
        } else {
            u = (unsigned)p[i] << 8 | p[i + 1];
        }
        utf16_unit(t, u, t->in_off + i);
    }
    if (!eof) {
        return i;
    }
    if (t->high) {
        bad_surrogate(t, t->high_off);
        t->high = 0;
    }
    if (i < n) {
        warn(t, MT_MSG_WARNING,
             "odd trailing byte at byte %llu of UTF-16 data "
             "ignored",
             (unsigned long long)(t->in_off + i));
        i = n;
    }
    return i;
}

/* Chooses the format reader on the text seen so far and hands it that
 * text. */
static int start_reader(struct text *t)
{
    int rc = 0;

    t->fmt = mt_format_choose(t->head.data ? t->head.data : "", t->head.len);
    t->reader = t->fmt->open(t->scan, t->origin);
    if (t->reader == NULL) {
        return MT_ENOMEM;
    }
    if (t->head.len > 0) {
        rc = t->fmt->feed(t->reader, t->head.data, t->head.len);
    }
    mt_buf_free(&t->head);
    return rc;
}

/* Hands decoded text on where this thread reads it. text is the
 * decoder's output block (or its input block when that was plain ASCII),
 * rewritten on the next round, so a reader that can may cut it in
 * place. */
static int deliver_here(struct text *t, char *text, size_t n)
{
    if (t->scan->text_out != NULL) {
        return mt_buf_append(t->scan->text_out, text, n) != 0 ? MT_ENOMEM
                                                               : 0;
    }
    if (t->reader != NULL) {
        return t->fmt == &mt_format_plain
                   ? mt_format_plain_feed_in_place(t->reader, text, n)
                   : t->fmt->feed(t->reader, text, n);
    }
    if (mt_buf_append(&t->head, text, n) != 0) {
        return MT_ENOMEM;
    }
    return t->head.len >= MT_FORMAT_PEEK ? start_reader(t) : 0;
}

/* The first used bytes of in were decoded: the rest (a sequence cut by
 * the block end) moves to the front, to be completed by the next read. */
static void keep_tail(struct text *t, size_t used)
{
    memmove(t->in, t->in + used, t->in_len - used);
    t->in_len -= used;
    t->in_off += used;
}

/* Two threads: text (the slot's input, or its output) leaves with its
 * slot; the tail moves to the next slot's input, where reading goes on. */
static int publish(struct text *t, char *text, size_t n, size_t used)
{
    unsigned char tail[CARRY_ROOM];
    size_t k = t->in_len - used;
    int rc;

    memcpy(tail, t->in + used, k);
    t->in_len = k;
    t->in_off += used;
    rc = mt_pipeline_publish(t->pipe, text, n);
    if (rc < 0) {
        return rc;
    }
    t->in = (unsigned char *)mt_pipeline_input(t->pipe);
    t->out = mt_pipeline_output(t->pipe);
    if (t->in == NULL || t->out == NULL) {
        return MT_EINPUT; /* the consumer stopped */
    }
    memcpy(t->in, tail, k);
    return 0;
}

/* Hands the n bytes of decoded text on, the first used bytes of in being
 * decoded, and keeps the rest of in for the next round. */
static int deliver(struct text *t, char *text, size_t n, size_t used)
{
    int rc;

    if (t->pipe != NULL) {
        return publish(t, text, n, used);
    }
    rc = deliver_here(t, text, n);
    keep_tail(t, used);
    return rc;
}

static int read_long(struct text *t, struct mt_stream **in);

static int run(struct text *t, struct mt_stream *in, int eof)
{
    size_t used;
    ptrdiff_t r;
    int rc;

    for (;;) {
        /* The binary check saw whether the bytes just read are plain: only
         * the tail of the round before needs a look. */
        size_t unknown = t->in_len - t->plain_tail;
        int plain;

        t->plain_tail = 0;
        t->out_len = 0;
        if (t->enc == ENC_UTF8 && t->in_len > 0 &&
            plain_ascii(t->in, unknown)) {
            /* Nothing to convert: the block read is the text (with two
             * threads, the slot leaves as it was read), and it is scratch
             * once handed on. */
            used = t->in_len;
            rc = deliver(t, (char *)t->in, used, used);
        } else {
            used = t->enc == ENC_UTF8 ? convert_utf8(t, eof)
                                      : convert_utf16(t, eof);
            if (t->out_len) {
                rc = deliver(t, t->out, t->out_len, used);
            } else {
                keep_tail(t, used);
                rc = 0;
            }
        }
        if (rc < 0) {
            return rc;
        }
        if (eof) {
            return 0;
        }
        if (!t->long_doc && t->in_off + t->in_len >= READAHEAD_AFTER) {
            rc = read_long(t, &in);
            if (rc <= 0) {
                return rc; /* the rest was read on two threads */
            }
        }
        /* A long document is read in whole blocks (see READAHEAD_AFTER). */
        r = t->long_doc ? mt_stream_read_full(in, t->in + t->in_len, TEXT_IN)
                        : mt_stream_read(in, t->in + t->in_len,
                                         t->in_cap - t->in_len);
        if (r < 0) {
            /* What was read so far is still analysed; the cut is named. */
            warn(t, MT_MSG_ERROR, "%s", in->errmsg);
            eof = 1;
        } else if (r == 0) {
            eof = 1;
        } else if (t->enc == ENC_UTF8 &&
                   window_binary(t, t->in + t->in_len, (size_t)r,
                                 t->in_off + t->in_len + (size_t)r,
                                 &plain)) {
            t->in_len = 0;
            eof = 1;
        } else {
            t->in_len += (size_t)r;
            t->plain_tail = t->enc == ENC_UTF8 && plain ? (size_t)r : 0;
        }
    }
}

/* The producer thread: the rest of run(), reading into the pipeline's
 * slots, starting with the tail the calling thread left in its own
 * buffer. */
static int produce(void *arg)
{
    struct text *t = arg;
    unsigned char *own_in = t->in;

    t->in = (unsigned char *)mt_pipeline_input(t->pipe);
    t->out = mt_pipeline_output(t->pipe);
    if (t->in == NULL || t->out == NULL) {
        return MT_EINPUT;
    }
    memcpy(t->in, own_in, t->in_len);
    return run(t, t->pipe_in, 0);
}

/* The consumer: the block is its own until this returns, so the plain
 * reader cuts it where it lies (no copy). */
static int feed_reader(void *arg, char *text, size_t n)
{
    struct text *t = arg;

    return mt_format_plain_feed_in_place(t->reader, text, n);
}

/* Reads the rest of a long plain-text document on two threads when the
 * scan allows it (engine: -j > 1): returns what run() would, or 1 when it
 * did not (then run() goes on alone). Only the plain reader, whose records
 * take the block prefilter's hits. The producer reads in straight from
 * the document (one ring: no read-ahead thread and its copy below it).
 * The decoder's messages wait for the block they come before
 * (mt_pipeline_message): same order, same thread as when one thread
 * reads. */
static int run_two_threads(struct text *t, struct mt_stream *in)
{
    unsigned char *own_in = t->in;
    char *own_out = t->out;
    mt_message_fn fn;
    void *ctx;
    int rc;

    if (t->scan->pipeline == NULL || t->scan->no_readahead ||
        t->scan->text_out != NULL || t->reader == NULL ||
        t->fmt != &mt_format_plain || t->pipe != NULL) {
        return 1;
    }
    t->pipe = mt_pipeline_new(t->scan->pipeline, MT_PIPELINE_SLOTS,
                              TEXT_IN + CARRY_ROOM,
                              OUT_FOR(TEXT_IN + CARRY_ROOM));
    if (t->pipe == NULL) {
        return 1;
    }
    t->pipe_in = in;
    mt_scan_redirect_messages(t->scan, mt_pipeline_message, t->pipe, &fn,
                              &ctx);
    mt_pipeline_forward_messages(t->pipe, fn, ctx);
    if (mt_pipeline_start(t->pipe, produce, t) != 0) {
        mt_scan_redirect_messages(t->scan, fn, ctx, NULL, NULL);
        mt_pipeline_free(t->pipe);
        t->pipe = NULL;
        return 1;
    }
    t->scan->pipelined++;
    rc = mt_pipeline_consume(t->pipe, feed_reader, t);
    mt_scan_redirect_messages(t->scan, fn, ctx, NULL, NULL);
    mt_pipeline_free(t->pipe);
    t->pipe = NULL;
    t->in = own_in;
    t->in_len = 0;
    t->out = own_out;
    return rc > 0 ? 0 : rc;
}

/* The document is long: from here on it is read in whole blocks, on two
 * threads when the scan allows it, else a few blocks ahead on a read-ahead
 * thread; in pool workers, whose cores are taken, straight from *in (the
 * same reads of it). Returns 1 to go on reading *in here, else what run()
 * returns. */
static int read_long(struct text *t, struct mt_stream **in)
{
    struct mt_stream *ra;
    int rc;

    t->long_doc = 1;
    rc = run_two_threads(t, *in);
    if (rc <= 0 || t->scan->no_readahead) {
        return rc;
    }
    ra = mt_readahead_open(*in, TEXT_IN);
    if (ra != NULL) {
        t->ra = ra;
        *in = ra;
    }
    return 1;
}

int mt_text_scan(struct mt_scan *scan, struct mt_stream *in,
                 const char *origin)
{
    struct text t;
    const char *kind;
    size_t skip = 0;
    ptrdiff_t n;
    int began = 0, rc, eof = 0;

    memset(&t, 0, sizeof(t));
    mt_buf_init(&t.head, 0);
    t.scan = scan;
    t.origin = origin;
    t.worst = MT_OK;
    t.in_cap = MT_PEEK;
    t.in = mt_malloc(t.in_cap + CARRY_ROOM);
    if (t.in == NULL) {
        goto nomem;
    }
    n = mt_stream_read_full(in, t.in, MT_PEEK);
    if (n < 0) {
        n = 0;
        eof = 1;
    }
    t.in_len = (size_t)n;
    if (n == MT_PEEK) {
        /* More may follow: read in full blocks from now on. */
        unsigned char *grown = mt_realloc(t.in, TEXT_IN + CARRY_ROOM);
        if (grown == NULL) {
            goto nomem;
        }
        t.in = grown;
        t.in_cap = TEXT_IN;
    }
    t.out = mt_malloc(OUT_FOR(t.in_cap + CARRY_ROOM));
    if (t.out == NULL) {
        goto nomem;
    }

    if (n >= 3 && memcmp(t.in, "\xef\xbb\xbf", 3) == 0) {
        skip = 3;
    } else if (n >= 2 && t.in[0] == 0xff && t.in[1] == 0xfe) {
        t.enc = ENC_UTF16LE;
        skip = 2;
    } else if (n >= 2 && t.in[0] == 0xfe && t.in[1] == 0xff) {
        t.enc = ENC_UTF16BE;
        skip = 2;
    } else {
        t.enc = sniff_utf16(t.in, t.in_len);
    }
    kind = binary_kind(t.in + skip, t.in_len - skip);
    if (kind == NULL && t.enc == ENC_UTF8 &&
        looks_binary(t.in + skip, t.in_len - skip)) {
        kind = "";
    }
    if (kind) {
        /* Evidence folders hold screenshots and dumps: a note, no error. */
        mt_scan_message(scan, MT_MSG_NOTE, origin, "binary data%s%s%s, skipped",
                        *kind ? " (" : "", kind, *kind ? ")" : "");
        rc = MT_OK;
        goto done;
    }
    memmove(t.in, t.in + skip, t.in_len - skip);
    t.in_len -= skip;
    t.in_off = skip;

    if (scan->text_out == NULL) {
        rc = scan->sink->begin ? scan->sink->begin(scan->sink_ctx, origin)
                               : 0;
        if (rc < 0) {
            scan->aborted = 1;
            goto done;
        }
        began = 1;
    }
    scan->documents++;
    if (n == 0 && eof) {
        warn(&t, MT_MSG_ERROR, "%s", in->errmsg);
    }
    rc = run(&t, in, eof);
    if (rc == 0 && t.reader == NULL && scan->text_out == NULL) {
        rc = start_reader(&t); /* a document shorter than the peek */
    }
    if (rc == 0 && scan->text_out == NULL) {
        rc = t.fmt->finish(t.reader);
    }
    if (rc < 0) {
        /* The sink asked to stop: nothing more from this input. */
        scan->aborted = 1;
        goto done;
    }
    if (t.nuls) {
        warn(&t, MT_MSG_WARNING, "%llu NUL bytes removed",
             (unsigned long long)t.nuls);
    }
    rc = t.worst;
    goto done;
nomem:
    mt_scan_message(scan, MT_MSG_ERROR, origin, "out of memory");
    rc = MT_EINPUT;
done:
    if (began && scan->sink->end) {
        scan->sink->end(scan->sink_ctx);
    }
    if (t.reader != NULL) {
        t.fmt->free(t.reader);
    }
    mt_buf_free(&t.head);
    mt_stream_free(t.ra);
    mt_free(t.in);
    mt_free(t.out);
    return rc;
}
