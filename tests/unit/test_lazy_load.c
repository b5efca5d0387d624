/* test_lazy_load.c: what a run may not need waits for its first use.
 * Each signature's regex is JIT-compiled on first use, not at load:
 * loading compiles none; a record reaches a few signatures and only those
 * are compiled, each once however often it runs; with -j, shards that
 * reach the same signature at once still compile it once. The
 * nearest-article index is built by the first unrecognised error line,
 * once, and gives the same possible match as when built at once. */
#include "engine_private.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char large_item[] =
    "Identity : jdoe@contoso.com\r\n"
    "Message  : 1/19/2015 2:07:44 PM [BY2PR02MB315] A large item was "
    "encountered: Item (IPM.Note) Subject:\"77 mb\", Size: 77.51 MB "
    "(81,278,846 bytes), Folder:\"Inbox\"\r\n\r\n";

static size_t jit_compiled(const struct mt_patterns *p)
{
    size_t i, n = 0;

    for (i = 0; i < p->n; i++) {
        n += (size_t)mt_signature_jit_done(&p->sigs[i]);
    }
    return n;
}

static const struct mt_signature *large_item_signature(struct mt_engine *e)
{
    int i = mt_patterns_find(&e->patterns, "mrs.large-item.encountered");

    ASSERT_TRUE(i >= 0);
    return i >= 0 ? &e->patterns.sigs[i] : NULL;
}

/* Writes files files into the new temporary folder dir (a mkdtemp
 * pattern), each holding text copies times; remove_copies() removes
 * them. */
static void write_copies(char *dir, int files, const char *text, int copies)
{
    char path[128];
    int i, k;

    ASSERT_TRUE(mkdtemp(dir) != NULL);
    for (i = 0; i < files; i++) {
        FILE *f;
        snprintf(path, sizeof(path), "%s/input%d.txt", dir, i);
        f = fopen(path, "wb");
        ASSERT_TRUE(f != NULL);
        for (k = 0; f != NULL && k < copies; k++) {
            fputs(text, f);
        }
        if (f != NULL) {
            fclose(f);
        }
    }
}

static void remove_copies(const char *dir, int files)
{
    char path[128];
    int i;

    for (i = 0; i < files; i++) {
        snprintf(path, sizeof(path), "%s/input%d.txt", dir, i);
        unlink(path);
    }
    rmdir(dir);
}

TEST(lazy_jit_none_at_load)
{
    struct mt_engine *e = unit_shipped_engine();

    ASSERT_TRUE(e->patterns.n > 100);
    ASSERT_INT_EQ(jit_compiled(&e->patterns), 0);
    ASSERT_INT_EQ(e->patterns.jit_compiles, 0);
    mt_engine_free(e);
}

TEST(lazy_jit_reached_once)
{
    struct mt_engine *e = unit_shipped_engine();
    const struct mt_signature *s = large_item_signature(e);
    size_t after_one, i;

    mt_engine_scan_memory(e, "one.txt", large_item, strlen(large_item));
    ASSERT_TRUE(s != NULL && mt_signature_jit_done(s));
    after_one = jit_compiled(&e->patterns);
    /* The record reaches its own signature and the few context ones
     * whose literal it holds, not the hundreds of others. */
    ASSERT_TRUE(after_one >= 1 && after_one < 20);
    ASSERT_INT_EQ(e->patterns.jit_compiles, after_one);
    for (i = 0; i < 50; i++) {
        mt_engine_scan_memory(e, "again.txt", large_item,
                              strlen(large_item));
    }
    ASSERT_INT_EQ(jit_compiled(&e->patterns), after_one);
    ASSERT_INT_EQ(e->patterns.jit_compiles, after_one);
    mt_engine_free(e);
}

/* Eight files of the same failures, scanned by three threads that all
 * reach the same signatures in their first records. */
TEST(lazy_jit_once_under_jobs)
{
    char dir[] = "/tmp/mt-lazy-jit-XXXXXX";
    struct mt_engine *e;
    const struct mt_signature *s;

    write_copies(dir, 8, large_item, 200);
    e = unit_shipped_engine();
    s = large_item_signature(e);
    mt_engine_set_jobs(e, 3);
    mt_engine_scan_path(e, dir);
    ASSERT_TRUE(s != NULL && mt_signature_jit_done(s));
    ASSERT_TRUE(jit_compiled(&e->patterns) >= 1);
    ASSERT_INT_EQ(e->patterns.jit_compiles, jit_compiled(&e->patterns));
    mt_engine_free(e);
    remove_copies(dir, 8);
}

/* An error line no signature knows, close to the samples of one
 * article: it makes a possible match, which needs the index. */
static const char unknown_error[] =
    "Error: MapiExceptionNotFound: Unable to open message store\r\n";

TEST(lazy_similar_index_on_first_unknown_line)
{
    struct mt_engine *e = unit_shipped_engine();

    ASSERT_TRUE(e->similar == NULL);
    mt_engine_scan_memory(e, "known.txt", large_item, strlen(large_item));
    ASSERT_TRUE(e->similar == NULL); /* a known error needs no index */
    mt_engine_scan_memory(e, "paste.txt", unknown_error,
                          strlen(unknown_error));
    ASSERT_TRUE(e->similar != NULL);
    ASSERT_TRUE(mt_engine_similar(e) == e->similar); /* built once */
    ASSERT_TRUE(mt_similar_terms(e->similar) > 1000);
    mt_engine_free(e);
}

TEST(lazy_similar_index_once_under_jobs)
{
    char dir[] = "/tmp/mt-lazy-similar-XXXXXX";
    struct mt_engine *e;
    const struct mt_similar *first;

    write_copies(dir, 6, unknown_error, 50);
    e = unit_shipped_engine();
    mt_engine_set_jobs(e, 3);
    mt_engine_scan_path(e, dir);
    first = e->similar;
    ASSERT_TRUE(first != NULL);
    ASSERT_INT_EQ(e->similar_state, 1);
    ASSERT_TRUE(mt_engine_similar(e) == first);
    mt_engine_free(e);
    remove_copies(dir, 6);
}
