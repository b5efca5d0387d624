/* test_decode.c: the decoder stack end to end (gzip, libarchive, text
 * encodings, limits). Archives are built in memory with libarchive's write
 * API and zlib, so no binary fixture is needed. */
#include "decode.h"
#include "unit.h"

#include "match.h"
#include "patterns.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Everything a scan produced, as text lines: "B origin" at begin,
 * "origin:line: text" per non-blank record, "E" at end; messages as
 * "N|W|E origin: text". */
struct seen {
    struct mt_buf log;
    struct mt_buf msgs;
    const char *origin;
    char cur[512];
    unsigned long long records;
    int count_only; /* big inputs: count records, log nothing */
    /* Callbacks that came from another thread than the scan's. */
    pthread_t scanner;
    int elsewhere;
    int log_msgs; /* messages go into the log too, among the records */
};

static int seen_begin(void *ctx, const char *origin)
{
    struct seen *s = ctx;

    snprintf(s->cur, sizeof(s->cur), "%s", origin);
    if (!s->count_only) {
        mt_buf_appendf(&s->log, "B %s\n", origin);
    }
    return 0;
}

static int seen_record(void *ctx, const struct mt_record *r)
{
    struct seen *s = ctx;

    ASSERT_INT_EQ(strlen(r->text), r->len);
    if (!pthread_equal(pthread_self(), s->scanner)) {
        s->elsewhere++;
    }
    s->records++;
    if (!s->count_only && r->kind != MT_REC_BLANK) {
        mt_buf_appendf(&s->log, "%s:%llu: %s\n", s->cur,
                       (unsigned long long)r->line, r->text);
    }
    return 0;
}

static void seen_end(void *ctx)
{
    struct seen *s = ctx;

    if (!s->count_only) {
        mt_buf_append(&s->log, "E\n", 2);
    }
}

static const struct mt_sink_ops seen_ops = {seen_begin, seen_record,
                                            seen_end};

static void seen_message(void *ctx, enum mt_msg_level level,
                         const char *origin, const char *text)
{
    struct seen *s = ctx;
    static const char lv[] = "NWE";

    mt_buf_appendf(&s->msgs, "%c %s: %s\n", lv[level], origin, text);
    if (!pthread_equal(pthread_self(), s->scanner)) {
        s->elsewhere++;
    }
    if (s->log_msgs) {
        mt_buf_appendf(&s->log, "%c %s\n", lv[level], text);
    }
}

struct run {
    struct seen seen;
    struct mt_scan scan;
    uint64_t limits[MT_LIMIT_COUNT_];
    int rc;
    struct mt_matcher *pipeline; /* set: scan with two threads */
};

static void run_init(struct run *r)
{
    memset(r, 0, sizeof(*r));
    mt_buf_init(&r->seen.log, 0);
    mt_buf_init(&r->seen.msgs, 0);
    mt_limits_defaults(r->limits);
}

/* Scans data as the top-level input called name. */
static void run_scan(struct run *r, const char *name, const void *data,
                     size_t n)
{
    struct mt_stream *in;

    mt_scan_init(&r->scan, r->limits, &seen_ops, &r->seen, seen_message,
                 &r->seen);
    r->scan.pipeline = r->pipeline;
    r->seen.scanner = pthread_self();
    in = mt_stream_open_memory(data, n, &r->scan);
    ASSERT_TRUE(in != NULL);
    r->rc = mt_decode_stream(&r->scan, in, name, 0);
    mt_stream_free(in);
    ASSERT_INT_EQ(r->scan.raw_bytes, n);
    /* The worst status seen and the one returned agree. */
    ASSERT_INT_EQ(r->rc, r->scan.status);
}

/* The same for an input the scan may stop early (raw_bytes < n). */
static void run_scan_stopped(struct run *r, const char *name,
                             const void *data, size_t n)
{
    struct mt_stream *in;

    mt_scan_init(&r->scan, r->limits, &seen_ops, &r->seen, seen_message,
                 &r->seen);
    r->scan.pipeline = r->pipeline;
    in = mt_stream_open_memory(data, n, &r->scan);
    ASSERT_TRUE(in != NULL);
    r->rc = mt_decode_stream(&r->scan, in, name, 0);
    mt_stream_free(in);
}

static const char *log_of(struct run *r)
{
    return r->seen.log.data ? r->seen.log.data : "";
}

static const char *msgs_of(struct run *r)
{
    return r->seen.msgs.data ? r->seen.msgs.data : "";
}

static void run_free(struct run *r)
{
    mt_buf_free(&r->seen.log);
    mt_buf_free(&r->seen.msgs);
}

#define ASSERT_HAS(hay, needle)                                            \
    do {                                                                   \
        const char *h_ = (hay);                                            \
        if (strstr(h_, (needle)) == NULL)                                  \
            UNIT_FAIL("expected \"%s\" in:\n%s", (needle), h_);            \
    } while (0)

#define ASSERT_HASNT(hay, needle)                                          \
    do {                                                                   \
        const char *h_ = (hay);                                            \
        if (strstr(h_, (needle)) != NULL)                                  \
            UNIT_FAIL("did not expect \"%s\" in:\n%s", (needle), h_);      \
    } while (0)

