/* test_scale.c: memory and work that must not grow faster than the input.
 * Inputs are generated here, at a small and a larger size; each test
 * asserts a bound that a quadratic step or a whole-input buffer breaks by
 * far: string comparisons counted through the linker (-Wl,--wrap=strcmp,
 * which sees every strcmp call of the engine library), or the growth of
 * peak RSS (getrusage). No test measures time. */
#include "engine_private.h"
#include "format.h"
#include "prefilter.h"
#include "unit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- counting string comparisons ---- */

static uint64_t strcmp_calls;

int __real_strcmp(const char *a, const char *b);
int __wrap_strcmp(const char *a, const char *b);

int __wrap_strcmp(const char *a, const char *b)
{
    strcmp_calls++;
    return __real_strcmp(a, b);
}

/* Compares at n and at 4n items must grow about 4x (quadratic: 16x). */
static void assert_linear(const char *what, size_t n, uint64_t small,
                          uint64_t large)
{
    fprintf(stderr, "%s: %llu strcmp for %zu, %llu for %zu\n", what,
            (unsigned long long)small, n, (unsigned long long)large, 4 * n);
    ASSERT_TRUE(large < 5 * small + 1000);
}

/* The Hyperscan database cache would keep the generated literal sets in
 * the user's cache folder: the tests here keep none. */
static void no_disk_cache(void)
{
    setenv("MT_CACHE_DIR", "", 1);
}

/* ---- peak RSS ---- */

#if defined(__SANITIZE_ADDRESS__)
#define RSS_MEANINGFUL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RSS_MEANINGFUL 0
#endif
#endif
#ifndef RSS_MEANINGFUL
/* AddressSanitizer keeps freed memory in quarantine, so peak RSS grows
 * with everything allocated: there the tests still run, unmeasured. */
#define RSS_MEANINGFUL 1
#endif
/* Inputs of the RSS tests are divided by this where RSS is not measured:
 * they still run the code, in less time. */
#define RSS_INPUT_DIVISOR (RSS_MEANINGFUL ? 1 : 8)

static long peak_rss_kib(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss; /* KiB on Linux */
}

/* ---- generated inputs ---- */

/* Format-List move statistics of n mailboxes, each failed the same way
 * (one MRS Proxy time-out each), as Get-MoveRequestStatistics | fl writes
 * them. */
static char *failed_mailboxes_fl(size_t n, size_t *len)
{
    struct mt_buf b;
    size_t i;

    mt_buf_init(&b, 0);
    for (i = 0; i < n; i++) {
        mt_buf_appendf(&b,
                       "DisplayName    : User %zu\r\n"
                       "Identity       : user%07zu@contoso.com\r\n"
                       "Status         : Failed\r\n"
                       "BatchName      : MigrationService:Batch%zu\r\n"
                       "Message        : Error: The call to "
                       "'https://mail.fabrikam.com/EWS/mrsproxy.svc' timed "
                       "out.\r\n\r\n",
                       i, i, i % 7);
    }
    *len = b.len;
    return mt_buf_steal(&b);
}

static struct mt_engine *engine_with_shipped_kb(void)
{
    struct mt_engine *e;

    no_disk_cache();
    e = mt_engine_new();

    ASSERT_TRUE(e != NULL);
    if (e != NULL) {
        ASSERT_INT_EQ(mt_engine_load(e, MT_SOURCE_DATA_DIR "/patterns",
                                     MT_SOURCE_DATA_DIR "/kb"),
                      MT_OK);
    }
    return e;
}

/* String comparisons made by writing the text report of n failed
 * mailboxes. */
static uint64_t text_report_compares(size_t n)
{
    struct mt_engine *e = engine_with_shipped_kb();
    size_t len;
    char *in = failed_mailboxes_fl(n, &len), expect[64];
    FILE *out = tmpfile();
    char head[4096];
    uint64_t before;
    size_t got;

    ASSERT_TRUE(in != NULL && out != NULL && e != NULL);
    if (in == NULL || out == NULL || e == NULL) {
        return 0;
    }
    mt_engine_scan_memory(e, "batch.txt", in, len);
    before = strcmp_calls;
    mt_engine_write_report(e, out, MT_FORMAT_TEXT, 0);
    before = strcmp_calls - before;
    rewind(out);
    got = fread(head, 1, sizeof(head) - 1, out);
    head[got] = '\0';
    snprintf(expect, sizeof(expect), "%zu occurrences, %zu mailboxes: ", n,
             n);
    ASSERT_TRUE(strstr(head, expect) != NULL);
    fclose(out);
    mt_free(in);
    mt_engine_free(e);
    return before;
}

