/* test_prefilter_cache.c: the compiled prefilter database is kept on disk
 * between runs (Hyperscan builds; the built-in automaton keeps nothing).
 * A second build with the same literals reads it back and finds the same
 * literals; a damaged file or one others may write is not used, the
 * database is compiled again; MT_CACHE_DIR set but empty keeps nothing. */
#include "prefilter.h"
#include "unit.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const lits[] = {"MapiExceptionNotFound",
                                   "TooManyLargeItems", "HCW8078"};

static struct mt_prefilter *build(void)
{
    struct mt_prefilter *pf = mt_prefilter_new();
    size_t i;

    for (i = 0; i < 3; i++) {
        mt_prefilter_add(pf, lits[i], strlen(lits[i]), (int)i);
    }
    ASSERT_INT_EQ(mt_prefilter_build(pf), 0);
    return pf;
}

static void on_hit(void *ctx, int id, size_t end)
{
    (void)end;
    *(unsigned *)ctx |= 1u << id;
}

static unsigned found(struct mt_prefilter *pf)
{
    static const char text[] = "Error: MapiExceptionNotFound, see HCW8078";
    unsigned seen = 0;

    mt_prefilter_scan(pf, text, strlen(text), on_hit, &seen);
    return seen;
}

/* The cached file's path in dir, or "" when there is none. */
static void cached_file(const char *dir, char *path, size_t cap)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    path[0] = '\0';
    while (d != NULL && (de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, "prefilter-", 10) == 0) {
            snprintf(path, cap, "%s/%s", dir, de->d_name);
        }
    }
    if (d != NULL) {
        closedir(d);
    }
}

TEST(prefilter_cache_roundtrip)
{
    char dir[] = "/tmp/mt-pfcache-XXXXXX", file[512];
    struct mt_prefilter *a, *b, *c;
    FILE *f;

    ASSERT_TRUE(mkdtemp(dir) != NULL);
    setenv("MT_CACHE_DIR", dir, 1);
    a = build();
    ASSERT_INT_EQ(mt_prefilter_from_cache(a), 0);
    cached_file(dir, file, sizeof(file));
    b = build();
    /* Hyperscan builds write the file and read it back. */
    ASSERT_INT_EQ(mt_prefilter_from_cache(b), file[0] != '\0');
    ASSERT_INT_EQ(found(a), 5u);
    ASSERT_INT_EQ(found(b), 5u);
    if (file[0] != '\0') {
        /* Writable by others: not trusted, compiled again. */
        chmod(file, 0666);
        c = build();
        ASSERT_INT_EQ(mt_prefilter_from_cache(c), 0);
        mt_prefilter_free(c);
        /* Damaged: compiled again, and the same literals found. */
        chmod(file, 0600);
        f = fopen(file, "r+b");
        ASSERT_TRUE(f != NULL);
        if (f != NULL) {
            fputs("not a database", f);
            fclose(f);
        }
        c = build();
        ASSERT_INT_EQ(found(c), 5u);
        mt_prefilter_free(c);
        unlink(file);
    }
    mt_prefilter_free(a);
    mt_prefilter_free(b);
    rmdir(dir);
    unsetenv("MT_CACHE_DIR");
}

TEST(prefilter_cache_off_when_empty)
{
    char dir[] = "/tmp/mt-pfcache-XXXXXX", file[512];
    struct mt_prefilter *a;

    ASSERT_TRUE(mkdtemp(dir) != NULL);
    setenv("MT_CACHE_DIR", "", 1);
    a = build();
    ASSERT_INT_EQ(mt_prefilter_from_cache(a), 0);
    cached_file(dir, file, sizeof(file));
    ASSERT_STR_EQ(file, "");
    mt_prefilter_free(a);
    rmdir(dir);
    unsetenv("MT_CACHE_DIR");
}
