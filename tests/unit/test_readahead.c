/* test_readahead.c: the read-ahead stream hands out exactly the upstream's
 * bytes, in order, then its end or its error. */
#include "unit.h"

#include <stdlib.h>

#include "migtriage.h"
#include "readahead.h"
#include "scan.h"
#include "stream.h"
#include "util.h"

/* An upstream that yields n bytes of a known pattern in odd-sized pieces,
 * then fails when fail is set. */
struct pattern_state {
    size_t n;
    size_t pos;
    int fail;
};

static ptrdiff_t pattern_read(struct mt_stream *s, void *buf, size_t cap)
{
    struct pattern_state *st = s->state;
    unsigned char *out = buf;
    size_t i, k = cap < 7777 ? cap : 7777;

    if (st->pos == st->n) {
        if (st->fail) {
            snprintf(s->errmsg, sizeof(s->errmsg), "disk on fire");
            return MT_EINPUT;
        }
        return 0;
    }
    if (k > st->n - st->pos) {
        k = st->n - st->pos;
    }
    for (i = 0; i < k; i++) {
        out[i] = (unsigned char)((st->pos + i) * 31 % 251);
    }
    st->pos += k;
    return (ptrdiff_t)k;
}

static const struct mt_stream_ops pattern_ops = {"pattern", pattern_read,
                                                 NULL};

static void run_case(size_t n, int fail)
{
    struct pattern_state st = {n, 0, fail};
    struct mt_stream *up = mt_stream_new(&pattern_ops, &st, NULL, NULL);
    struct mt_stream *ra = mt_readahead_open(up, 65536);
    unsigned char buf[5000];
    size_t got = 0, bad = 0, i;
    ptrdiff_t r;

    ASSERT_TRUE(ra != NULL);
    while ((r = mt_stream_read(ra, buf, sizeof(buf))) > 0) {
        for (i = 0; i < (size_t)r; i++) {
            bad += buf[i] != (unsigned char)((got + i) * 31 % 251);
        }
        got += (size_t)r;
    }
    ASSERT_INT_EQ(got, n);
    ASSERT_INT_EQ(bad, 0);
    if (fail) {
        ASSERT_INT_EQ(r, MT_EINPUT);
        ASSERT_STR_EQ(ra->errmsg, "disk on fire");
        /* The error is sticky. */
        ASSERT_INT_EQ(mt_stream_read(ra, buf, sizeof(buf)), MT_EINPUT);
    } else {
        ASSERT_INT_EQ(r, 0);
        ASSERT_INT_EQ(mt_stream_read(ra, buf, sizeof(buf)), 0);
    }
    mt_stream_free(ra);
    mt_stream_free(up);
}

TEST(readahead_passes_bytes_in_order)
{
    run_case(3 * 1024 * 1024 + 17, 0);
    run_case(0, 0);
    run_case(65536, 0);
}

TEST(readahead_passes_error_after_data)
{
    run_case(1000000, 1);
    run_case(0, 1);
}

/* Freeing the stream before the end stops and joins the thread. */
TEST(readahead_early_close)
{
    struct pattern_state st = {50 * 1024 * 1024, 0, 0};
    struct mt_stream *up = mt_stream_new(&pattern_ops, &st, NULL, NULL);
    struct mt_stream *ra = mt_readahead_open(up, 65536);
    unsigned char buf[100];

    ASSERT_TRUE(ra != NULL);
    ASSERT_INT_EQ(mt_stream_read(ra, buf, sizeof(buf)), 100);
    mt_stream_free(ra);
    ASSERT_TRUE(st.pos < st.n);
    mt_stream_free(up);
}
