/* test_regex_cache.c: the signatures' compiled regexes are kept on disk
 * between runs (regex_cache.c). A second load of the same patterns reads
 * them back and they match as compiled ones do; a changed pattern is a
 * new file; a folder with a pattern that does not compile is reported on
 * every load and never cached; a damaged, truncated or foreign file, or
 * one others may write, is ignored (compiled again, then rewritten);
 * MT_CACHE_DIR set but empty keeps nothing. */
#include "patterns.h"
#include "unit.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIGNATURE(id, pattern)                                              \
    "{\"id\": \"" id "\", \"rev\": 1, \"article\": \"a\", "                 \
    "\"severity\": \"error\", \"pattern\": \"" pattern "\"}"

static const char good_sigs[] =
    "{\"schema\": 1, \"signatures\": ["
    SIGNATURE("t.large", "TooManyLargeItems(?: for (?<mailbox>\\\\S+))?") ","
    SIGNATURE("t.hr", "hr=0x(?<hr>[0-9a-f]{8})") "]}";

struct fixture {
    char data[32];  /* the patterns folder */
    char cache[32]; /* MT_CACHE_DIR */
};

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[128];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    ASSERT_TRUE(f != NULL);
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
}

static void fixture_open(struct fixture *fx, const char *sigs)
{
    snprintf(fx->data, sizeof(fx->data), "/tmp/mt-rxdata-XXXXXX");
    snprintf(fx->cache, sizeof(fx->cache), "/tmp/mt-rxcache-XXXXXX");
    ASSERT_TRUE(mkdtemp(fx->data) != NULL);
    ASSERT_TRUE(mkdtemp(fx->cache) != NULL);
    write_file(fx->data, "t.json", sigs);
    setenv("MT_CACHE_DIR", fx->cache, 1);
}

static void fixture_close(struct fixture *fx)
{
    unit_remove_dir(fx->data);
    unit_remove_dir(fx->cache);
    unsetenv("MT_CACHE_DIR");
}

/* The number of regex cache files in dir; path gets the last one. */
static int cache_files(const char *dir, char *path, size_t cap)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    path[0] = '\0';
    while (d != NULL && (de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, "regex-", 6) == 0 &&
            strstr(de->d_name, ".tmp") == NULL) {
            snprintf(path, cap, "%s/%s", dir, de->d_name);
            n++;
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    return n;
}

/* Loads the fixture's folder; returns how many signatures came from the
 * cache, or -1 when the load itself failed. */
static long load(const struct fixture *fx, struct mt_patterns *p,
                 struct mt_problems *probs)
{
    memset(p, 0, sizeof(*p));
    memset(probs, 0, sizeof(*probs));
    if (mt_patterns_load(p, fx->data, probs) != 0) {
        return -1;
    }
    return (long)p->from_cache;
}

/* Whether signature id of p matches text, and the value of its first
 * named group ("" when it has none or it is unset). */
static int matches(const struct mt_patterns *p, const char *id,
                   const char *text, char *group, size_t cap)
{
    int i = mt_patterns_find(p, id), rc;
    pcre2_match_data *md;
    PCRE2_SIZE len = cap;

    group[0] = '\0';
    if (i < 0 || p->sigs[i].code == NULL) {
        return 0;
    }
    md = pcre2_match_data_create_from_pattern(p->sigs[i].code, NULL);
    rc = pcre2_match(p->sigs[i].code, (PCRE2_SPTR)text, strlen(text), 0, 0,
                     md, NULL);
    if (rc > 0 && p->sigs[i].ngroups > 0 &&
        pcre2_substring_copy_bynumber(md, (uint32_t)p->sigs[i].groups[0].number,
                                      (PCRE2_UCHAR *)group, &len) != 0) {
        group[0] = '\0';
    }
    pcre2_match_data_free(md);
    return rc > 0;
}

/* What both signatures of good_sigs must do, read or compiled. */
static void check_good(const struct mt_patterns *p)
{
    char g[64];

    ASSERT_INT_EQ(p->n, 2);
    ASSERT_INT_EQ(p->max_groups, 2);
    ASSERT_TRUE(matches(p, "t.large", "TooManyLargeItems for jdoe", g,
                        sizeof(g)));
    ASSERT_STR_EQ(g, "jdoe");
    ASSERT_TRUE(matches(p, "t.hr", "failed (hr=0x8004010f)", g, sizeof(g)));
    ASSERT_STR_EQ(g, "8004010f");
    ASSERT_TRUE(!matches(p, "t.hr", "hr=0x8004", g, sizeof(g)));
    ASSERT_INT_EQ(p->sigs[mt_patterns_find(p, "t.hr")].ngroups, 1);
}

