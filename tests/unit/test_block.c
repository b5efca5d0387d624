/* test_block.c: the block path (one prefilter scan per fed block, records
 * of one line pointing into it) against the record path (each record
 * scanned alone), on the same text fed in every way: a match straddling
 * two blocks, a record longer than a block, CRLF split between blocks,
 * wrapped Format-List values, UTF-8 cut by a block end, error words in a
 * label. Whatever the chunking, both must give the same records and hits,
 * whether the splitter copies each chunk or cuts it in place; and so must
 * the block path on two threads (pipeline.h): blocks decoded on one
 * thread, prefiltered on either, cut and matched on the other. */
#include "match.h"
#include "migtriage.h"
#include "patterns.h"
#include "pipeline.h"
#include "prefilter.h"
#include "split.h"
#include "unit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Signatures of the tests: a finding keyed on a literal, one whose literal
 * starts with a blank (it must not be found across an indentation the
 * record leaves out), a context signature anchored at the record start. */
static const char knowledge[] =
    "{\"schema\": 1, \"family\": \"blk\", \"signatures\": [\n"
    " {\"id\": \"blk.widget\", \"rev\": 1, \"article\": \"a\",\n"
    "  \"severity\": \"error\", \"literal\": \"WidgetFailure\",\n"
    "  \"pattern\": \"WidgetFailure: (?<what>[A-Za-z]+)\"},\n"
    " {\"id\": \"blk.spaced\", \"rev\": 1, \"article\": \"a\",\n"
    "  \"severity\": \"warning\", \"literal\": \"  deep gadget\",\n"
    "  \"pattern\": \"  deep gadget (?<n>\\\\d+)\"},\n"
    " {\"id\": \"blk.who\", \"rev\": 1, \"kind\": \"context\",\n"
    "  \"literal\": \"Identity\",\n"
    "  \"pattern\": \"^Identity\\\\s*:[ \\\\t]*(?<mailbox>\\\\S.*?)\\\\s*$\"}\n"
    "]}\n";

struct fixture {
    char dir[64];
    struct mt_patterns p;
    struct mt_problems probs;
    struct mt_matcher *m;
};

static int fixture_open(struct fixture *f)
{
    char path[128];
    FILE *fp;

    memset(f, 0, sizeof(*f));
    setenv("MT_CACHE_DIR", "", 1); /* no compiled database left behind */
    strcpy(f->dir, "/tmp/mt-block-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        return -1;
    }
    snprintf(path, sizeof(path), "%s/blk.json", f->dir);
    fp = fopen(path, "w");
    if (fp == NULL) {
        return -1;
    }
    fputs(knowledge, fp);
    fclose(fp);
    if (mt_patterns_load(&f->p, f->dir, &f->probs) != 0) {
        return -1;
    }
    unlink(path);
    rmdir(f->dir);
    f->m = mt_matcher_new(&f->p, NULL, 1000000, 1000);
    return f->p.n == 3 && f->m != NULL ? 0 : -1;
}

static void fixture_close(struct fixture *f)
{
    mt_matcher_free(f->m);
    mt_patterns_free(&f->p);
    mt_problems_free(&f->probs);
}

/* What the sink saw, as one string: a line per record and per hit. */
struct seen {
    struct mt_matcher *m;
    char out[16384];
    size_t len;
    const char *blk; /* the block being fed, for the in-place count */
    size_t blk_len;
    int in_block; /* records that pointed into a block */
    int quiet;    /* records the quiet path took (mt_matcher_quiet) */
    long records, hits, error_like; /* totals, past what out can hold */
};

