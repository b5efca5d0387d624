/* fuzz_jsonfast.c: differential libFuzzer target for the fast JSON path
 * (jsonfast.c) against Jansson, which it stands in for when loading the
 * knowledge base. Whatever the fast path accepts, Jansson must accept too
 * and read as an equal value with the keys in the same order; the fast
 * path may decline anything (the caller then asks Jansson).
 * Build: CC=clang cmake -DMT_FUZZ=ON ...; run: ./fuzz_jsonfast -max_len=4096 */
#include "jsonfast.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_jsonfast: %s\n", what);
    abort();
}

/* json_equal ignores key order; the loader's output (lint messages, kb
 * list) follows it, so compare the order as well. */
static void same_order(json_t *a, json_t *b)
{
    if (json_is_object(a)) {
        void *ia = json_object_iter(a), *ib = json_object_iter(b);
        while (ia != NULL && ib != NULL) {
            if (strcmp(json_object_iter_key(ia), json_object_iter_key(ib))) {
                fail("keys in another order");
            }
            same_order(json_object_iter_value(ia), json_object_iter_value(ib));
            ia = json_object_iter_next(a, ia);
            ib = json_object_iter_next(b, ib);
        }
        if (ia != NULL || ib != NULL) {
            fail("another number of keys");
        }
    } else if (json_is_array(a)) {
        size_t i;
        for (i = 0; i < json_array_size(a); i++) {
            same_order(json_array_get(a, i), json_array_get(b, i));
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *fast = mt_json_fast_object((const char *)data, size);
    json_t *slow;
    json_error_t err;

    if (fast == NULL) {
        return 0;
    }
    slow = json_loadb((const char *)data, size,
                      JSON_REJECT_DUPLICATES,
                      &err);
    if (slow == NULL) {
        fail("accepted what Jansson rejects");
    }
    if (!json_equal(fast, slow)) {
        fail("read a value differently from Jansson");
    }
    same_order(fast, slow);
    json_decref(fast);
    json_decref(slow);
    return 0;
}
