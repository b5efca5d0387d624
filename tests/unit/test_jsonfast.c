/* test_jsonfast.c: the data files' fast JSON path (jsonfast.c) reads
 * every data file of the repository to the same values, keys in the same
 * order, as Jansson; and on text Jansson rejects (or that the fast path
 * does not take) it gives NULL, leaving the verdict and the message to
 * Jansson. */
#define _XOPEN_SOURCE 700
#include "jsonfast.h"
#include "unit.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Dumps compared as text: same values and same key order. */
static int same_json(json_t *a, json_t *b)
{
    char *da = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
    char *db = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);
    int same = da != NULL && db != NULL && strcmp(da, db) == 0;

    free(da);
    free(db);
    return same;
}

/* The fast path either declines or agrees with Jansson. Returns whether
 * it took the text. */
static int agrees(const char *text, size_t len)
{
    json_error_t err;
    json_t *fast = mt_json_fast_object(text, len);
    json_t *slow = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    int took = fast != NULL;

    if (fast != NULL) {
        if (slow == NULL) {
            UNIT_FAIL("fast path took what Jansson rejects (%s): %.60s",
                      err.text, text);
        } else if (!same_json(fast, slow)) {
            UNIT_FAIL("fast path read differently: %.60s", text);
        }
    }
    json_decref(fast);
    json_decref(slow);
    return took;
}

static int files_taken, files_seen;

static int check_file(const char *path, const struct stat *st, int type,
                      struct FTW *ftw)
{
    size_t n = strlen(path), len;
    FILE *f;
    char *text;

    (void)ftw;
    if (type != FTW_F || n < 5 || strcmp(path + n - 5, ".json") != 0) {
        return 0;
    }
    f = fopen(path, "rb");
    text = malloc((size_t)st->st_size + 1);
    if (f == NULL || text == NULL) {
        UNIT_FAIL("cannot read %s", path);
    } else {
        len = fread(text, 1, (size_t)st->st_size, f);
        files_seen++;
        files_taken += agrees(text, len);
    }
    if (f != NULL) {
        fclose(f);
    }
    free(text);
    return 0;
}

TEST(jsonfast_data_files_as_jansson)
{
    files_taken = files_seen = 0;
    nftw(MT_SOURCE_DATA_DIR "/patterns", check_file, 8, FTW_PHYS);
    nftw(MT_SOURCE_DATA_DIR "/kb", check_file, 8, FTW_PHYS);
    nftw(MT_TEST_DATA "/cases", check_file, 8, FTW_PHYS);
    nftw(MT_TEST_DATA "/fixtures", check_file, 8, FTW_PHYS);
    nftw(MT_TEST_DATA "/torture", check_file, 8, FTW_PHYS);
    fprintf(stderr, "fast path took %d of %d data files\n", files_taken,
            files_seen);
    ASSERT_TRUE(files_seen > 40);
    /* The shipped knowledge is all plain valid JSON: none left over. */
    ASSERT_TRUE(files_taken + 4 >= files_seen);
}

TEST(jsonfast_takes_valid_shapes)
{
    static const char *const valid[] = {
        "{}",
        " \r\n\t{ \"a\" : [ ] , \"b\" : { } }\n",
        "{\"a\":[[],{}],\"b\":null,\"c\":false,\"d\":true}",
        "{\"n\":-0,\"m\":123456789012345678,\"k\":-42}",
        "{\"s\":\"tab\\tquote\\\"slash\\/back\\\\\\b\\f\\n\\r\"}",
        "{\"\\u00e9t\\u00e9\":\"\\ud83d\\ude00 \\u20ac \\u0041\"}",
        "{\"utf8\":\"caf\xc3\xa9 \xe2\x80\x99 \xf0\x9f\x98\x80\"}",
        "{\"k\\\"ey\":1,\"key\":2}",
    };
    size_t i;

    for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        if (!agrees(valid[i], strlen(valid[i]))) {
            UNIT_FAIL("fast path declined valid text: %s", valid[i]);
        }
    }
}