/* gzip-compresses data into a malloc'd buffer. */
static unsigned char *gz(const void *data, size_t n, size_t *out_n)
{
    z_stream z;
    size_t cap = compressBound((uLong)n) + 64;
    unsigned char *out = malloc(cap);

    memset(&z, 0, sizeof(z));
    deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    ASSERT_INT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out_n = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

struct entry {
    const char *name;
    const void *data;
    size_t len;
};

/* Builds an archive in memory: format and filter are libarchive codes
 * (ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, ...). */
static unsigned char *make_archive(int format, int filter,
                                   const struct entry *e, int n,
                                   size_t *out_n)
{
    struct archive *a = archive_write_new();
    struct archive_entry *ae;
    size_t cap = 1 << 16, used = 0;
    unsigned char *buf;
    int i;

    for (i = 0; i < n; i++) {
        cap += e[i].len + 1024;
    }
    buf = malloc(cap);
    ASSERT_INT_EQ(archive_write_set_format(a, format), ARCHIVE_OK);
    ASSERT_INT_EQ(archive_write_add_filter(a, filter), ARCHIVE_OK);
    ASSERT_INT_EQ(archive_write_open_memory(a, buf, cap, &used),
                  ARCHIVE_OK);
    for (i = 0; i < n; i++) {
        ae = archive_entry_new();
        archive_entry_set_pathname(ae, e[i].name);
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_perm(ae, 0644);
        archive_entry_set_size(ae, (la_int64_t)e[i].len);
        ASSERT_INT_EQ(archive_write_header(a, ae), ARCHIVE_OK);
        ASSERT_INT_EQ(archive_write_data(a, e[i].data, e[i].len),
                      (long long)e[i].len);
        archive_entry_free(ae);
    }
    ASSERT_INT_EQ(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    *out_n = used;
    return buf;
}

/* ASCII (with \r\n as written) to UTF-16LE or BE, optionally with BOM. */
static unsigned char *utf16(const char *s, int be, int bom, size_t *out_n)
{
    size_t n = strlen(s), i, o = 0;
    unsigned char *out = malloc(2 * n + 2);

    if (bom) {
        out[o++] = be ? 0xfe : 0xff;
        out[o++] = be ? 0xff : 0xfe;
    }
    for (i = 0; i < n; i++) {
        out[o + (be ? 1 : 0)] = (unsigned char)s[i];
        out[o + (be ? 0 : 1)] = 0;
        o += 2;
    }
    *out_n = o;
    return out;
}

TEST(decode_plain_lf)
{
    struct run r;
    const char *t = "alpha\nbeta\n";

    run_init(&r);
    run_scan(&r, "a.log", t, strlen(t));
    ASSERT_INT_EQ(r.rc, MT_OK);
    ASSERT_STR_EQ(log_of(&r), "B a.log\na.log:1: alpha\na.log:2: beta\nE\n");
    ASSERT_STR_EQ(msgs_of(&r), "");
    ASSERT_INT_EQ(r.scan.documents, 1);
    run_free(&r);
}

TEST(decode_plain_crlf)
{
    struct run r;
    const char *t = "alpha\r\nbeta\r\ngamma";

    run_init(&r);
    run_scan(&r, "a.log", t, strlen(t));
    ASSERT_INT_EQ(r.rc, MT_OK);
    ASSERT_STR_EQ(log_of(&r), "B a.log\na.log:1: alpha\na.log:2: beta\n"
                              "a.log:3: gamma\nE\n");
    run_free(&r);
}

TEST(decode_empty_input)
{
    struct run r;

    run_init(&r);
    run_scan(&r, "empty.log", "", 0);
    ASSERT_INT_EQ(r.rc, MT_OK);
    ASSERT_STR_EQ(log_of(&r), "B empty.log\nE\n");
    ASSERT_STR_EQ(msgs_of(&r), "");
    ASSERT_INT_EQ(r.scan.documents, 1);
    run_free(&r);
}

TEST(decode_gzip)
{
    struct run r;
    const char *t = "Error: mailbox locked\nsecond\n";
    size_t n;
    unsigned char *z = gz(t, strlen(t), &n);

    run_init(&r);
    run_scan(&r, "x.log.gz", z, n);
    ASSERT_INT_EQ(r.rc, MT_OK);
    ASSERT_STR_EQ(log_of(&r), "B x.log.gz\nx.log.gz:1: Error: mailbox "
                              "locked\nx.log.gz:2: second\nE\n");
    ASSERT_INT_EQ(r.scan.expanded_bytes, strlen(t));
    run_free(&r);
    free(z);
}

TEST(decode_gzip_multi_member)
{
    struct run r;
    size_t n1, n2;
    unsigned char *z1 = gz("one\n", 4, &n1);
    unsigned char *z2 = gz("two\n", 4, &n2);
    unsigned char *both = malloc(n1 + n2 + 8);

    memcpy(both, z1, n1);
    memcpy(both + n1, z2, n2);
    /* Zero padding after the last member (tape blocks) is not an error. */
    memset(both + n1 + n2, 0, 8);
    run_init(&r);
    run_scan(&r, "m.gz", both, n1 + n2 + 8);
    ASSERT_INT_EQ(r.rc, MT_OK);
    ASSERT_STR_EQ(log_of(&r), "B m.gz\nm.gz:1: one\nm.gz:2: two\nE\n");
    ASSERT_STR_EQ(msgs_of(&r), "");
    run_free(&r);
    free(z1);
    free(z2);
    free(both);
}

TEST(decode_gzip_trailing_garbage)
{
    struct run r;
    size_t n;
    unsigned char *z = gz("one\n", 4, &n);
    unsigned char *g = malloc(n + 5);

    memcpy(g, z, n);
    memcpy(g + n, "junk!", 5);
    run_init(&r);
    run_scan(&r, "g.gz", g, n + 5);
    ASSERT_INT_EQ(r.rc, MT_WARN);
    ASSERT_STR_EQ(log_of(&r), "B g.gz\ng.gz:1: one\nE\n");
    ASSERT_STR_EQ(msgs_of(&r),
                  "W g.gz: trailing garbage after gzip data ignored\n");
    run_free(&r);
    free(z);
    free(g);
}

/* Lines that deflate does not shrink to nothing, so a cut in the middle of
 * the compressed data leaves whole lines before it. */
static char *numbered_lines(int n, size_t *len)
{
    struct mt_buf b;
    unsigned x = 12345;
    int i;

    mt_buf_init(&b, 0);
    for (i = 1; i <= n; i++) {
        x = x * 1103515245u + 12345u;
        mt_buf_appendf(&b, "line %d value %08x\n", i, x);
    }
    *len = b.len;
    return mt_buf_steal(&b);
}

TEST(decode_gzip_truncated_keeps_records)
{
    struct run r;
    size_t len, n;
    char *t = numbered_lines(20000, &len);
    unsigned char *z = gz(t, len, &n);

    run_init(&r);
    r.seen.count_only = 1;
    run_scan(&r, "cut.log.gz", z, n / 2);
    ASSERT_INT_EQ(r.rc, MT_EINPUT);
    ASSERT_HAS(msgs_of(&r), "E cut.log.gz: truncated gzip data (ended "
                            "after ");
    ASSERT_HAS(msgs_of(&r), " bytes of output)");
    /* The records before the cut reached the sink. */
    ASSERT_TRUE(r.seen.records > 1000);
    ASSERT_TRUE(r.seen.records < 20000);
    ASSERT_INT_EQ(r.scan.documents, 1);
    run_free(&r);
    mt_free(t);
    free(z);
}

TEST(decode_gzip_truncated_log_lines)
{
    struct run r;
    size_t len, n;
    char *t = numbered_lines(3000, &len);
    unsigned char *z = gz(t, len, &n);

    run_init(&r);
    run_scan(&r, "c.gz", z, n - 10);
    ASSERT_INT_EQ(r.rc, MT_EINPUT);
    ASSERT_HAS(log_of(&r), "B c.gz\nc.gz:1: line 1 value ");
    ASSERT_HAS(log_of(&r), "c.gz:2000: line 2000 value ");
    /* The document is still closed after the error. */
    ASSERT_TRUE(strcmp(log_of(&r) + strlen(log_of(&r)) - 2, "E\n") == 0);
    run_free(&r);
    mt_free(t);
    free(z);
}

TEST(decode_gzip_corrupt)
{
    struct run r;
    size_t len, n, i;
    char *t = numbered_lines(3000, &len);
    unsigned char *z = gz(t, len, &n);

    for (i = n / 2; i < n / 2 + 16; i++) {
        z[i] ^= 0x5a;
    }
    run_init(&r);
    r.seen.count_only = 1;
    run_scan(&r, "bad.gz", z, n);
    ASSERT_INT_EQ(r.rc, MT_EINPUT);
    ASSERT_HAS(msgs_of(&r), "E bad.gz: corrupt gzip data: ");
    ASSERT_TRUE(r.seen.records > 0);
    run_free(&r);
    mt_free(t);
    free(z);
}

TEST(decode_zip_tar_gz_utf16)
{
    struct run r;
    size_t u16n, tarn, tgzn, zipn;
    unsigned char *u16 = utf16("Identity : jdoe\r\nError: MapiExceptionNotFound"
                               "\r\n", 0, 1, &u16n);
    struct entry te = {"jdoe.txt", u16, u16n};
    unsigned char *tar = make_archive(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED,
                                      ARCHIVE_FILTER_NONE, &te, 1, &tarn);
    unsigned char *tgz = gz(tar, tarn, &tgzn);
    struct entry ze[2] = {{"reports/readme.md", "# batch\n", 8},
                          {"reports/batch.tar.gz", tgz, tgzn}};
    unsigned char *zip = make_archive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE,
                                      ze, 2, &zipn);

    run_init(&r);
    run_scan(&r, "x.zip", zip, zipn);
    ASSERT_INT_EQ(r.rc, MT_OK);
    ASSERT_STR_EQ(msgs_of(&r), "");
    ASSERT_HAS(log_of(&r), "B x.zip!reports/readme.md\n"
                           "x.zip!reports/readme.md:1: # batch\nE\n");
    ASSERT_HAS(log_of(&r),
               "B x.zip!reports/batch.tar.gz!jdoe.txt\n"
               "x.zip!reports/batch.tar.gz!jdoe.txt:1: Identity : jdoe\n"
               "x.zip!reports/batch.tar.gz!jdoe.txt:2: Error: "
               "MapiExceptionNotFound\nE\n");
    ASSERT_INT_EQ(r.scan.documents, 2);
    run_free(&r);
    free(u16);
    free(tar);
    free(tgz);
    free(zip);
}

TEST(decode_depth_limit)
{
    struct run r;
    size_t n, m;
    unsigned char *z = gz("deep\n", 5, &n), *next;
    int i;

    /* Five gzip layers: the text sits at depth 5. */
    for (i = 0; i < 4; i++) {
        next = gz(z, n, &m);
        free(z);
        z = next;
        n = m;
    }
    run_init(&r);
    run_scan(&r, "deep.gz", z, n);
    ASSERT_INT_EQ(r.rc, MT_OK);
    ASSERT_STR_EQ(log_of(&r), "B deep.gz\ndeep.gz:1: deep\nE\n");

    run_free(&r);
    run_init(&r);
    r.limits[MT_LIMIT_DEPTH] = 3;
    run_scan(&r, "deep.gz", z, n);
    ASSERT_INT_EQ(r.rc, MT_EINPUT);
    ASSERT_STR_EQ(log_of(&r), "");
    ASSERT_STR_EQ(msgs_of(&r),
                  "E deep.gz: nested deeper than 3 decoders; skipped\n");
    run_free(&r);
    free(z);
}

TEST(decode_zip_bomb_expanded_limit)
{
    struct run r;
    size_t big = 8u << 20, zipn;
    char *t = malloc(big);
    struct entry e;
    unsigned char *zip;

    /* Highly compressible text lines (zeros would be skipped as binary
     * after the peek, without ever being inflated). */
    memset(t, 'a', big);
    for (size_t i = 79; i < big; i += 80) {
        t[i] = '\n';
    }
    e.name = "bomb.log";
    e.data = t;
    e.len = big;
    zip = make_archive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, &e, 1, &zipn);
    ASSERT_TRUE(zipn < big / 100);
    run_init(&r);
    r.seen.count_only = 1;
    r.limits[MT_LIMIT_EXPANDED_BYTES] = 1u << 20;
    run_scan(&r, "b.zip", zip, zipn);
    ASSERT_INT_EQ(r.rc, MT_EINPUT);
    /* The member's header says 8 MiB: judged before inflating a byte. */
    ASSERT_STR_EQ(msgs_of(&r), "E b.zip!bomb.log: declares 8388608 bytes, "
                               "beyond the expanded-bytes limit (1048576): "
                               "possible bomb; skipped\n");
    ASSERT_INT_EQ(r.scan.expanded_bytes, 0);
    run_free(&r);
    free(zip);

    /* Two such members under a 12 MiB limit: the first is read, the
     * second would pass the limit. */
    {
        struct entry two[2] = {{"one.log", t, big}, {"two.log", t, big}};
        zip = make_archive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, two, 2,
                           &zipn);
    }
    run_init(&r);
    r.seen.count_only = 1;
    r.limits[MT_LIMIT_EXPANDED_BYTES] = 12u << 20;
    run_scan(&r, "b.zip", zip, zipn);
    ASSERT_INT_EQ(r.rc, MT_EINPUT);
    ASSERT_STR_EQ(msgs_of(&r), "E b.zip!two.log: declares 8388608 bytes, "
                               "beyond the expanded-bytes limit (12582912): "
                               "possible bomb; skipped\n");
    ASSERT_INT_EQ(r.scan.expanded_bytes, big);
    ASSERT_INT_EQ(r.seen.records, (big + 79) / 80); /* last line cut */
    run_free(&r);
    free(t);
    free(zip);
}

