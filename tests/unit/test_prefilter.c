/* test_prefilter.c: the block scan reports every occurrence of every
 * literal, without ASCII case, with its start and end: the same set a
 * byte-by-byte search finds. Hyperscan builds give a literal that holds a
 * shorter one ("MapiExceptionNotFound" holds "exception") no entry of its
 * own and look for it around each occurrence of that key (keyed
 * literals), so the texts here put keyed literals at the edges of the
 * text, overlapping each other, in mixed case, holding their key twice,
 * and cut short just before the text ends. Literals longer than 27
 * bytes go to Hyperscan as their first 27 bytes (shared by two here) and
 * are confirmed whole. */
#include "prefilter.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

struct span {
    size_t start, end;
    int id;
};

struct spans {
    struct span v[4096];
    size_t n;
};

static void on_span(void *ctx, int id, size_t start, size_t end)
{
    struct spans *s = ctx;

    if (s->n < sizeof(s->v) / sizeof(s->v[0])) {
        s->v[s->n].start = start;
        s->v[s->n].end = end;
        s->v[s->n++].id = id;
    }
}

static int compare_spans(const void *a, const void *b)
{
    const struct span *x = a, *y = b;

    if (x->end != y->end) {
        return x->end < y->end ? -1 : 1;
    }
    if (x->start != y->start) {
        return x->start < y->start ? -1 : 1;
    }
    return (x->id > y->id) - (x->id < y->id);
}

static unsigned char fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Every occurrence of every literal, found one position at a time. */
static void naive(const char *const *lits, size_t nlits, const char *text,
                  struct spans *out)
{
    size_t n = strlen(text), i, k, j;

    out->n = 0;
    for (k = 0; k < nlits; k++) {
        size_t len = strlen(lits[k]);
        for (i = 0; i + len <= n; i++) {
            for (j = 0; j < len && fold((unsigned char)text[i + j]) ==
                                       fold((unsigned char)lits[k][j]);
                 j++) {
            }
            if (j == len) {
                on_span(out, (int)k, i, i + len);
            }
        }
    }
}

/* Shares of the literal list: keys, literals keyed on them (one holding
 * its key twice, two on the same key, one keyed on a keyed one's key),
 * two ids on one literal, and a literal too short to be a key. */
static const char *const lits[] = {
    "exception",
    "MapiExceptionNotFound",
    "MapiExceptionNotFoundException",
    "StoragePermanentException",
    "failed",
    "Move failed",
    "move FAILED.",
    "HCW8078",
    "HCW",
    "exception",
    "TooManyLargeItems",
    "ItemsException",
    "nn",
    "The call to the remote server timed out",
    "The call to the remote server broke down",
    "Warning: the call to the remote server broke down twice",
    "A reply from the remote server came too late",
};
#define NLITS (sizeof(lits) / sizeof(lits[0]))

static const char *const texts[] = {
    "MapiExceptionNotFound",
    "mapiexceptionnotfoundexception and EXCEPTION",
    "xMapiExceptionNotFoun",
    "apiExceptionNotFound at the start, MapiException at the end",
    "StoragePermanentExceptionStoragePermanentException",
    "Move failed. move failed. MOVE FAILED.MOVE FAILED",
    "TooManyLargeItemsException: TooManyLargeItemsExceptio",
    "HCW8078 HCW807 hcw8078HCW8078",
    "",
    "exceptionexceptionexception",
    "Error: MapiExceptionNotFoundException (hr=0x8004010f) failed",
    "The call to the remote server timed out",
    "WARNING: THE CALL TO THE REMOTE SERVER BROKE DOWN TWICE and The call "
    "to the remote server timed out",
    "he call to the remote server broke down twice",
    "A reply from the remote server came too lateA reply from the remote "
    "server came too late",
};

static void check_text(struct mt_prefilter *pf, const char *text)
{
    static struct spans got, want;
    size_t i;

    got.n = 0;
    mt_prefilter_scan_spans(pf, text, strlen(text), on_span, &got);
    naive(lits, NLITS, text, &want);
    qsort(got.v, got.n, sizeof(got.v[0]), compare_spans);
    qsort(want.v, want.n, sizeof(want.v[0]), compare_spans);
    ASSERT_INT_EQ(got.n, want.n);
    for (i = 0; i < got.n && i < want.n; i++) {
        if (compare_spans(&got.v[i], &want.v[i]) != 0) {
            UNIT_FAIL("\"%s\": span %zu is %d [%zu, %zu), expected %d "
                      "[%zu, %zu)",
                      text, i, got.v[i].id, got.v[i].start, got.v[i].end,
                      want.v[i].id, want.v[i].start, want.v[i].end);
            break;
        }
    }
}

TEST(prefilter_spans_same_as_naive_search)
{
    struct mt_prefilter *pf = mt_prefilter_new();
    size_t i, cut;

    for (i = 0; i < NLITS; i++) {
        ASSERT_INT_EQ(mt_prefilter_add(pf, lits[i], strlen(lits[i]), (int)i),
                      0);
    }
    ASSERT_INT_EQ(mt_prefilter_build(pf), 0);
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        char buf[512];
        /* Each text, and each of its prefixes: a keyed literal cut
         * short by the end of the text is not there. */
        for (cut = 0; cut <= strlen(texts[i]); cut++) {
            memcpy(buf, texts[i], cut);
            buf[cut] = '\0';
            check_text(pf, buf);
        }
        /* And each of its suffixes: one that starts before the text. */
        for (cut = 0; cut <= strlen(texts[i]); cut++) {
            check_text(pf, texts[i] + cut);
        }
    }
    mt_prefilter_free(pf);
}
