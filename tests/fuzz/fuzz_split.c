/* fuzz_split.c: libFuzzer target for the splitter. Checks the record
 * contract under small limits and that chunking never changes the output.
 * Build: CC=clang cmake -DMT_FUZZ=ON ...; run: ./fuzz_split -max_len=4096 */
#include "record.h"
#include "split.h"
#include "util.h"
#include "fuzz_utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input layout: byte 0 = chunk size, byte 1 = max_line, byte 2 =
 * max_record, the rest is text. Invalid UTF-8 is replaced by '?' before
 * feeding (split.h requires valid UTF-8, and the UTF-8 checks below rely
 * on it); a second run feeds the raw bytes to show the splitter stays
 * memory-safe on anything a broken decoder could hand it. */

struct state {
    size_t max_record;
    int check_utf8;
    unsigned long long hash;
    uint64_t last_line;
    size_t records;
};

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_split: %s\n", what);
    __builtin_trap();
}



static int check_record(void *ctx, const struct mt_record *r)
{
    struct state *st = ctx;

    if (r->text == NULL || r->text[r->len] != '\0') {
        fail("text not NUL-terminated");
    }
    if (r->len > st->max_record) {
        fail("text longer than max_record");
    }
    if (r->alt != NULL) {
        if (r->alt[r->alt_len] != '\0') {
            fail("alt not NUL-terminated");
        }
        if (r->alt_len <= r->len || r->alt_len > 2 * r->len + 1) {
            fail("alt length out of range");
        }
    }
    if (r->kind == MT_REC_FIELD) {
        if (r->label == NULL || r->value == NULL || r->label < r->text ||
            r->label + r->label_len > r->text + r->len ||
            r->value < r->text || r->value + r->value_len > r->text + r->len) {
            fail("label or value outside text");
        }
    }
    if (r->kind == MT_REC_BLANK && r->len != 0) {
        fail("blank record with text");
    }
    if (r->line < 1 || r->last_line < r->line || r->line <= st->last_line) {
        fail("line numbers out of order");
    }
    st->last_line = r->last_line;
    if (st->check_utf8 && (!fuzz_valid_utf8(r->text, r->len, 1) ||
                           (r->alt && !fuzz_valid_utf8(r->alt, r->alt_len, 1)))) {
        fail("record is not valid UTF-8");
    }
    st->hash = mt_hash(&r->kind, sizeof(r->kind), st->hash);
    st->hash = mt_hash(&r->flags, sizeof(r->flags), st->hash);
    st->hash = mt_hash(r->text, r->len + 1, st->hash);
    st->hash = mt_hash(r->alt ? r->alt : "", r->alt ? r->alt_len : 0,
                       st->hash);
    st->hash = mt_hash(&r->line, sizeof(r->line), st->hash);
    st->hash = mt_hash(&r->last_line, sizeof(r->last_line), st->hash);
    st->records++;
    return 0;
}

static const struct mt_sink_ops check_ops = {NULL, check_record, NULL};

static void run(const char *text, size_t n, size_t chunk, size_t max_line,
                size_t max_record, int check_utf8, struct state *st)
{
    struct mt_split_config cfg;
    struct mt_splitter *sp;
    size_t off = 0, k;

    memset(st, 0, sizeof(*st));
    st->max_record = max_record;
    st->check_utf8 = check_utf8;
    st->hash = MT_HASH_SEED;
    memset(&cfg, 0, sizeof(cfg));
    cfg.max_line = max_line;
    cfg.max_record = max_record;
    cfg.sink = &check_ops;
    cfg.sink_ctx = st;
    sp = mt_splitter_new(&cfg);
    if (sp == NULL) {
        fail("mt_splitter_new");
    }
    while (off < n) {
        k = n - off < chunk ? n - off : chunk;
        if (mt_splitter_feed(sp, text + off, k) != 0) {
            fail("feed failed");
        }
        off += k;
    }
    if (mt_splitter_finish(sp) != 0) {
        fail("finish failed");
    }
    if (mt_splitter_lines(sp) < mt_splitter_cut_lines(sp) ||
        mt_splitter_lines(sp) < st->last_line) {
        fail("line counters");
    }
    mt_splitter_free(sp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct state whole, chunked;
    size_t chunk, max_line, max_record, n, i = 0, k;
    char *text;

    if (size < 3) {
        return 0;
    }
    chunk = 1 + data[0] % 32;
    max_line = 1 + data[1] % 64;
    max_record = 1 + data[2] % 128;
    data += 3;
    size -= 3;

    text = malloc(size ? size : 1);
    if (text == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    n = size;
    while (i < n) {
        k = fuzz_utf8_len((const unsigned char *)text + i, n - i, 1);
        if (k == 0) {
            text[i] = '?';
            k = 1;
        }
        i += k;
    }

    run(text, n, n ? n : 1, max_line, max_record, 1, &whole);
    run(text, n, chunk, max_line, max_record, 1, &chunked);
    if (whole.hash != chunked.hash || whole.records != chunked.records) {
        fail("chunking changed the records");
    }
    run((const char *)data, size, chunk, max_line, max_record, 0, &whole);
    free(text);
    return 0;
}