TEST(decode_gzip_bomb_ratio)
{
    struct run r;
    size_t big = 24u << 20, n;
    char *t = malloc(big);
    unsigned char *z;

    memset(t, 'a', big);
    for (size_t i = 999; i < big; i += 1000) {
        t[i] = '\n';
    }
    z = gz(t, big, &n);
    run_init(&r);
    r.seen.count_only = 1;
    r.limits[MT_LIMIT_EXPANSION_RATIO] = 100;
    run_scan(&r, "r.log.gz", z, n);
    ASSERT_INT_EQ(r.rc, MT_EINPUT);
    ASSERT_HAS(msgs_of(&r), "E r.log.gz: expands beyond the limit (");
    ASSERT_TRUE(r.scan.expanded_bytes < big);
    run_free(&r);
    free(t);
    free(z);
}

/* Finds the local header of a zip member (at *hdr) and returns the
 * offset of its data. */
static size_t zip_data_offset(const unsigned char *zip, size_t n,
                              const char *name, size_t *hdr)
{
    size_t i, nl = strlen(name);

    for (i = 0; i + 30 + nl <= n; i++) {
        if (memcmp(zip + i, "PK\x03\x04", 4) == 0 &&
            zip[i + 26] + 256u * zip[i + 27] == nl &&
            memcmp(zip + i + 30, name, nl) == 0) {
            *hdr = i;
            return i + 30 + nl + zip[i + 28] + 256u * zip[i + 29];
        }
    }
    return 0;
}