static void say(struct seen *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(struct seen *s, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(s->out + s->len, sizeof(s->out) - s->len, fmt, ap);
    va_end(ap);
    if (n > 0) {
        s->len += (size_t)n < sizeof(s->out) - s->len
                      ? (size_t)n
                      : sizeof(s->out) - s->len - 1;
    }
}

static int on_hit(void *ctx, const struct mt_hit *h)
{
    struct seen *s = ctx;
    int i;

    s->hits++;
    say(s, "  hit %s %zu-%zu", h->sig->id, h->start, h->end);
    for (i = 0; i < h->ncaps; i++) {
        say(s, " %s=%.*s", h->caps[i].name, (int)h->caps[i].len,
            h->caps[i].value);
    }
    say(s, "\n");
    return 0;
}

static int on_record(void *ctx, const struct mt_record *r)
{
    struct seen *s = ctx;
    int error_like = 0, n;

    /* The record contract holds for records that point into a block. */
    ASSERT_INT_EQ(r->text[r->len], 0);
    if (s->blk != NULL && r->text >= s->blk &&
        r->text < s->blk + s->blk_len) {
        s->in_block++;
    }
    say(s, "%d %llu-%llu [%s]", (int)r->kind, (unsigned long long)r->line,
        (unsigned long long)r->last_line, r->text);
    n = mt_matcher_run(s->m, r, on_hit, s, &error_like);
    s->records++;
    s->error_like += error_like;
    say(s, " found=%d error_like=%d\n", n, error_like);
    return 0;
}

static const struct mt_sink_ops seen_ops = {NULL, on_record, NULL};

/* The quiet path: a record it takes must be one the matcher finds nothing
 * in (checked by running it anyway); it is written as on_record would. */
static int on_quiet(void *ctx, const struct mt_record *r)
{
    struct seen *s = ctx;
    long hits = s->hits;
    int error_like = 1, n;

    if (!mt_matcher_quiet(s->m, r)) {
        return 0;
    }
    ASSERT_INT_EQ(r->text[r->len], 0);
    ASSERT_TRUE(r->alt == NULL);
    n = mt_matcher_run(s->m, r, on_hit, s, &error_like);
    ASSERT_INT_EQ(n, 0);
    ASSERT_INT_EQ(error_like, 0);
    ASSERT_INT_EQ(mt_matcher_name_seen(s->m), 0);
    ASSERT_TRUE(s->hits == hits);
    s->in_block++;
    s->quiet++;
    s->records++;
    say(s, "%d %llu-%llu [%s] found=0 error_like=0\n", (int)r->kind,
        (unsigned long long)r->line, (unsigned long long)r->last_line,
        r->text);
    return 1;
}

static void on_block(void *ctx, const char *text, size_t n)
{
    struct seen *s = ctx;

    s->blk = text;
    s->blk_len = n;
    mt_matcher_block(s->m, text, n);
}

/* Runs text through a splitter fed in chunks of at most chunk bytes (0:
 * whole), with or without the block path; fills s. blocks 2 feeds each
 * chunk in place from a scratch copy, which is overwritten after each
 * call: nothing may point into it later. */
static void run(struct fixture *f, const char *text, size_t n, size_t chunk,
                int blocks, size_t max_line, struct seen *s)
{
    struct mt_split_config cfg;
    struct mt_splitter *sp;
    size_t off = 0, k;
    char *scratch = blocks == 2 ? malloc(n + 1) : NULL;

    memset(s, 0, sizeof(*s));
    s->m = f->m;
    memset(&cfg, 0, sizeof(cfg));
    cfg.max_line = max_line;
    cfg.max_record = 4096;
    cfg.sink = &seen_ops;
    cfg.sink_ctx = s;
    if (blocks) {
        cfg.block = on_block;
        cfg.block_ctx = s;
        cfg.quiet = on_quiet;
    }
    sp = mt_splitter_new(&cfg);
    ASSERT_TRUE(sp != NULL);
    if (sp == NULL) {
        return;
    }
    while (off < n) {
        k = chunk == 0 || n - off < chunk ? n - off : chunk;
        if (scratch != NULL) {
            memcpy(scratch, text + off, k);
            ASSERT_INT_EQ(mt_splitter_feed_in_place(sp, scratch, k), 0);
            memset(scratch, '#', k);
        } else {
            ASSERT_INT_EQ(mt_splitter_feed(sp, text + off, k), 0);
        }
        off += k;
    }
    ASSERT_INT_EQ(mt_splitter_finish(sp), 0);
    mt_splitter_free(sp);
    free(scratch);
    /* The block ended with its feed: a later record cannot use it. */
    ASSERT_TRUE(s->blk == NULL);
}

/* Every chunk size from 1 to past the text, and the whole text at once:
 * the block path gives what the record path gives, and at least once
 * (the whole text) takes records from the block. */
static int same_every_way(const char *text, size_t max_line)
{
    struct fixture f;
    static struct seen want, got;
    size_t n = strlen(text), chunk;
    int quiet = 0;

    ASSERT_INT_EQ(fixture_open(&f), 0);
    if (f.m == NULL) {
        fixture_close(&f);
        return 0;
    }
    run(&f, text, n, 0, 0, max_line, &want);
    ASSERT_INT_EQ(want.in_block, 0);
    for (chunk = 0; chunk <= n + 1; chunk++) {
        run(&f, text, n, chunk, 1, max_line, &got);
        if (strcmp(got.out, want.out) != 0) {
            UNIT_FAIL("chunk %zu:\n--- record path\n%s--- block path\n%s",
                      chunk, want.out, got.out);
            break;
        }
        if (chunk == 0) {
            ASSERT_TRUE(got.in_block > 0);
            quiet = got.quiet;
        }
        run(&f, text, n, chunk, 2, max_line, &got);
        if (strcmp(got.out, want.out) != 0) {
            UNIT_FAIL("chunk %zu:\n--- record path\n%s--- in place\n%s",
                      chunk, want.out, got.out);
            break;
        }
    }
    fixture_close(&f);
    return quiet;
}

TEST(block_match_straddles_blocks)
{
    /* Chunks of every size cut the literal, the line and the capture. */
    same_every_way("3/29/2021 3:32:27 PM [EXCH] Copy progress: 1/2 "
                   "messages.\n"
                   "3/29/2021 3:32:28 PM [EXCH] WidgetFailure: Sprocket "
                   "stopped.\n"
                   "healthy line\n"
                   "WidgetFailure: Cog WidgetFailure: Gear\n",
                   1024);
}

TEST(block_record_longer_than_block)
{
    /* An entry with indented continuation lines (joined into a copy) and
     * a line longer than the line limit (cut), both longer than most
     * chunks. */
    same_every_way("Exception in worker: WidgetFailure: Axle\n"
                   "   at Widget.Run() in worker.cs:line 42\n"
                   "   at Widget.Main() in worker.cs:line 7\n"
                   "x WidgetFailure: Spindle and a long tail that the "
                   "line limit cuts off before its end\n"
                   "after WidgetFailure: Cam\n"
                   "end\n",
                   48);
}

TEST(block_crlf_split_between_blocks)
{
    same_every_way("first error line\r\n"
                   "WidgetFailure: Bolt\r\n"
                   "\r\n"
                   "lone CR\rWidgetFailure: Nut\r\n"
                   "last without end WidgetFailure: Pin",
                   1024);
}

TEST(block_format_list_wrapped)
{
    /* A Format-List object: a wrapped value (joined mid-word, with an alt
     * form) holds the literal across the wrap; Identity is context; an
     * error word in a label only. */
    same_every_way("\r\n"
                   "Identity       : contoso.com/Users/jdoe\r\n"
                   "FailureType    : \r\n"
                   "Message        : Error: WidgetFail\r\n"
                   "                 ure: Washer was seen\r\n"
                   "Status         : Failed\r\n"
                   "\r\n",
                   1024);
}

TEST(block_utf8_and_indentation)
{
    /* A block end can fall inside a multi-byte character; a literal that
     * starts with blanks must not be found across the indentation a
     * record leaves out, yet is found inside a line. */
    same_every_way("caf\xc3\xa9 \xe2\x80\x99 WidgetFailure: R\xc3\xa9sum\n"
                   "\n"
                   "  deep gadget 12\n"
                   "text  deep gadget 34\n"
                   "\xe4\xb8\xad\xe6\x96\x87 failed to WidgetFailure: X\n",
                   1024);
}

TEST(block_quiet_lines_next_to_candidates)
{
    /* Lines without a literal go past the sink only when they stay one
     * line: a label line whose wrapped value completes the literal, a
     * line an indented literal continues, a stack frame joined to a quiet
     * line, a quiet label after a blank, a last line without its end. Each
     * chunking must give what the record path gives, and the whole text
     * takes the quiet path for the three quiet lines that stay one line
     * (the record open at the end of a feed is copied, never quiet). */
    int quiet = same_every_way(
        "quiet line one\r\n"
        "Message        : a quiet value that wraps and then Widget\r\n"
        "                 Failure: Hinge\r\n"
        "quiet line two\r\n"
        "  indented WidgetFailure: Latch\r\n"
        "quiet line three\r\n"
        "   at Quiet.Frame() in quiet.cs:line 3\r\n"
        "\r\n"
        "Name           : quiet\r\n"
        "Size           : 12 MB\r\n"
        "plain WidgetFailure: Clasp\r\n"
        "quiet line four\n"
        "last quiet line without its end",
        1024);

    ASSERT_INT_EQ(quiet, 3);
}

TEST(block_anchored_literal_elsewhere)
{
    /* A signature whose pattern starts with its literal at the record
     * start ("^Identity\\s*:") is no candidate where the literal lies
     * further on: the two label lines that only end in "Identity" take
     * the quiet path; the Identity line itself is still context, on
     * every chunking (same_every_way compares the hits). */
    int quiet = same_every_way(
        "SourceMailboxIdentity : contoso.com/Users/ann\r\n"
        "Identity              : contoso.com/Users/jdoe\r\n"
        "TargetIdentity        : fabrikam.com/Users/ann\r\n"
        "\r\n"
        "end\r\n",
        1024);

    ASSERT_INT_EQ(quiet, 2);
}

struct spans {
    int n;
    size_t start[8], end[8];
    int id[8];
};

static void on_span(void *ctx, int id, size_t start, size_t end)
{
    struct spans *s = ctx;

    if (s->n < 8) {
        s->start[s->n] = start;
        s->end[s->n] = end;
        s->id[s->n++] = id;
    }
}

TEST(block_prefilter_spans)
{
    struct mt_prefilter *pf = mt_prefilter_new();
    const char *text = "xx FAILED, then failed again; Widget";
    struct spans s;

    ASSERT_TRUE(pf != NULL);
    if (pf == NULL) {
        return;
    }
    ASSERT_INT_EQ(mt_prefilter_add(pf, "failed", 6, 1), 0);
    ASSERT_INT_EQ(mt_prefilter_add(pf, "widget", 6, 2), 0);
    ASSERT_INT_EQ(mt_prefilter_build(pf), 0);
    memset(&s, 0, sizeof(s));
    mt_prefilter_scan_spans(pf, text, strlen(text), on_span, &s);
    /* Every occurrence, in order of end, with where it starts. */
    ASSERT_INT_EQ(s.n, 3);
    ASSERT_INT_EQ(s.id[0], 1);
    ASSERT_INT_EQ(s.start[0], 3);
    ASSERT_INT_EQ(s.end[0], 9);
    ASSERT_INT_EQ(s.id[1], 1);
    ASSERT_INT_EQ(s.start[1], 16);
    ASSERT_INT_EQ(s.end[1], 22);
    ASSERT_INT_EQ(s.id[2], 2);
    ASSERT_INT_EQ(s.start[2], 30);
    ASSERT_INT_EQ(s.end[2], 36);
    mt_prefilter_free(pf);
}

/* count copies of line, as one malloc'd string of *n bytes. */
static char *repeated(const char *line, size_t count, size_t *n)
{
    size_t len = strlen(line), i;
    char *text = malloc(len * count + 1);

    *n = len * count;
    if (text != NULL) {
        for (i = 0; i < count; i++) {
            memcpy(text + i * len, line, len);
        }
        text[*n] = '\0';
    }
    return text;
}


/* ---- the block path on two threads (pipeline.h) ---- */

/* The producer: cuts the text into blocks of chunk bytes, as the decoder
 * hands out its blocks: every other one in the slot's input buffer (as
 * plain ASCII is), the others in its output buffer (as converted text
 * is). */
struct piped {
    struct mt_pipeline *p;
    const char *text;
    size_t n;
    size_t chunk;
    long published;
};

static int produce_chunks(void *arg)
{
    struct piped *pp = arg;
    size_t off = 0, k;
    char *buf;
    int rc;

    while (off < pp->n) {
        k = pp->n - off < pp->chunk ? pp->n - off : pp->chunk;
        buf = pp->published % 2 == 0 ? mt_pipeline_input(pp->p)
                                     : mt_pipeline_output(pp->p);
        if (buf == NULL) {
            return MT_EINPUT; /* the consumer stopped */
        }
        memcpy(buf, pp->text + off, k);
        rc = mt_pipeline_publish(pp->p, buf, k);
        pp->published++; /* handed over, even when told to stop */
        if (rc != 0) {
            return rc;
        }
        off += k;
    }
    return 0;
}

/* The consumer: the splitter, whose sink stops at block fail_at. */
struct feeder {
    struct mt_splitter *sp;
    long blocks;
    long fail_at; /* 0: never */
};

static int feed_splitter(void *ctx, char *text, size_t n)
{
    struct feeder *fd = ctx;

    if (++fd->blocks == fd->fail_at) {
        return MT_ENOMEM; /* as a sink out of memory would */
    }
    return mt_splitter_feed_in_place(fd->sp, text, n); /* as the reader */
}

/* As run() with blocks, on two threads through a ring of nslots; returns
 * what the consumer returned. */
static int run_piped(struct fixture *f, const char *text, size_t n,
                     size_t chunk, size_t nslots, long fail_at,
                     struct seen *s)
{
    struct mt_split_config cfg;
    struct feeder fd;
    struct piped pp;
    unsigned long long by_producer, by_consumer;
    int rc;

    memset(s, 0, sizeof(*s));
    s->m = f->m;
    memset(&cfg, 0, sizeof(cfg));
    cfg.max_line = 1024;
    cfg.max_record = 4096;
    cfg.sink = &seen_ops;
    cfg.sink_ctx = s;
    cfg.block = on_block;
    cfg.block_ctx = s;
    memset(&fd, 0, sizeof(fd));
    fd.sp = mt_splitter_new(&cfg);
    fd.fail_at = fail_at;
    memset(&pp, 0, sizeof(pp));
    pp.text = text;
    pp.n = n;
    pp.chunk = chunk;
    pp.p = mt_pipeline_new(f->m, nslots, chunk, chunk);
    ASSERT_TRUE(fd.sp != NULL && pp.p != NULL);
    if (fd.sp == NULL || pp.p == NULL ||
        mt_pipeline_start(pp.p, produce_chunks, &pp) != 0) {
        mt_pipeline_free(pp.p);
        mt_splitter_free(fd.sp);
        return MT_ENOMEM;
    }
    rc = mt_pipeline_consume(pp.p, feed_splitter, &fd);
    if (rc == 0) {
        rc = mt_splitter_finish(fd.sp);
        ASSERT_INT_EQ(fd.blocks, pp.published);
    }
    /* Every block the consumer took was scanned once, by one thread. */
    mt_pipeline_scans(pp.p, &by_producer, &by_consumer);
    ASSERT_TRUE(by_producer + by_consumer >= (unsigned long long)fd.blocks);
    ASSERT_TRUE(by_producer + by_consumer <=
                (unsigned long long)pp.published);
    mt_pipeline_free(pp.p);
    mt_splitter_free(fd.sp);
    ASSERT_TRUE(s->blk == NULL);
    return rc;
}

static const char *const piped_texts[] = {
    "3/29/2021 3:32:27 PM [EXCH] Copy progress: 1/2 messages.\n"
    "3/29/2021 3:32:28 PM [EXCH] WidgetFailure: Sprocket stopped.\n"
    "healthy line\nWidgetFailure: Cog WidgetFailure: Gear\n",
    "\r\nIdentity       : contoso.com/Users/jdoe\r\n"
    "FailureType    : \r\n"
    "Message        : Error: WidgetFail\r\n"
    "                 ure: Washer was seen\r\n"
    "Status         : Failed\r\n\r\n"
    "lone CR\rWidgetFailure: Nut\r\n",
    "caf\xc3\xa9 \xe2\x80\x99 WidgetFailure: R\xc3\xa9sum\n\n"
    "  deep gadget 12\ntext  deep gadget 34\n"
    "Exception in worker: WidgetFailure: Axle\n"
    "   at Widget.Run() in worker.cs:line 42\n"
    "last without end WidgetFailure: Pin",
};

TEST(pipeline_blocks_of_every_size)
{
    static const size_t slots[] = {1, 2, 4};
    static struct seen want, got;
    struct fixture f;
    size_t t, k, chunk, n;

    ASSERT_INT_EQ(fixture_open(&f), 0);
    for (t = 0; f.m != NULL && t < sizeof(piped_texts) / sizeof(*piped_texts);
         t++) {
        n = strlen(piped_texts[t]);
        run(&f, piped_texts[t], n, 0, 0, 1024, &want);
        for (k = 0; k < sizeof(slots) / sizeof(*slots); k++) {
            for (chunk = 1; chunk <= n + 1; chunk++) {
                ASSERT_INT_EQ(run_piped(&f, piped_texts[t], n, chunk,
                                        slots[k], 0, &got),
                              0);
                if (strcmp(got.out, want.out) != 0) {
                    UNIT_FAIL("text %zu, %zu slots, blocks of %zu:\n"
                              "--- one thread\n%s--- two threads\n%s",
                              t, slots[k], chunk, want.out, got.out);
                    break;
                }
            }
        }
    }
    fixture_close(&f);
}

TEST(pipeline_consumer_error_stops_producer)
{
    static struct seen got;
    struct fixture f;
    const char *text = piped_texts[0];
    size_t n = strlen(text);
    long at;

    ASSERT_INT_EQ(fixture_open(&f), 0);
    /* The sink fails at block 1, 2, 5: the error comes back, the producer
     * is told to stop (it would have made n blocks of one byte), and
     * nothing hangs or leaks. */
    for (at = 1; f.m != NULL && at <= 5; at += at < 2 ? 1 : 3) {
        ASSERT_INT_EQ(run_piped(&f, text, n, 1, 2, at, &got), MT_ENOMEM);
        ASSERT_TRUE(got.records < (long)n);
    }
    fixture_close(&f);
}

TEST(block_too_many_hits_falls_back)
{
    /* A block made of literals (two a line: the signature's and the error
     * word "failure") holds more hits than a block keeps: its records are
     * scanned one by one, with the same result. The same on two threads
     * as one block, and as blocks of 4 KiB through a ring of one slot:
     * the producer scans ahead whenever the consumer holds the only slot,
     * the consumer scans what is left. */
    size_t n;
    char *text = repeated("WidgetFailure: A\n", 150000, &n);
    struct fixture f;
    static struct seen want, got;

    ASSERT_TRUE(text != NULL);
    if (text == NULL) {
        return;
    }
    ASSERT_INT_EQ(fixture_open(&f), 0);
    if (f.m != NULL) {
        run(&f, text, n, 0, 0, 1024, &want);
        run(&f, text, n, 0, 1, 1024, &got);
        ASSERT_INT_EQ(want.records, 150000);
        ASSERT_INT_EQ(got.records, want.records);
        ASSERT_INT_EQ(got.hits, 150000);
        ASSERT_INT_EQ(got.error_like, 150000);
        ASSERT_STR_EQ(got.out, want.out);
        ASSERT_INT_EQ(run_piped(&f, text, n, n, 2, 0, &got), 0);
        ASSERT_STR_EQ(got.out, want.out);
        ASSERT_INT_EQ(run_piped(&f, text, n, 4096, 1, 0, &got), 0);
        ASSERT_INT_EQ(got.records, 150000);
        ASSERT_INT_EQ(got.hits, 150000);
        ASSERT_STR_EQ(got.out, want.out);
    }
    fixture_close(&f);
    free(text);
}
