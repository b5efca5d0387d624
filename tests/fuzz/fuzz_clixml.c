/* fuzz_clixml.c: libFuzzer target for the CliXML reader. Checks the record
 * contract under a small record limit and that chunking never changes the
 * records or the messages.
 * Build: CC=clang cmake -DMT_FUZZ=ON ...; run: ./fuzz_clixml -max_len=8192
 * (a dictionary of CliXML element names helps: -dict=clixml.dict). */
#include "format.h"
#include "record.h"
#include "scan.h"
#include "util.h"
#include "fuzz_utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input layout: byte 0 = chunk size, byte 1 = record limit, the rest is
 * the document. Invalid UTF-8 is replaced by '?' (readers get valid
 * UTF-8 from the text layer). */

struct state {
    size_t max_record;
    unsigned long long hash;
    size_t records;
};

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_clixml: %s\n", what);
    __builtin_trap();
}



static int check_record(void *ctx, const struct mt_record *r)
{
    struct state *st = ctx;

    if (r->text == NULL || r->text[r->len] != '\0' ||
        strlen(r->text) != r->len) {
        fail("text not NUL-terminated or holds NUL");
    }
    if (r->len > st->max_record) {
        fail("text longer than max_record");
    }
    if (r->kind == MT_REC_FIELD) {
        if (r->label != r->text || r->value == NULL ||
            r->label_len + 3 > r->len ||
            memcmp(r->text + r->label_len, " : ", 3) != 0 ||
            r->value != r->text + r->label_len + 3 ||
            r->value + r->value_len != r->text + r->len) {
            fail("label or value outside text");
        }
    }
    if (r->kind == MT_REC_BLANK && r->len != 0) {
        fail("blank record with text");
    }
    if (r->kind == MT_REC_LINE && memchr(r->text, '\n', r->len) != NULL) {
        fail("line record with a line end");
    }
    if (r->line < 1 || r->last_line < r->line) {
        fail("line numbers");
    }
    if (!fuzz_valid_utf8(r->text, r->len, 0)) {
        fail("record is not valid UTF-8");
    }
    st->hash = mt_hash(&r->kind, sizeof(r->kind), st->hash);
    st->hash = mt_hash(r->text, r->len + 1, st->hash);
    st->hash = mt_hash(&r->line, sizeof(r->line), st->hash);
    st->records++;
    return 0;
}

static void on_message(void *ctx, enum mt_msg_level level,
                       const char *origin, const char *text)
{
    struct state *st = ctx;

    (void)origin;
    st->hash = mt_hash(&level, sizeof(level), st->hash);
    st->hash = mt_hash(text, strlen(text), st->hash);
}

static const struct mt_sink_ops check_ops = {NULL, check_record, NULL};

static void run(const char *text, size_t n, size_t chunk, size_t max_record,
                struct state *st)
{
    uint64_t limits[MT_LIMIT_COUNT_];
    struct mt_scan scan;
    struct mt_format_reader *r;
    size_t off = 0, k;

    memset(limits, 0, sizeof(limits));
    limits[MT_LIMIT_RECORD_BYTES] = max_record;
    limits[MT_LIMIT_LINE_BYTES] = MT_MAX_LINE;
    memset(st, 0, sizeof(*st));
    st->max_record = max_record;
    st->hash = MT_HASH_SEED;
    mt_scan_init(&scan, limits, &check_ops, st, on_message, st);
    r = mt_format_clixml.open(&scan, "fuzz");
    if (r == NULL) {
        fail("open");
    }
    while (off < n) {
        k = n - off < chunk ? n - off : chunk;
        if (mt_format_clixml.feed(r, text + off, k) != 0) {
            fail("feed failed");
        }
        off += k;
    }
    if (mt_format_clixml.finish(r) != 0) {
        fail("finish failed");
    }
    mt_format_clixml.free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct state whole, chunked;
    size_t chunk, max_record, n, i = 0, k;
    char *text;

    if (size < 2) {
        return 0;
    }
    chunk = 1 + data[0] % 64;
    max_record = 16 + data[1];
    data += 2;
    size -= 2;

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
    (void)mt_format_clixml.bid(text, n);
    run(text, n, n ? n : 1, max_record, &whole);
    run(text, n, chunk, max_record, &chunked);
    if (whole.hash != chunked.hash || whole.records != chunked.records) {
        fail("chunking changed the records or messages");
    }
    free(text);
    return 0;
}