TEST(decode_zip_corrupt_member)
{
    struct run r;
    size_t len, zipn, off, i, hdr;
    char *t = numbered_lines(2000, &len);
    struct entry e[3] = {{"good1.log", "first good\n", 11},
                         {"bad.log", t, len},
                         {"good2.log", "second good\n", 12}};
    unsigned char *zip = make_archive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE,
                                      e, 3, &zipn);

    off = zip_data_offset(zip, zipn, "bad.log", &hdr);
    ASSERT_TRUE(off > 0);
    for (i = off + 200; i < off + 232; i++) {
        zip[i] ^= 0xa5;
    }
    run_init(&r);
    run_scan(&r, "c.zip", zip, zipn);
    ASSERT_INT_EQ(r.rc, MT_EINPUT);
    ASSERT_HAS(log_of(&r), "c.zip!good1.log:1: first good\n");
    ASSERT_HAS(msgs_of(&r), "E c.zip!bad.log: ");
    /* Read from memory with the central directory, the member after the
     * corrupt one is still reached. */
    ASSERT_HAS(log_of(&r), "c.zip!good2.log:1: second good\n");
    run_free(&r);
    mt_free(t);
    free(zip);
}

TEST(decode_zip_bad_crc_member)
{
    struct run r;
    size_t zipn, off, hdr;
    struct entry e[2] = {{"bad.log", "aaaa\n", 5},
                         {"good.log", "still read\n", 11}};
    unsigned char *zip;

    zip = make_archive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, e, 2, &zipn);
    off = zip_data_offset(zip, zipn, "bad.log", &hdr);
    ASSERT_TRUE(off > 0);
    /* Damage the stored data: only the CRC check can notice. */
    zip[off] ^= 0x01;
    run_init(&r);
    run_scan(&r, "crc.zip", zip, zipn);
    ASSERT_INT_EQ(r.rc, MT_EINPUT);
    ASSERT_HAS(msgs_of(&r), "E crc.zip!bad.log: ");
    ASSERT_HAS(log_of(&r), "crc.zip!good.log:1: still read\n");
    run_free(&r);
    free(zip);
}

TEST(decode_empty_zip)
{
    struct run r;
    size_t zipn;
    unsigned char *zip = make_archive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE,
                                      NULL, 0, &zipn);

    ASSERT_TRUE(zipn >= 4 && memcmp(zip, "PK\x05\x06", 4) == 0);
    run_init(&r);
    run_scan(&r, "e.zip", zip, zipn);
    ASSERT_INT_EQ(r.rc, MT_OK);
    ASSERT_STR_EQ(log_of(&r), "");
    ASSERT_INT_EQ(r.scan.documents, 0);
    run_free(&r);
    free(zip);
}

TEST(decode_tar_skips_directories)
{
    struct run r;
    size_t tarn, used = 0;
    struct archive *a = archive_write_new();
    struct archive_entry *ae = archive_entry_new();
    unsigned char *tar = malloc(1 << 16);

    archive_write_set_format_pax_restricted(a);
    archive_write_open_memory(a, tar, 1 << 16, &used);
    archive_entry_set_pathname(ae, "logs/");
    archive_entry_set_filetype(ae, AE_IFDIR);
    archive_entry_set_perm(ae, 0755);
    archive_write_header(a, ae);
    archive_entry_clear(ae);
    archive_entry_set_pathname(ae, "logs/link");
    archive_entry_set_filetype(ae, AE_IFLNK);
    archive_entry_set_symlink(ae, "/etc/passwd");
    archive_write_header(a, ae);
    archive_entry_clear(ae);
    archive_entry_set_pathname(ae, "logs/a.log");
    archive_entry_set_filetype(ae, AE_IFREG);
    archive_entry_set_perm(ae, 0644);
    archive_entry_set_size(ae, 6);
    archive_write_header(a, ae);
    archive_write_data(a, "hello\n", 6);
    archive_write_close(a);
    archive_write_free(a);
    archive_entry_free(ae);
    tarn = used;
    run_init(&r);
    run_scan(&r, "t.tar", tar, tarn);
    ASSERT_INT_EQ(r.rc, MT_OK);
    ASSERT_STR_EQ(log_of(&r), "B t.tar!logs/a.log\nt.tar!logs/a.log:1: "
                              "hello\nE\n");
    ASSERT_STR_EQ(msgs_of(&r), "");
    /* A stored tar member is not an expansion. */
    ASSERT_INT_EQ(r.scan.expanded_bytes, 0);
    run_free(&r);
    free(tar);
}

TEST(decode_lone_bzip2_keeps_origin)
{
    struct run r;
    size_t used = 0;
    struct archive *a = archive_write_new();
    struct archive_entry *ae = archive_entry_new();
    unsigned char *buf = malloc(1 << 16);

    archive_write_set_format_raw(a);
    if (archive_write_add_filter_bzip2(a) != ARCHIVE_OK) {
        fprintf(stderr, "no bzip2 writer in libarchive: skipped\n");
        goto out;
    }
    archive_write_open_memory(a, buf, 1 << 16, &used);
    archive_entry_set_pathname(ae, "data");
    archive_entry_set_filetype(ae, AE_IFREG);
    archive_entry_set_size(ae, 12);
    archive_write_header(a, ae);
    archive_write_data(a, "bz line one\n", 12);
    archive_write_close(a);
    ASSERT_TRUE(mt_archive_bid(buf, used) > 0);
    run_init(&r);
    run_scan(&r, "x.log.bz2", buf, used);
    ASSERT_INT_EQ(r.rc, MT_OK);
    ASSERT_STR_EQ(log_of(&r), "B x.log.bz2\nx.log.bz2:1: bz line one\nE\n");
    run_free(&r);
out:
    archive_write_free(a);
    archive_entry_free(ae);
    free(buf);
}

TEST(decode_utf16le_bom)
{
    struct run r;
    size_t n;
    unsigned char *u = utf16("Status : Failed\r\nNext\r\n", 0, 1, &n);

    run_init(&r);
    run_scan(&r, "u.xml", u, n);
    ASSERT_INT_EQ(r.rc, MT_OK);
    ASSERT_STR_EQ(log_of(&r), "B u.xml\nu.xml:1: Status : Failed\n"
                              "u.xml:2: Next\nE\n");
    ASSERT_STR_EQ(msgs_of(&r), "");
    run_free(&r);
    free(u);
}