TEST(jsonfast_declines_what_jansson_rejects)
{
    static const char *const declined[] = {
        "",
        "[1]",
        "{} x",
        "{\"a\":1,}",
        "{\"a\":1 \"b\":2}",
        "{\"a\":01}",
        "{\"a\":-}",
        "{\"a\":1.5}",
        "{\"a\":1e3}",
        "{\"a\":99999999999999999999}",
        "{\"a\":tru}",
        "{\"a\":truex}",
        "{\"a\":nul}",
        "{\"a\":\"\\u0000\"}",
        "{\"a\":\"\\ud800\"}",
        "{\"a\":\"\\udc00\"}",
        "{\"a\":\"\\ud800\\u0041\"}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12g4\"}",
        "{\"a\":\"x\ty\"}",
        "{\"a\":\"\xc0\xaf\"}",
        "{\"a\":\"\xed\xa0\x80\"}",
        "{\"a\":\"\xf4\x90\x80\x80\"}",
        "{\"a\":\"\xe2\x80\"}",
        "{\"a\":\"unterminated}",
        "{\"a\":1,\"a\":2}",
        "{\"a\":1,\"\\u0061\":2}",
        "{\"o\":{\"b\":[1],\"c\":2,\"b\":{}}}",
        "{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,"
        "\"h\":1,\"i\":1,\"j\":1,\"a\":null}",
        "{a:1}",
        "\xef\xbb\xbf{}",
    };
    size_t i;

    for (i = 0; i < sizeof(declined) / sizeof(declined[0]); i++) {
        if (mt_json_fast_object(declined[i], strlen(declined[i])) != NULL) {
            UNIT_FAIL("fast path took: %s", declined[i]);
        }
        agrees(declined[i], strlen(declined[i]));
    }
}

TEST(jsonfast_deep_nesting_left_to_jansson)
{
    char text[1024];
    size_t i, n = 0;

    n += (size_t)snprintf(text, sizeof(text), "{\"a\":");
    for (i = 0; i < 100; i++) {
        text[n++] = '[';
    }
    for (i = 0; i < 100; i++) {
        text[n++] = ']';
    }
    text[n++] = '}';
    ASSERT_TRUE(mt_json_fast_object(text, n) == NULL);
    agrees(text, n);
}

/* Strings are crossed eight bytes at a time and the word that holds the
 * first quote, backslash, control or non-ASCII byte says where it is:
 * each such byte at every offset of two words, after plain text and
 * after an escape, reads as Jansson reads it (or is declined with it). */
TEST(jsonfast_special_byte_at_every_offset)
{
    static const char *const specials[] = {"\\\"", "\\\\", "\\n", "\\u00e9",
                                           "\xc3\xa9", "\xe2\x80\x99",
                                           "\x7f", "\t", "\"", "\x01"};
    char text[128];
    size_t s, at, k;
    int len;

    for (s = 0; s < sizeof(specials) / sizeof(specials[0]); s++) {
        for (at = 0; at < 34; at++) {
            for (k = 0; k < 2; k++) {
                len = snprintf(text, sizeof(text),
                               "{\"k\":\"%s%.*s%sabcdefghijklmnop\"}",
                               k ? "\\/" : "", (int)at,
                               "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                               specials[s]);
                ASSERT_TRUE(len > 0 && (size_t)len < sizeof(text));
                agrees(text, (size_t)len);
            }
        }
    }
}

/* Blank runs of every length around 16 (the fast path's step) between
 * the tokens, of each blank byte and a mix, then a byte that is not
 * blank where a token may not start. */
TEST(jsonfast_blank_runs_of_every_length)
{
    static const char blanks[] = " \n\r\t";
    char text[512], run[48];
    size_t b, n, i;
    int len;

    for (b = 0; b <= 4; b++) {
        for (n = 0; n < 40; n++) {
            for (i = 0; i < n; i++) {
                run[i] = b < 4 ? blanks[b] : blanks[i % 4];
            }
            run[n] = '\0';
            len = snprintf(text, sizeof(text),
                           "%s{%s\"k\"%s:%s[%s1%s,%s\"v\"%s]%s}%s", run, run,
                           run, run, run, run, run, run, run, run);
            ASSERT_TRUE(len > 0 && (size_t)len < sizeof(text));
            agrees(text, (size_t)len);
            len = snprintf(text, sizeof(text), "{\"k\":%s\v1}", run);
            agrees(text, (size_t)len);
        }
    }
}
