/* test_cache.c: the cache folder does not grow without end (cache.c).
 * Writing a file prunes the files of its own kind: past MT_CACHE_KEEP the
 * least recently used go, and any unused for MT_CACHE_UNUSED_DAYS; files
 * of another kind, named otherwise, or a directory are never touched; a
 * read marks an old file as used, so a knowledge base in daily use keeps
 * its files whatever their age. */
#include "cache.h"
#include "unit.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define DAY (24 * 3600)

/* Creates dir/name holding a few bytes, last modified days_ago days ago. */
static void put_file(const char *dir, const char *name, int days_ago)
{
    char path[256];
    struct timeval tv[2];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    ASSERT_TRUE(f != NULL);
    if (f == NULL) {
        return;
    }
    fputs("cached bytes", f);
    fclose(f);
    chmod(path, 0600);
    tv[0].tv_sec = tv[1].tv_sec = time(NULL) - (time_t)days_ago * DAY;
    tv[0].tv_usec = tv[1].tv_usec = 0;
    ASSERT_INT_EQ(utimes(path, tv), 0);
}

static int exists(const char *dir, const char *name)
{
    char path[256];
    struct stat st;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return lstat(path, &st) == 0;
}

/* The name mt_cache_path gives kind, key and ext, without the folder. */
static void name_of(const char *kind, unsigned long long key,
                    const char *ext, char *name, size_t cap)
{
    char path[512];
    const char *slash;

    ASSERT_INT_EQ(mt_cache_path(kind, key, ext, path, sizeof(path)), 0);
    slash = strrchr(path, '/');
    slash = slash ? slash + 1 : path;
    ASSERT_TRUE(strlen(slash) < cap);
    if (strlen(slash) < cap) {
        memcpy(name, slash, strlen(slash) + 1);
    }
}

TEST(cache_write_prunes_its_kind)
{
    char dir[] = "/tmp/mt-cache-XXXXXX", name[64], path[512];
    int i;

    ASSERT_TRUE(mkdtemp(dir) != NULL);
    setenv("MT_CACHE_DIR", dir, 1);
    /* Ten older files of the kind, used 1..10 days ago (key = age). */
    for (i = 1; i <= 10; i++) {
        name_of("regex", (unsigned long long)i, "pcre2", name, sizeof(name));
        put_file(dir, name, i);
    }
    /* One unused for longer than the limit. */
    name_of("regex", 99, "pcre2", name, sizeof(name));
    put_file(dir, name, MT_CACHE_UNUSED_DAYS + 1);
    /* Neighbours that are not this kind's files. */
    name_of("prefilter", 1, "hsdb", name, sizeof(name));
    put_file(dir, name, 400);
    put_file(dir, "regex-0000000000000001.pcre2.123.tmp", 400);
    put_file(dir, "regex-00000000000000zz.pcre2", 400);
    put_file(dir, "regex-1.pcre2", 400);
    put_file(dir, "notes.txt", 400);
    snprintf(path, sizeof(path), "%s/regex-00000000000000aa.pcre2", dir);
    ASSERT_INT_EQ(mkdir(path, 0700), 0);

    ASSERT_INT_EQ(mt_cache_path("regex", 0x1234, "pcre2", path, sizeof(path)),
                  0);
    mt_cache_write(path, "new", 3);

    name_of("regex", 0x1234, "pcre2", name, sizeof(name));
    ASSERT_TRUE(exists(dir, name));
    /* The new file and the KEEP - 1 most recently used others stay. */
    for (i = 1; i <= 10; i++) {
        name_of("regex", (unsigned long long)i, "pcre2", name, sizeof(name));
        if (i <= MT_CACHE_KEEP - 1) {
            ASSERT_TRUE(exists(dir, name));
        } else {
            ASSERT_TRUE(!exists(dir, name));
        }
    }
    name_of("regex", 99, "pcre2", name, sizeof(name));
    ASSERT_TRUE(!exists(dir, name));
    name_of("prefilter", 1, "hsdb", name, sizeof(name));
    ASSERT_TRUE(exists(dir, name));
    ASSERT_TRUE(exists(dir, "regex-0000000000000001.pcre2.123.tmp"));
    ASSERT_TRUE(exists(dir, "regex-00000000000000zz.pcre2"));
    ASSERT_TRUE(exists(dir, "regex-1.pcre2"));
    ASSERT_TRUE(exists(dir, "notes.txt"));
    ASSERT_TRUE(exists(dir, "regex-00000000000000aa.pcre2"));
    unit_remove_dir(dir);
    unsetenv("MT_CACHE_DIR");
}

TEST(cache_read_marks_old_file_used)
{
    char dir[] = "/tmp/mt-cache-XXXXXX", name[64], path[512];
    struct stat st;
    size_t len = 0;
    char *bytes;
    int i;

    ASSERT_TRUE(mkdtemp(dir) != NULL);
    setenv("MT_CACHE_DIR", dir, 1);
    /* The file in use was written long ago; eight others since. */
    name_of("regex", 0x77, "pcre2", name, sizeof(name));
    put_file(dir, name, MT_CACHE_UNUSED_DAYS + 5);
    for (i = 1; i <= MT_CACHE_KEEP; i++) {
        char other[64];
        name_of("regex", (unsigned long long)i, "pcre2", other,
                sizeof(other));
        put_file(dir, other, i);
    }
    ASSERT_INT_EQ(mt_cache_path("regex", 0x77, "pcre2", path, sizeof(path)),
                  0);
    bytes = mt_cache_read(path, &len);
    ASSERT_TRUE(bytes != NULL);
    ASSERT_INT_EQ(len, 12);
    mt_free(bytes);
    ASSERT_INT_EQ(stat(path, &st), 0);
    ASSERT_TRUE(st.st_mtime >= time(NULL) - 60);

    /* A new file now prunes the least recently used, not the one read. */
    ASSERT_INT_EQ(mt_cache_path("regex", 0x88, "pcre2", path, sizeof(path)),
                  0);
    mt_cache_write(path, "new", 3);
    ASSERT_TRUE(exists(dir, name));
    name_of("regex", MT_CACHE_KEEP, "pcre2", name, sizeof(name));
    ASSERT_TRUE(!exists(dir, name));
    name_of("regex", MT_CACHE_KEEP - 1, "pcre2", name, sizeof(name));
    ASSERT_TRUE(!exists(dir, name));
    name_of("regex", MT_CACHE_KEEP - 2, "pcre2", name, sizeof(name));
    ASSERT_TRUE(exists(dir, name));
    unit_remove_dir(dir);
    unsetenv("MT_CACHE_DIR");
}