TEST(decode_utf16le_no_bom)
{
    struct run r;
    size_t n;
    unsigned char *u = utf16("no bom here\r\nsecond\r\n", 0, 0, &n);

    run_init(&r);
    run_scan(&r, "u.txt", u, n);
    ASSERT_INT_EQ(r.rc, MT_OK);
    ASSERT_STR_EQ(log_of(&r), "B u.txt\nu.txt:1: no bom here\n"
                              "u.txt:2: second\nE\n");
    ASSERT_STR_EQ(msgs_of(&r), "");
    run_free(&r);
    free(u);
}

TEST(decode_utf16be)
{
    struct run r;
    size_t n;
    unsigned char *u = utf16("big endian\n", 1, 1, &n);
    unsigned char *v = utf16("big endian no bom\n", 1, 0, &n);

    run_init(&r);
    run_scan(&r, "be.txt", u, 24);
    ASSERT_STR_EQ(log_of(&r), "B be.txt\nbe.txt:1: big endian\nE\n");
    run_free(&r);
    run_init(&r);
    run_scan(&r, "be.txt", v, n);
    ASSERT_STR_EQ(log_of(&r), "B be.txt\nbe.txt:1: big endian no bom\nE\n");
    ASSERT_STR_EQ(msgs_of(&r), "");
    run_free(&r);
    free(u);
    free(v);
}

TEST(decode_utf16_surrogates)
{
    struct run r;
    /* "a", U+1F600 as a pair, "b", lone high D800, "c", lone low DC00. */
    static const unsigned char u[] = {0xff, 0xfe, 'a', 0, 0x3d, 0xd8, 0x00,
                                      0xde, 'b',  0,    0x00, 0xd8, 'c', 0,
                                      0x00, 0xdc, '\n', 0};

    run_init(&r);
    run_scan(&r, "s.txt", u, sizeof(u));
    ASSERT_INT_EQ(r.rc, MT_WARN);
    ASSERT_STR_EQ(log_of(&r), "B s.txt\ns.txt:1: a\xf0\x9f\x98\x80"
                              "b\xef\xbf\xbd" "c\xef\xbf\xbd\nE\n");
    /* One warning per document, at the first bad unit. */
    ASSERT_STR_EQ(msgs_of(&r), "W s.txt: invalid UTF-16: unpaired "
                               "surrogate at byte 10 (replaced)\n");
    run_free(&r);
}

TEST(decode_utf16_odd_trailing_byte)
{
    struct run r;
    static const unsigned char u[] = {0xff, 0xfe, 'o', 0, 'k', 0, 'x'};

    run_init(&r);
    run_scan(&r, "o.txt", u, sizeof(u));
    ASSERT_INT_EQ(r.rc, MT_WARN);
    ASSERT_STR_EQ(log_of(&r), "B o.txt\no.txt:1: ok\nE\n");
    ASSERT_HAS(msgs_of(&r), "W o.txt: odd trailing byte");
    run_free(&r);
}

TEST(decode_cp1252_fallback)
{
    struct run r;
    /* "café costs €5" in Windows-1252, then valid UTF-8 "né". */
    const char *t = "caf\xe9 costs \x80" "5\nn\xc3\xa9\n";

    run_init(&r);
    run_scan(&r, "w.txt", t, strlen(t));
    ASSERT_INT_EQ(r.rc, MT_WARN);
    ASSERT_STR_EQ(log_of(&r), "B w.txt\nw.txt:1: caf\xc3\xa9 costs "
                              "\xe2\x82\xac" "5\nw.txt:2: n\xc3\xa9\nE\n");
    ASSERT_STR_EQ(msgs_of(&r), "W w.txt: not valid UTF-8 (first at byte 3); "
                               "read as Windows-1252\n");
    run_free(&r);
}

TEST(decode_utf8_overlong_and_surrogate_invalid)
{
    struct run r;
    /* Overlong '/', a CESU surrogate, then a 4-byte char cut by the end. */
    const char *t = "\xef\xbb\xbf" "a\xc0\xaf" "b\xed\xa0\x80" "c\xf0\x9f\x98";

    run_init(&r);
    run_scan(&r, "o.txt", t, strlen(t));
    ASSERT_INT_EQ(r.rc, MT_WARN);
    ASSERT_STR_EQ(log_of(&r),
                  "B o.txt\no.txt:1: a\xc3\x80\xc2\xaf"
                  "b\xc3\xad\xc2\xa0\xe2\x82\xac"
                  "c\xc3\xb0\xc5\xb8\xcb\x9c\nE\n");
    ASSERT_HAS(msgs_of(&r), "(first at byte 4)");
    run_free(&r);
}

TEST(decode_utf8_across_blocks)
{
    struct run r;
    size_t n = MT_BLOCK * 2 + 100, i;
    char *t = malloc(n);

    /* A 3-byte character straddles every block boundary position. */
    for (i = 0; i + 4 <= n; i += 4) {
        memcpy(t + i, i % 400 == 396 ? "\xe2\x82\xac\n" : "\xe2\x82\xac ",
               4);
    }
    for (; i < n; i++) {
        t[i] = '\n';
    }
    run_init(&r);
    r.seen.count_only = 1;
    run_scan(&r, "big.txt", t, n);
    ASSERT_INT_EQ(r.rc, MT_OK);
    ASSERT_STR_EQ(msgs_of(&r), "");
    ASSERT_TRUE(r.seen.records > 1000);
    run_free(&r);
    free(t);
}

TEST(decode_nul_bytes_dropped)
{
    struct run r;
    /* Few enough NULs (under 10%) that this is still text. */
    static const char t[] = "ab\0c: a log line of text\n\0d\n";

    run_init(&r);
    run_scan(&r, "n.txt", t, sizeof(t) - 1);
    ASSERT_INT_EQ(r.rc, MT_WARN);
    ASSERT_STR_EQ(log_of(&r), "B n.txt\nn.txt:1: abc: a log line of text\n"
                              "n.txt:2: d\nE\n");
    ASSERT_STR_EQ(msgs_of(&r), "W n.txt: 2 NUL bytes removed\n");
    run_free(&r);
}

TEST(decode_png_skipped_with_note)
{
    struct run r;
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n',
                                        0x1a, '\n', 0,   0,   0,    13,
                                        'I',  'H', 'D', 'R'};

    run_init(&r);
    run_scan(&r, "shot.png", png, sizeof(png));
    ASSERT_INT_EQ(r.rc, MT_OK);
    ASSERT_STR_EQ(log_of(&r), "");
    ASSERT_STR_EQ(msgs_of(&r), "N shot.png: binary data (PNG image), "
                               "skipped\n");
    ASSERT_INT_EQ(r.scan.documents, 0);
    run_free(&r);
}

