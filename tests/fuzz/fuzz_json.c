/* fuzz_json.c: libFuzzer target for the JSON reader. Checks the record
 * contract under a small record limit and that chunking never changes the
 * records or messages.
 * Build: CC=clang cmake -DMT_FUZZ=ON ...; run: ./fuzz_json -max_len=4096 */
#include "format.h"
#include "record.h"
#include "util.h"
#include "fuzz_utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input layout: byte 0 = chunk size, byte 1 = record limit, byte 2 =
 * bound on one top-level value (0 = the default, else 16 bytes per unit,
 * so the plain fallback for large values runs too), the rest is text. Invalid UTF-8
 * and NUL bytes become '?' first: readers get valid UTF-8 without NULs
 * from the text decoder (format.h). */

struct state {
    size_t max_record;
    uint64_t max_line;
    unsigned long long hash;
    size_t records, messages;
};

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_json: %s\n", what);
    __builtin_trap();
}



static int check_record(void *ctx, const struct mt_record *r)
{
    struct state *st = ctx;
    size_t i;

    if (r->text == NULL || r->text[r->len] != '\0' ||
        strlen(r->text) != r->len) {
        fail("text not NUL-terminated or holds a NUL");
    }
    if (r->len > st->max_record) {
        fail("text longer than the record limit");
    }
    if (memchr(r->text, '\n', r->len) || memchr(r->text, '\r', r->len)) {
        fail("line end inside a record");
    }
    if (!fuzz_valid_utf8(r->text, r->len, 0)) {
        fail("record is not valid UTF-8");
    }
    if (r->kind == MT_REC_FIELD &&
        (r->label == NULL || r->value == NULL || r->label < r->text ||
         r->label + r->label_len > r->text + r->len || r->value < r->text ||
         r->value + r->value_len != r->text + r->len)) {
        fail("label or value outside text");
    }
    if (r->kind == MT_REC_BLANK && r->len != 0) {
        fail("blank record with text");
    }
    if (r->line < 1 || r->last_line < r->line || r->last_line > st->max_line) {
        fail("line numbers out of range");
    }
    for (i = 0; i < r->nctx; i++) {
        if (r->ctx[i].value_len == 0 ||
            !fuzz_valid_utf8(r->ctx[i].value, r->ctx[i].value_len, 0) ||
            memchr(r->ctx[i].value, '\n', r->ctx[i].value_len)) {
            fail("bad context value");
        }
        st->hash = mt_hash(r->ctx[i].value, r->ctx[i].value_len, st->hash);
    }
    st->hash = mt_hash(&r->kind, sizeof(r->kind), st->hash);
    st->hash = mt_hash(&r->flags, sizeof(r->flags), st->hash);
    st->hash = mt_hash(r->text, r->len + 1, st->hash);
    st->hash = mt_hash(&r->line, sizeof(r->line), st->hash);
    st->hash = mt_hash(&r->last_line, sizeof(r->last_line), st->hash);
    st->records++;
    return 0;
}

static void on_message(void *ctx, enum mt_msg_level level, const char *origin,
                       const char *text)
{
    struct state *st = ctx;

    (void)origin;
    st->hash = mt_hash(&level, sizeof(level), st->hash);
    st->hash = mt_hash(text, strlen(text), st->hash);
    st->messages++;
}

static const struct mt_sink_ops check_ops = {NULL, check_record, NULL};

static void run(const char *text, size_t n, size_t chunk, size_t max_record,
                uint64_t max_doc, struct state *st)
{
    uint64_t limits[MT_LIMIT_COUNT_] = {0};
    struct mt_scan scan;
    struct mt_format_reader *r;
    size_t off = 0, k, i;

    memset(st, 0, sizeof(*st));
    st->max_record = max_record;
    st->max_line = 1;
    for (i = 0; i < n; i++) {
        if (text[i] == '\n' ||
            (text[i] == '\r' && (i + 1 >= n || text[i + 1] != '\n'))) {
            st->max_line++;
        }
    }
    st->hash = MT_HASH_SEED;
    limits[MT_LIMIT_LINE_BYTES] = 1024;
    limits[MT_LIMIT_RECORD_BYTES] = max_record;
    limits[MT_LIMIT_EXPANDED_BYTES] = max_doc;
    limits[MT_LIMIT_JSON_VALUE_BYTES] = max_doc ? max_doc : MT_MAX_JSON_VALUE;
    mt_scan_init(&scan, limits, &check_ops, st, on_message, st);
    (void)mt_format_json.bid(text, n < MT_FORMAT_PEEK ? n : MT_FORMAT_PEEK);
    r = mt_format_json.open(&scan, "fuzz.json");
    if (r == NULL) {
        fail("open");
    }
    while (off < n) {
        k = n - off < chunk ? n - off : chunk;
        if (mt_format_json.feed(r, text + off, k) != 0) {
            fail("feed failed");
        }
        off += k;
    }
    if (mt_format_json.finish(r) != 0) {
        fail("finish failed");
    }
    mt_format_json.free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct state whole, chunked;
    size_t chunk, max_record, n, i = 0, k;
    uint64_t max_doc;
    char *text;

    if (size < 3) {
        return 0;
    }
    chunk = 1 + data[0] % 32;
    /* At least 16: the reader's own floor. */
    max_record = 16 + data[1] % 128;
    max_doc = 16 * (uint64_t)data[2];
    data += 3;
    size -= 3;

    text = malloc(size ? size : 1);
    if (text == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    n = size;
    while (i < n) {
        k = fuzz_utf8_len((const unsigned char *)text + i, n - i, 0);
        if (k == 0) {
            text[i] = '?';
            k = 1;
        }
        i += k;
    }
    run(text, n, n ? n : 1, max_record, max_doc, &whole);
    run(text, n, chunk, max_record, max_doc, &chunked);
    if (whole.hash != chunked.hash || whole.records != chunked.records ||
        whole.messages != chunked.messages) {
        fail("chunking changed the records");
    }
    free(text);
    return 0;
}