/* The text report named every mailbox of a problem by comparing it with
 * every one before it: 100,000 mailboxes took 49 s. */
TEST(scale_text_report_linear_in_mailboxes)
{
    uint64_t large = text_report_compares(8000);

    assert_linear("text report, mailboxes", 2000, text_report_compares(2000),
                  large);
    ASSERT_TRUE(large < 200 * 8000);
}

/* The files write_user_knowledge() makes under dir. */
static const char *const knowledge_files[] = {"p/user.json", "kb/user.json",
                                              "p", "kb"};

static void remove_user_knowledge(const char *dir)
{
    char path[600];
    size_t i;

    for (i = 0; i < sizeof(knowledge_files) / sizeof(knowledge_files[0]);
         i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, knowledge_files[i]);
        remove(path);
    }
    remove(dir);
}

/* Writes a patterns and a kb directory with n user signatures, each with
 * its own article, under dir. */
static void write_user_knowledge(const char *dir, size_t n)
{
    char path[512];
    FILE *f;
    size_t i;

    snprintf(path, sizeof(path), "%s/p", dir);
    ASSERT_INT_EQ(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/kb", dir);
    ASSERT_INT_EQ(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/p/user.json", dir);
    f = fopen(path, "w");
    ASSERT_TRUE(f != NULL);
    if (f == NULL) {
        return;
    }
    fputs("{\"schema\": 1, \"family\": \"user\", \"signatures\": [\n", f);
    for (i = 0; i < n; i++) {
        fprintf(f,
                "%s{\"id\": \"user.app-error-%zu\", \"rev\": 1, \"article\": "
                "\"user-app-error-%zu\", \"severity\": \"error\", "
                "\"literal\": \"AppErr%06zu\", \"pattern\": "
                "\"AppErr%06zu: (?<what>\\\\w+)\", \"samples\": "
                "[\"AppErr%06zu: quota\"], \"non_samples\": [\"AppErr\"]}\n",
                i ? "," : "", i, i, i, i, i);
    }
    fputs("]}\n", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/kb/user.json", dir);
    f = fopen(path, "w");
    ASSERT_TRUE(f != NULL);
    if (f == NULL) {
        return;
    }
    fputs("{\"schema\": 1, \"family\": \"user\", \"articles\": [\n", f);
    for (i = 0; i < n; i++) {
        fprintf(f,
                "%s{\"id\": \"user-app-error-%zu\", \"title\": \"App error "
                "%zu\", \"summary\": \"s\", \"cause\": \"c\", "
                "\"resolution\": [\"r\"], \"refs\": [\"internal\"]}\n",
                i ? "," : "", i, i);
    }
    fputs("]}\n", f);
    fclose(f);
}

/* String comparisons made by loading n user signatures and articles. */
static uint64_t load_compares(size_t n)
{
    char dir[] = "/tmp/mt-scale-XXXXXX", p[600], kb[600];
    struct mt_engine *e;
    uint64_t before;

    no_disk_cache();
    ASSERT_TRUE(mkdtemp(dir) != NULL);
    write_user_knowledge(dir, n);
    snprintf(p, sizeof(p), "%s/p", dir);
    snprintf(kb, sizeof(kb), "%s/kb", dir);
    e = mt_engine_new();
    ASSERT_TRUE(e != NULL);
    if (e == NULL) {
        remove_user_knowledge(dir);
        return 0;
    }
    before = strcmp_calls;
    ASSERT_INT_EQ(mt_engine_load(e, p, kb), MT_OK);
    before = strcmp_calls - before;
    ASSERT_INT_EQ(e->patterns.n, n);
    ASSERT_INT_EQ(e->kb.n, n);
    ASSERT_INT_EQ(e->patterns.sigs[n - 1].article_index, (long long)n - 1);
    mt_engine_free(e);
    remove_user_knowledge(dir);
    return before;
}

/* Each signature's id was compared with every one loaded before it (the
 * duplicate check), and each article lookup with every article: 100,000
 * signatures took 156 s. */
TEST(scale_signature_load_linear)
{
    assert_linear("load, signatures", 1000, load_compares(1000),
                  load_compares(4000));
}

/* ---- the JSON reader holds one top-level value, not the document ---- */

static int count_object(void *ctx, const struct mt_record *r)
{
    if (r->kind == MT_REC_BLANK) {
        (*(size_t *)ctx)++;
    }
    return 0;
}

static void count_message(void *ctx, enum mt_msg_level level,
                          const char *origin, const char *text)
{
    (void)ctx;
    (void)level;
    UNIT_FAIL("unexpected message: %s: %s", origin, text);
}

static const struct mt_sink_ops count_ops = {NULL, count_object, NULL};

/* Feeds an array of n ConvertTo-Json (Windows PowerShell 5.1 layout) move
 * statistics objects to the JSON reader, one object's text at a time, and
 * returns how many objects it read. */
static size_t read_json_array(size_t n)
{
    uint64_t limits[MT_LIMIT_COUNT_];
    struct mt_scan scan;
    struct mt_format_reader *r;
    struct mt_buf obj;
    size_t i, objects = 0;
    int k;

    mt_limits_defaults(limits);
    mt_scan_init(&scan, limits, &count_ops, &objects, count_message, NULL);
    r = mt_format_json.open(&scan, "stats.json");
    ASSERT_TRUE(r != NULL);
    if (r == NULL) {
        return 0;
    }
    mt_buf_init(&obj, 0);
    ASSERT_INT_EQ(mt_format_json.feed(r, "[\r\n", 3), 0);
    for (i = 0; i < n; i++) {
        mt_buf_reset(&obj);
        mt_buf_appendf(&obj,
                       "%s    {\r\n"
                       "        \"DisplayName\":  \"User %zu\",\r\n"
                       "        \"Identity\":  \"user%07zu@contoso.com\",\r\n"
                       "        \"Status\":  10,\r\n"
                       "        \"Message\":  \"Error: The call to "
                       "'https://mail.fabrikam.com/EWS/mrsproxy.svc' timed "
                       "out.\",\r\n"
                       "        \"Report\":  {\r\n"
                       "            \"Entries\":  [\r\n",
                       i ? ",\r\n" : "", i, i);
        for (k = 0; k < 8; k++) {
            mt_buf_appendf(&obj,
                           "                \"1/19/2015 1:52:%02d PM "
                           "[EXCH01] Copy progress: %d/%zu messages.\"%s\r\n",
                           k, k, i, k < 7 ? "," : "");
        }
        mt_buf_appendf(&obj, "            ]\r\n        }\r\n    }");
        ASSERT_INT_EQ(mt_format_json.feed(r, obj.data, obj.len), 0);
    }
    ASSERT_INT_EQ(mt_format_json.feed(r, "\r\n]\r\n", 5), 0);
    ASSERT_INT_EQ(mt_format_json.finish(r), 0);
    mt_format_json.free(r);
    mt_buf_free(&obj);
    return objects;
}

/* A 5.8 MB zip of ConvertTo-Json output took 1.75 GB: the reader held the
 * whole document and Jansson's tree of it. 2,000 objects are 1.5 MB of
 * JSON; peak RSS must not grow when 4 and 16 times as many follow. */
TEST(scale_json_reader_memory_flat)
{
    size_t n = 2000 / RSS_INPUT_DIVISOR;
    long base = peak_rss_kib(), x1, x4, x16;

    ASSERT_INT_EQ(read_json_array(n), n);
    x1 = peak_rss_kib();
    ASSERT_INT_EQ(read_json_array(4 * n), 4 * n);
    x4 = peak_rss_kib();
    ASSERT_INT_EQ(read_json_array(16 * n), 16 * n);
    x16 = peak_rss_kib();
    fprintf(stderr, "JSON reader peak RSS growth: 1x %ld KiB, 4x %ld KiB, "
                    "16x %ld KiB\n",
            x1 - base, x4 - base, x16 - base);
    if (RSS_MEANINGFUL) {
        ASSERT_TRUE(x16 - x1 < 2048);
    }
}

/* ---- reports stream what grows with the mailboxes ---- */

/* Peak RSS growth (KiB) while writing the report of n failed mailboxes in
 * format fmt. */
static long report_rss_growth(size_t n, enum mt_format fmt)
{
    struct mt_engine *e = engine_with_shipped_kb();
    size_t len;
    char *in = failed_mailboxes_fl(n, &len);
    FILE *out = fopen("/dev/null", "w");
    long before;

    ASSERT_TRUE(in != NULL && out != NULL && e != NULL);
    if (in == NULL || out == NULL || e == NULL) {
        return 0;
    }
    mt_engine_scan_memory(e, "batch.txt", in, len);
    mt_free(in);
    ASSERT_INT_EQ(e->mailboxes.n, n);
    before = peak_rss_kib();
    mt_engine_write_report(e, out, fmt, 0);
    fclose(out);
    mt_engine_free(e);
    return peak_rss_kib() - before;
}

/* The JSON summary built by_mailbox as one tree and then its text: about
 * 1.6 KB per mailbox on top of what the scan keeps (20,000 mailboxes:
 * +32 MB). What is left is the sorted indexes and the (article, mailbox)
 * pairs, about 50 bytes a mailbox. (One test per format: peak RSS is the
 * process's.) */
TEST(scale_json_report_streams_by_mailbox)
{
    size_t n = 20000 / RSS_INPUT_DIVISOR;
    long growth = report_rss_growth(n, MT_FORMAT_JSON);

    fprintf(stderr, "JSON report of %zu mailboxes: peak RSS +%ld KiB\n", n,
            growth);
    if (RSS_MEANINGFUL) {
        ASSERT_TRUE(growth < 4096);
    }
}

TEST(scale_ndjson_summary_streams_by_mailbox)
{
    size_t n = 20000 / RSS_INPUT_DIVISOR;
    long growth = report_rss_growth(n, MT_FORMAT_NDJSON);

    fprintf(stderr, "NDJSON report of %zu mailboxes: peak RSS +%ld KiB\n", n,
            growth);
    if (RSS_MEANINGFUL) {
        ASSERT_TRUE(growth < 4096);
    }
}

/* ---- many signatures on one literal ---- */

static void count_hit(void *ctx, int id, size_t end)
{
    (void)id;
    (void)end;
    (*(size_t *)ctx)++;
}

/* Hyperscan's literal compile grew quadratically with repeats of one
 * literal: 20,000 user signatures on "AppError" took 15 s and 900 MB. The
 * prefilter now hands it each distinct literal once. */
TEST(scale_prefilter_shared_literal)
{
    size_t n = 8000 / RSS_INPUT_DIVISOR, i, hits = 0;
    long before = peak_rss_kib(), growth;
    struct mt_prefilter *pf;
    const char text[] = "Error: APPERROR 17 in mailbox jdoe";

    no_disk_cache();
    pf = mt_prefilter_new();
    ASSERT_TRUE(pf != NULL);
    if (pf == NULL) {
        return;
    }
    for (i = 0; i < n; i++) {
        ASSERT_INT_EQ(mt_prefilter_add(pf, i % 2 ? "AppError" : "apperror",
                                       8, (int)i),
                      0);
    }
    ASSERT_INT_EQ(mt_prefilter_build(pf), 0);
    mt_prefilter_scan(pf, text, strlen(text), count_hit, &hits);
    ASSERT_INT_EQ(hits, n);
    mt_prefilter_free(pf);
    growth = peak_rss_kib() - before;
    fprintf(stderr, "prefilter, %zu ids on one literal: peak RSS +%ld KiB\n",
            n, growth);
    if (RSS_MEANINGFUL) {
        ASSERT_TRUE(growth < 8192);
    }
}