TEST(decode_control_bytes_skipped_as_binary)
{
    struct run r;
    unsigned char b[256];
    int i;

    for (i = 0; i < 256; i++) {
        b[i] = (unsigned char)(i * 7 + 1);
    }
    run_init(&r);
    run_scan(&r, "blob.bin", b, sizeof(b));
    ASSERT_INT_EQ(r.rc, MT_OK);
    ASSERT_STR_EQ(msgs_of(&r), "N blob.bin: binary data, skipped\n");
    run_free(&r);
}

TEST(decode_long_line_cut_warning)
{
    struct run r;
    char *t = malloc(5000);

    memset(t, 'x', 4999);
    t[4999] = '\n';
    run_init(&r);
    r.seen.count_only = 1;
    r.limits[MT_LIMIT_LINE_BYTES] = 1000;
    run_scan(&r, "l.txt", t, 5000);
    ASSERT_INT_EQ(r.rc, MT_WARN);
    ASSERT_STR_EQ(msgs_of(&r), "W l.txt: 1 line(s) longer than 1000 bytes "
                               "were cut\n");
    run_free(&r);
    free(t);
}

TEST(decode_stream_sources)
{
    struct mt_scan scan;
    uint64_t limits[MT_LIMIT_COUNT_];
    const char *why = NULL;
    char path[] = "/tmp/mt_decode_XXXXXX";
    char buf[64];
    struct mt_stream *s;
    int fd;

    mt_limits_defaults(limits);
    mt_scan_init(&scan, limits, &seen_ops, NULL, NULL, NULL);
    s = mt_stream_open_file("/nonexistent/mt/file", &scan, &why);
    ASSERT_TRUE(s == NULL);
    ASSERT_STR_EQ(why, "no such file");
    s = mt_stream_open_file("/tmp", &scan, &why);
    ASSERT_TRUE(s == NULL);
    ASSERT_STR_EQ(why, "is a directory");

    fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    ASSERT_INT_EQ(write(fd, "0123456789", 10), 10);
    close(fd);
    s = mt_stream_open_file(path, &scan, &why);
    ASSERT_TRUE(s != NULL);
    ASSERT_INT_EQ(mt_stream_read(s, buf, 4), 4);
    ASSERT_INT_EQ(mt_stream_read_full(s, buf, sizeof(buf)), 6);
    ASSERT_INT_EQ(mt_stream_read(s, buf, sizeof(buf)), 0);
    ASSERT_INT_EQ(s->bytes_out, 10);
    ASSERT_INT_EQ(scan.raw_bytes, 10);
    mt_stream_free(s);
    unlink(path);

    /* The prefix replays, then continues, without counting raw twice. */
    s = mt_stream_open_memory("abcdef", 6, &scan);
    ASSERT_INT_EQ(mt_stream_read(s, buf, 3), 3);
    {
        struct mt_stream *p = mt_stream_prefixed(s, "abc", 3);
        ASSERT_INT_EQ(mt_stream_read_full(p, buf, sizeof(buf)), 6);
        ASSERT_TRUE(memcmp(buf, "abcdef", 6) == 0);
        mt_stream_free(p);
    }
    ASSERT_INT_EQ(scan.raw_bytes, 16);
    mt_stream_free(s);
}

/* A file of a folder replaced by a FIFO after the walk: opening it as a
 * folder's file neither blocks (no writer will ever come) nor reads it. */