TEST(regex_cache_roundtrip)
{
    struct fixture fx;
    struct mt_patterns p;
    struct mt_problems probs;
    char file[512];

    fixture_open(&fx, good_sigs);
    ASSERT_INT_EQ(load(&fx, &p, &probs), 0);
    ASSERT_INT_EQ(probs.n, 0);
    check_good(&p);
    mt_patterns_free(&p);
    ASSERT_INT_EQ(cache_files(fx.cache, file, sizeof(file)), 1);

    ASSERT_INT_EQ(load(&fx, &p, &probs), 2);
    ASSERT_INT_EQ(probs.n, 0);
    check_good(&p);
    mt_patterns_free(&p);

    /* One pattern changed: a new key, compiled, a second file. */
    write_file(fx.data, "t.json",
               "{\"schema\": 1, \"signatures\": ["
               SIGNATURE("t.large", "TooManyLargeItems(?: for (?<mailbox>\\\\S+))?") ","
               SIGNATURE("t.hr", "hr=0x(?<hr>[0-9A-Fa-f]{8})") "]}");
    ASSERT_INT_EQ(load(&fx, &p, &probs), 0);
    check_good(&p);
    mt_patterns_free(&p);
    ASSERT_INT_EQ(cache_files(fx.cache, file, sizeof(file)), 2);
    ASSERT_INT_EQ(load(&fx, &p, &probs), 2);
    mt_patterns_free(&p);
    fixture_close(&fx);
}

/* A pattern that does not compile is a problem naming it on every load,
 * the other signature still loads, and nothing is cached. */
TEST(regex_cache_bad_pattern_never_cached)
{
    struct fixture fx;
    struct mt_patterns p;
    struct mt_problems probs;
    char file[512], g[8];
    int round;

    fixture_open(&fx, "{\"schema\": 1, \"signatures\": ["
                      SIGNATURE("t.ok", "TooManyLargeItems") ","
                      SIGNATURE("t.bad", "MapiException(NotFound") "]}");
    for (round = 0; round < 2; round++) {
        ASSERT_INT_EQ(load(&fx, &p, &probs), 0);
        ASSERT_INT_EQ(p.n, 1);
        ASSERT_INT_EQ(probs.n, 1);
        ASSERT_TRUE(probs.n == 1 && strstr(probs.lines[0], "t.bad: pcre2: ") !=
                                        NULL);
        ASSERT_TRUE(probs.n == 1 &&
                    strstr(probs.lines[0], "missing closing parenthesis") !=
                        NULL);
        ASSERT_TRUE(matches(&p, "t.ok", "TooManyLargeItems", g, sizeof(g)));
        mt_patterns_free(&p);
        mt_problems_free(&probs);
        ASSERT_INT_EQ(cache_files(fx.cache, file, sizeof(file)), 0);
    }
    fixture_close(&fx);
}

/* Writes text over the file from byte at on. */
static void damage(const char *file, long at, const char *text)
{
    FILE *f = fopen(file, "r+b");

    ASSERT_TRUE(f != NULL);
    if (f != NULL) {
        fseek(f, at, SEEK_SET);
        fputs(text, f);
        fclose(f);
    }
}

TEST(regex_cache_damaged_file_ignored)
{
    struct fixture fx;
    struct mt_patterns p;
    struct mt_problems probs;
    char file[512];
    struct stat st;

    fixture_open(&fx, good_sigs);
    ASSERT_INT_EQ(load(&fx, &p, &probs), 0);
    mt_patterns_free(&p);
    ASSERT_INT_EQ(cache_files(fx.cache, file, sizeof(file)), 1);
    ASSERT_INT_EQ(stat(file, &st), 0);

    /* A flipped byte in the compiled code: the checksum catches it. */
    damage(file, (long)st.st_size - 20, "X");
    ASSERT_INT_EQ(load(&fx, &p, &probs), 0);
    ASSERT_INT_EQ(probs.n, 0);
    check_good(&p);
    mt_patterns_free(&p);
    /* ... and the load wrote a sound file again. */
    ASSERT_INT_EQ(load(&fx, &p, &probs), 2);
    mt_patterns_free(&p);

    /* Cut short. */
    ASSERT_INT_EQ(truncate(file, st.st_size / 2), 0);
    ASSERT_INT_EQ(load(&fx, &p, &probs), 0);
    check_good(&p);
    mt_patterns_free(&p);

    /* Not a cache file at all, shorter than its header. */
    ASSERT_INT_EQ(truncate(file, 0), 0);
    damage(file, 0, "not a cache");
    ASSERT_INT_EQ(load(&fx, &p, &probs), 0);
    check_good(&p);
    mt_patterns_free(&p);

    /* A header that claims another count. */
    damage(file, 16, "\x07");
    ASSERT_INT_EQ(load(&fx, &p, &probs), 0);
    mt_patterns_free(&p);

    /* Sound, but others may write it: not trusted. */
    ASSERT_INT_EQ(load(&fx, &p, &probs), 2);
    mt_patterns_free(&p);
    ASSERT_INT_EQ(chmod(file, 0666), 0);
    ASSERT_INT_EQ(load(&fx, &p, &probs), 0);
    check_good(&p);
    mt_patterns_free(&p);
    fixture_close(&fx);
}

TEST(regex_cache_off_when_empty)
{
    struct fixture fx;
    struct mt_patterns p;
    struct mt_problems probs;
    char file[512];

    fixture_open(&fx, good_sigs);
    setenv("MT_CACHE_DIR", "", 1);
    ASSERT_INT_EQ(load(&fx, &p, &probs), 0);
    check_good(&p);
    mt_patterns_free(&p);
    ASSERT_INT_EQ(load(&fx, &p, &probs), 0);
    mt_patterns_free(&p);
    ASSERT_INT_EQ(cache_files(fx.cache, file, sizeof(file)), 0);
    fixture_close(&fx);
}
