/* fuzz_decode.c: libFuzzer entry for the whole decoder stack (gzip,
 * libarchive, text sniffing and transcoding, splitter) on one input held
 * in memory, with tight limits so bombs and deep nests end fast. */
#include "decode.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct count {
    unsigned long long records;
    unsigned long long bytes;
    int open; /* begin/end must pair up */
};

static int count_begin(void *ctx, const char *origin)
{
    struct count *c = ctx;

    if (c->open || origin == NULL) {
        __builtin_trap();
    }
    c->open = 1;
    return 0;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if invalid:
 * no NUL, no overlong, no surrogate, nothing past U+10FFFF. */
static size_t utf8_ok(const unsigned char *p, size_t n)
{
    unsigned char b = p[0], lo = 0x80, hi = 0xBF;
    size_t need, k;

    if (b == 0) {
        return 0;
    }
    if (b < 0x80) {
        return 1;
    }
    if (b < 0xC2 || b > 0xF4) {
        return 0;
    }
    need = b < 0xE0 ? 1 : b < 0xF0 ? 2 : 3;
    lo = b == 0xE0 ? 0xA0 : b == 0xF0 ? 0x90 : 0x80;
    hi = b == 0xED ? 0x9F : b == 0xF4 ? 0x8F : 0xBF;
    if (need >= n || p[1] < lo || p[1] > hi) {
        return 0;
    }
    for (k = 2; k <= need; k++) {
        if ((p[k] & 0xC0) != 0x80) {
            return 0;
        }
    }
    return need + 1;
}

/* Checks what every consumer relies on: NUL-terminated valid UTF-8. */
static int count_record(void *ctx, const struct mt_record *r)
{
    struct count *c = ctx;
    const unsigned char *p = (const unsigned char *)r->text;
    size_t i = 0, k;

    if (!c->open || p[r->len] != 0) {
        __builtin_trap();
    }
    while (i < r->len) {
        k = utf8_ok(p + i, r->len - i);
        if (k == 0) {
            __builtin_trap();
        }
        i += k;
    }
    c->records++;
    c->bytes += r->len;
    return 0;
}

static void count_end(void *ctx)
{
    struct count *c = ctx;

    if (!c->open) {
        __builtin_trap();
    }
    c->open = 0;
}

static const struct mt_sink_ops count_ops = {count_begin, count_record,
                                             count_end};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t limits[MT_LIMIT_COUNT_];
    struct mt_scan scan;
    struct count c;
    struct mt_stream *in;

    memset(limits, 0, sizeof(limits));
    limits[MT_LIMIT_LINE_BYTES] = 4096;
    limits[MT_LIMIT_RECORD_BYTES] = 8192;
    limits[MT_LIMIT_DEPTH] = 4;
    limits[MT_LIMIT_EXPANDED_BYTES] = 4 * 1024 * 1024;
    limits[MT_LIMIT_EXPANSION_RATIO] = 100;
    memset(&c, 0, sizeof(c));
    mt_scan_init(&scan, limits, &count_ops, &c, NULL, NULL);
    in = mt_stream_open_memory(data, size, &scan);
    if (in == NULL) {
        return 0;
    }
    mt_decode_stream(&scan, in, "fuzz", 0);
    mt_stream_free(in);
    if (c.open) {
        __builtin_trap();
    }
    return 0;
}