TEST(decode_open_regular_refuses_fifo)
{
    struct mt_scan scan;
    uint64_t limits[MT_LIMIT_COUNT_];
    const char *why = NULL;
    char dir[] = "/tmp/mt_fifo_XXXXXX", path[64];
    struct mt_stream *s;

    mt_limits_defaults(limits);
    mt_scan_init(&scan, limits, &seen_ops, NULL, NULL, NULL);
    ASSERT_TRUE(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/report.txt", dir);
    ASSERT_INT_EQ(mkfifo(path, 0600), 0);
    alarm(10); /* a blocking open would hang: fail instead */
    s = mt_stream_open_regular(path, &scan, &why);
    alarm(0);
    ASSERT_TRUE(s == NULL);
    ASSERT_TRUE(why == mt_not_regular);
    ASSERT_STR_EQ(why, "not a regular file, skipped");
    /* A regular file opens as before, and reads normally. */
    unlink(path);
    {
        FILE *f = fopen(path, "w");
        char buf[8];
        ASSERT_TRUE(f != NULL);
        fputs("abc", f);
        fclose(f);
        s = mt_stream_open_regular(path, &scan, &why);
        ASSERT_TRUE(s != NULL);
        ASSERT_INT_EQ(mt_stream_read_full(s, buf, sizeof(buf)), 3);
        mt_stream_free(s);
    }
    unlink(path);
    rmdir(dir);
}

/* Text first, then random bytes (what /dev/urandom gives when its first
 * 4 KiB happen to pass the first check): the text is read, the rest is
 * stopped at the first 64 KiB window with a reason, not read to its end. */
TEST(decode_binary_after_text_stops)
{
    struct run r;
    struct mt_buf data;
    unsigned long long x = 12345;
    size_t i, lines, lines_in_peek = 0;

    run_init(&r);
    mt_buf_init(&data, 0);
    for (lines = 0; data.len < 5000; lines++) {
        mt_buf_appendf(&data, "line %zu: Error: the call timed out.\n",
                       lines + 1);
        lines_in_peek += data.len <= 4096;
    }
    for (i = 0; i < 8 * 1024 * 1024; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        mt_buf_appendc(&data, (char)(x >> 56));
    }
    r.seen.count_only = 1;
    run_scan_stopped(&r, "mixed.log", data.data, data.len);
    ASSERT_INT_EQ(r.rc, MT_WARN);
    ASSERT_HAS(msgs_of(&r), "W mixed.log: binary data in bytes ");
    ASSERT_HAS(msgs_of(&r), " (more than 5% control bytes); the rest "
                            "skipped\n");
    /* The text before the read that turned binary (the first 4 KiB) was
     * read; of the 8 MiB, only one block. */
    ASSERT_TRUE(r.seen.records >= lines_in_peek);
    ASSERT_TRUE(r.seen.records <= lines + 1);
    ASSERT_TRUE(r.scan.raw_bytes <= 5000 + 256 * 1024);
    mt_buf_free(&data);
    run_free(&r);
}

/* Text with many control bytes is not cut mid-way when its rate stays
 * under 5%: a console capture with backspaces. */
TEST(decode_text_with_some_controls_kept)
{
    struct run r;
    struct mt_buf data;
    size_t i;

    run_init(&r);
    mt_buf_init(&data, 0);
    for (i = 1; data.len < 300 * 1024; i++) {
        mt_buf_appendf(&data, "line %zu: progress at 50%%\b6 of the "
                              "folders\n", i);
    }
    r.seen.count_only = 1;
    run_scan(&r, "console.log", data.data, data.len);
    ASSERT_INT_EQ(r.rc, MT_OK);
    ASSERT_STR_EQ(msgs_of(&r), "");
    ASSERT_INT_EQ(r.seen.records, i - 1);
    mt_buf_free(&data);
    run_free(&r);
}

/* A source longer than the expanded-bytes limit (an endless device or
 * pipe, here a file) stops there with the reason. */
TEST(decode_source_bounded_by_expanded_limit)
{
    struct run r;
    char path[] = "/tmp/mt_long_XXXXXX";
    struct mt_stream *in;
    const char *why = NULL;
    int fd, i;

    run_init(&r);
    fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    for (i = 0; i < 1000; i++) {
        ASSERT_INT_EQ(write(fd, "Error: the call timed out.\n", 27), 27);
    }
    close(fd);
    r.limits[MT_LIMIT_EXPANDED_BYTES] = 8192;
    mt_scan_init(&r.scan, r.limits, &seen_ops, &r.seen, seen_message,
                 &r.seen);
    r.seen.count_only = 1;
    in = mt_stream_open_file(path, &r.scan, &why);
    ASSERT_TRUE(in != NULL);
    r.rc = mt_decode_stream(&r.scan, in, "long.log", 0);
    mt_stream_free(in);
    ASSERT_INT_EQ(r.rc, MT_EINPUT);
    ASSERT_STR_EQ(msgs_of(&r), "E long.log: longer than the expanded-bytes "
                               "limit (8192 bytes); stopped\n");
    /* The block that crossed the limit is not read: only the first 4 KiB
     * of the 1000 lines were. */
    ASSERT_TRUE(r.seen.records < 200);
    unlink(path);
    run_free(&r);
}

TEST(decode_zip_encrypted_member_named)
{
    struct run r;
    size_t used = 0;
    struct archive *a = archive_write_new();
    struct archive_entry *ae = archive_entry_new();
    unsigned char *buf = malloc(1 << 16);

    archive_write_set_format_zip(a);
    if (archive_write_set_options(a, "zip:encryption=zipcrypt") !=
            ARCHIVE_OK ||
        archive_write_set_passphrase(a, "secret") != ARCHIVE_OK) {
        fprintf(stderr, "no zip encryption in libarchive: skipped\n");
        goto out;
    }
    archive_write_open_memory(a, buf, 1 << 16, &used);
    archive_entry_set_pathname(ae, "secret.log");
    archive_entry_set_filetype(ae, AE_IFREG);
    archive_entry_set_perm(ae, 0644);
    archive_entry_set_size(ae, 7);
    archive_write_header(a, ae);
    archive_write_data(a, "hidden\n", 7);
    ASSERT_INT_EQ(archive_write_close(a), ARCHIVE_OK);
    run_init(&r);
    run_scan(&r, "enc.zip", buf, used);
    ASSERT_INT_EQ(r.rc, MT_EINPUT);
    ASSERT_STR_EQ(log_of(&r), "");
    ASSERT_HAS(msgs_of(&r), "E enc.zip!secret.log: encrypted member "
                            "skipped\n");
    run_free(&r);
out:
    archive_write_free(a);
    archive_entry_free(ae);
    free(buf);
}

TEST(decode_7z_and_tar_xz)
{
    struct run r;
    struct entry e = {"logs/a.log", "seven\n", 6};
    size_t n;
    unsigned char *buf;

    buf = make_archive(ARCHIVE_FORMAT_7ZIP, ARCHIVE_FILTER_NONE, &e, 1, &n);
    ASSERT_TRUE(mt_archive_bid(buf, n) > 0);
    run_init(&r);
    run_scan(&r, "x.7z", buf, n);
    ASSERT_INT_EQ(r.rc, MT_OK);
    ASSERT_STR_EQ(log_of(&r), "B x.7z!logs/a.log\nx.7z!logs/a.log:1: "
                              "seven\nE\n");
    run_free(&r);
    free(buf);

    buf = make_archive(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_XZ,
                       &e, 1, &n);
    ASSERT_TRUE(mt_archive_bid(buf, n) > 0);
    run_init(&r);
    run_scan(&r, "x.tar.xz", buf, n);
    ASSERT_INT_EQ(r.rc, MT_OK);
    ASSERT_STR_EQ(log_of(&r), "B x.tar.xz!logs/a.log\nx.tar.xz!logs/a.log:1: "
                              "seven\nE\n");
    /* Decompressed by libarchive: charged to the bomb accounting. */
    ASSERT_TRUE(r.scan.expanded_bytes >= 6);
    run_free(&r);
    free(buf);
}

TEST(decode_truncated_zip_in_gzip)
{
    struct run r;
    size_t len, zipn, n;
    char *t = numbered_lines(4000, &len);
    struct entry e[2] = {{"first.log", "kept line\n", 10},
                         {"second.log", t, len}};
    unsigned char *zip = make_archive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE,
                                      e, 2, &zipn);
    unsigned char *z = gz(zip, zipn, &n);

    run_init(&r);
    run_scan(&r, "z.zip.gz", z, n * 3 / 4);
    ASSERT_INT_EQ(r.rc, MT_EINPUT);
    /* The cut is reported once, for the whole stream. */
    ASSERT_HAS(msgs_of(&r), "E z.zip.gz: truncated gzip data (ended after ");
    ASSERT_HAS(log_of(&r), "z.zip.gz!first.log:1: kept line\n");
    ASSERT_HAS(msgs_of(&r), "E z.zip.gz!second.log: ");
    ASSERT_HAS(msgs_of(&r), "E z.zip.gz: rest of the archive skipped\n");
    run_free(&r);
    mt_free(t);
    free(zip);
    free(z);
}

/* A zip larger than the in-memory bound is streamed from the bytes already
 * read plus the rest: none may be lost at the switch (a member after the
 * first 16 MiB used to fail as a truncated archive). */
TEST(decode_zip_larger_than_memory_bound)
{
    struct run r;
    size_t big = (size_t)MT_MAX_SEEKABLE_ARCHIVE + 3 * 65536 + 17, i,
           zipn;
    unsigned char *noise = malloc(big);
    unsigned long long x = 88172645463325252ULL;
    unsigned char *zip;
    struct entry ze[2];

    ASSERT_TRUE(noise != NULL);
    for (i = 0; i < big; i++) { /* xorshift: incompressible, binary */
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        noise[i] = (unsigned char)x;
    }
    ze[0].name = "blob.bin";
    ze[0].data = noise;
    ze[0].len = big;
    ze[1].name = "last.txt";
    ze[1].data = "LAST LINE\n";
    ze[1].len = 10;
    zip = make_archive(ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, ze, 2, &zipn);
    ASSERT_TRUE(zipn > (size_t)MT_MAX_SEEKABLE_ARCHIVE);

    run_init(&r);
    run_scan(&r, "big.zip", zip, zipn);
    ASSERT_INT_EQ(r.rc, MT_OK);
    ASSERT_HAS(msgs_of(&r), "big.zip!blob.bin: binary data");
    ASSERT_HAS(log_of(&r), "big.zip!last.txt:1: LAST LINE\n");
    run_free(&r);
    free(noise);
    free(zip);
}

/* ---- two threads on one document (pipeline.h) ---- */

/* About 5 MiB of text that keeps every stage busy past the first MiB
 * (where the second thread starts): log lines, Format-List objects with
 * wrapped values and CRLF, and, late, what the decoder and the splitter
 * say something about: a byte that is not UTF-8, a line past the line
 * limit, NUL bytes (only in the UTF-8 form: ascii_only leaves them out). */
static char *long_document(int ascii_only, size_t *len)
{
    static const char not_utf8[] = "caf\xe9 not UTF-8\n";
    static const char nul[] = "nul\0 byte\n";
    struct mt_buf b;
    unsigned x = 777;
    int i;

    mt_buf_init(&b, 0);
    for (i = 1; b.len < 5u * 1024 * 1024; i++) {
        x = x * 1103515245u + 12345u;
        if (i % 400 == 0) {
            mt_buf_appendf(&b, "\r\nIdentity       : contoso.com/Users/u%d"
                               "\r\nStatus         : Failed\r\n"
                               "Message        : Error: the call fail\r\n"
                               "                 ed %08x\r\n\r\n",
                           i, x);
        } else if (i % 7 == 0) {
            mt_buf_appendf(&b, "    at Worker.Run() in worker.cs:line %d\n",
                           i);
        } else {
            mt_buf_appendf(&b, "3/29/2021 3:32:27 PM [EXCH] line %d value "
                               "%08x\n",
                           i, x);
        }
        if (!ascii_only && i == 30000) {
            mt_buf_append(&b, not_utf8, sizeof(not_utf8) - 1);
        }
        if (i == 40000) {
            size_t k;
            for (k = 0; k < MT_MAX_LINE + 1000; k++) {
                mt_buf_appendc(&b, (char)('a' + k % 26));
            }
            mt_buf_appendc(&b, '\n');
        }
        if (!ascii_only && i == 50000) {
            mt_buf_append(&b, nul, sizeof(nul) - 1);
        }
    }
    *len = b.len;
    return mt_buf_steal(&b);
}

/* Scans data once on one thread and once on two: the same records, the
 * same messages in the same order and in the same place among the
 * records, the same status, every callback on the calling thread. */
static void same_on_two_threads(const char *name, const void *data,
                                size_t n, struct mt_matcher *m)
{
    struct run one, two;

    run_init(&one);
    run_init(&two);
    one.seen.log_msgs = 1;
    two.seen.log_msgs = 1;
    two.pipeline = m;
    run_scan(&one, name, data, n);
    run_scan(&two, name, data, n);
    ASSERT_INT_EQ(two.rc, one.rc);
    ASSERT_INT_EQ(two.seen.records, one.seen.records);
    ASSERT_TRUE(one.seen.records > 40000);
    if (strcmp(log_of(&one), log_of(&two)) != 0) {
        UNIT_FAIL("%s: records differ on two threads", name);
    }
    ASSERT_STR_EQ(msgs_of(&two), msgs_of(&one));
    ASSERT_INT_EQ(one.seen.elsewhere, 0);
    ASSERT_INT_EQ(two.seen.elsewhere, 0);
    /* The second thread did run (the document is past the first MiB). */
    ASSERT_INT_EQ(one.scan.pipelined, 0);
    ASSERT_INT_EQ(two.scan.pipelined, 1);
    run_free(&one);
    run_free(&two);
}

TEST(decode_two_threads_same_as_one)
{
    struct mt_patterns none;
    struct mt_matcher *m;
    size_t len, n16, nz;
    char *doc = long_document(0, &len);
    char *ascii = long_document(1, &n16);
    unsigned char *u16 = utf16(ascii, 0, 1, &n16);
    unsigned char *z = gz(doc, len, &nz);
    struct entry members[2] = {{"big.log", doc, len}, {"small.log", "x\n", 2}};
    unsigned char *tgz;
    size_t ntgz;

    /* The matcher's prefilter, of the error words only, scans the blocks
     * on either thread; this sink takes records without matching. */
    memset(&none, 0, sizeof(none));
    m = mt_matcher_new(&none, NULL, 1000, 100);
    ASSERT_TRUE(m != NULL);
    tgz = make_archive(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP,
                       members, 2, &ntgz);
    if (m != NULL) {
        same_on_two_threads("doc.log", doc, len, m);
        same_on_two_threads("doc16.log", u16, n16, m);
        same_on_two_threads("doc.log.gz", z, nz, m);
        /* Truncated: the read error comes late, after the thread started,
         * and once. */
        same_on_two_threads("cut.log.gz", z, nz * 4 / 5, m);
        same_on_two_threads("docs.tar.gz", tgz, ntgz, m);
    }
    mt_matcher_free(m);
    mt_free(doc);
    mt_free(ascii);
    free(u16);
    free(z);
    free(tgz);
}

TEST(decode_two_threads_stop_early_and_count_as_one)
{
    struct mt_patterns none;
    struct mt_matcher *m;
    struct run one, two;
    size_t len, at, k;
    char *doc = long_document(1, &len);
    unsigned x = 99;
    int round;

    /* 256 KiB of noise at 2 MiB, text again after it: the decoder stops
     * there, while the read-ahead thread (one thread) may have read
     * blocks beyond and the producer (two threads) has not. Both count
     * the bytes a reader without a thread would have pulled. */
    at = 2u * 1024 * 1024;
    for (k = at; k < at + 256 * 1024 && k < len; k++) {
        x = x * 1103515245u + 12345u;
        doc[k] = (char)(x >> 24);
    }
    memset(&none, 0, sizeof(none));
    m = mt_matcher_new(&none, NULL, 1000, 100);
    ASSERT_TRUE(m != NULL);
    for (round = 0; m != NULL && round < 3; round++) {
        run_init(&one);
        run_init(&two);
        two.pipeline = m;
        run_scan_stopped(&one, "stops.log", doc, len);
        run_scan_stopped(&two, "stops.log", doc, len);
        ASSERT_HAS(msgs_of(&one), "binary data in bytes");
        ASSERT_STR_EQ(msgs_of(&two), msgs_of(&one));
        ASSERT_INT_EQ(two.seen.records, one.seen.records);
        ASSERT_TRUE(one.scan.raw_bytes < len);
        ASSERT_INT_EQ(two.scan.raw_bytes, one.scan.raw_bytes);
        ASSERT_INT_EQ(two.scan.pipelined, 1);
        run_free(&one);
        run_free(&two);
    }
    mt_matcher_free(m);
    mt_free(doc);
}
