/* test_walk.c: directory expansion on a real temporary tree: name order,
 * loops, unreadable and special files, the file limit. */
#include "walk.h"
#include "unit.h"

#include "engine_private.h"
#include "util.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Files as "F path" and errors as "X path: why", relative to the root. */
struct walked {
    struct mt_buf log;
    size_t root_len;
    int stop_at; /* return 7 from on_file at this file (1-based), 0 = no */
    int files;
};

static const char *rel(struct walked *w, const char *path)
{
    return strlen(path) >= w->root_len ? path + w->root_len : path;
}

static int on_file(void *ctx, const char *path)
{
    struct walked *w = ctx;

    mt_buf_appendf(&w->log, "F %s\n", rel(w, path));
    w->files++;
    return w->stop_at && w->files == w->stop_at ? 7 : 0;
}

static void on_error(void *ctx, const char *path, const char *why)
{
    struct walked *w = ctx;

    mt_buf_appendf(&w->log, "X %s: %s\n", rel(w, path), why);
}

static char root[64];

static void put(const char *name, const char *text)
{
    char p[256];
    FILE *f;

    snprintf(p, sizeof(p), "%s/%s", root, name);
    f = fopen(p, "w");
    ASSERT_TRUE(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void dir(const char *name)
{
    char p[256];

    snprintf(p, sizeof(p), "%s/%s", root, name);
    ASSERT_INT_EQ(mkdir(p, 0755), 0);
}

static void make_root(void)
{
    snprintf(root, sizeof(root), "/tmp/mt_walk_XXXXXX");
    ASSERT_TRUE(mkdtemp(root) != NULL);
}

/* rm -r without a shell; the trees here are two levels deep. */
static void remove_tree(const char *path)
{
    char cmd[160];

    snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s' && rm -rf '%s'", path,
             path);
    ASSERT_INT_EQ(system(cmd), 0);
}

static int walk(struct walked *w, const char *path, uint64_t max)
{
    mt_buf_init(&w->log, 0);
    w->root_len = strlen(root) + 1;
    w->files = 0;
    return mt_walk_path(path, max, on_file, on_error, w);
}

TEST(walk_sorted_recursive)
{
    struct walked w = {0};
    int rc;

    make_root();
    dir("sub");
    dir("sub/deeper");
    put("b.log", "b");
    put("a.log", "a");
    put("B.log", "B");
    put("sub/z.txt", "z");
    put("sub/deeper/x.xml", "x");
    put("sub.txt", "s");
    rc = walk(&w, root, 0);
    ASSERT_INT_EQ(rc, 0);
    /* strcmp order: uppercase first, "sub" before "sub.txt". */
    ASSERT_STR_EQ(w.log.data, "F B.log\nF a.log\nF b.log\n"
                              "F sub/deeper/x.xml\nF sub/z.txt\n"
                              "F sub.txt\n");
    mt_buf_free(&w.log);
    remove_tree(root);
}

TEST(walk_single_file_and_stdin)
{
    struct walked w = {0};
    char p[128];

    make_root();
    put("one.log", "1");
    snprintf(p, sizeof(p), "%s/one.log", root);
    ASSERT_INT_EQ(walk(&w, p, 0), 0);
    ASSERT_STR_EQ(w.log.data, "F one.log\n");
    mt_buf_free(&w.log);
    ASSERT_INT_EQ(walk(&w, "-", 0), 0);
    ASSERT_STR_EQ(w.log.data, "F -\n");
    mt_buf_free(&w.log);
    snprintf(p, sizeof(p), "%s/missing", root);
    ASSERT_INT_EQ(walk(&w, p, 0), 1);
    ASSERT_STR_EQ(w.log.data, "X missing: no such file\n");
    mt_buf_free(&w.log);
    remove_tree(root);
}

TEST(walk_directory_loop)
{
    struct walked w = {0};
    char p[128];
    int rc;

    make_root();
    dir("sub");
    put("sub/f.log", "f");
    snprintf(p, sizeof(p), "%s/sub/up", root);
    ASSERT_INT_EQ(symlink("..", p), 0);
    snprintf(p, sizeof(p), "%s/sub/dangling", root);
    ASSERT_INT_EQ(symlink("nowhere", p), 0);
    snprintf(p, sizeof(p), "%s/link.log", root);
    ASSERT_INT_EQ(symlink("sub/f.log", p), 0);
    rc = walk(&w, root, 0);
    ASSERT_INT_EQ(rc, 1);
    ASSERT_STR_EQ(w.log.data, "F link.log\nX sub/dangling: broken symbolic "
                              "link\nF sub/f.log\n"
                              "X sub/up: directory loop, not followed\n");
    mt_buf_free(&w.log);
    remove_tree(root);
}

TEST(walk_special_and_unreadable)
{
    struct walked w = {0};
    char p[128];
    int rc;

    make_root();
    put("a.log", "a");
    put("secret.log", "s");
    snprintf(p, sizeof(p), "%s/pipe", root);
    ASSERT_INT_EQ(mkfifo(p, 0600), 0);
    dir("locked");
    put("locked/in.log", "x");
    if (geteuid() == 0) {
        /* root reads everything: only the fifo can be checked. */
        rc = walk(&w, root, 0);
        ASSERT_INT_EQ(rc, 1);
        ASSERT_STR_EQ(w.log.data, "F a.log\nF locked/in.log\n"
                                  "X pipe: not a regular file, skipped\n"
                                  "F secret.log\n");
    } else {
        snprintf(p, sizeof(p), "%s/secret.log", root);
        ASSERT_INT_EQ(chmod(p, 0), 0);
        snprintf(p, sizeof(p), "%s/locked", root);
        ASSERT_INT_EQ(chmod(p, 0), 0);
        rc = walk(&w, root, 0);
        ASSERT_INT_EQ(rc, 1);
        ASSERT_STR_EQ(w.log.data, "F a.log\nX locked: permission denied\n"
                                  "X pipe: not a regular file, skipped\n"
                                  "X secret.log: permission denied\n");
    }
    mt_buf_free(&w.log);
    remove_tree(root);
}

TEST(walk_file_limit_and_stop)
{
    struct walked w = {0};
    int rc;

    make_root();
    put("1.log", "1");
    put("2.log", "2");
    put("3.log", "3");
    /* The folder itself and two files. */
    rc = walk(&w, root, 3);
    ASSERT_INT_EQ(rc, 1);
    ASSERT_TRUE(strstr(w.log.data, "F 1.log\nF 2.log\nX ") == w.log.data);
    ASSERT_TRUE(strstr(w.log.data, ": more than 3 files and directories; "
                                   "the rest skipped\n") != NULL);
    mt_buf_free(&w.log);

    /* A callback's non-zero return stops the walk and is returned. */
    w.stop_at = 2;
    rc = walk(&w, root, 0);
    ASSERT_INT_EQ(rc, 7);
    ASSERT_STR_EQ(w.log.data, "F 1.log\nF 2.log\n");
    mt_buf_free(&w.log);
    remove_tree(root);
}

TEST(walk_depth_bounded)
{
    struct walked w = {0};
    struct mt_buf p;
    int i, rc;

    make_root();
    mt_buf_init(&p, 0);
    mt_buf_appendf(&p, "%s", root);
    /* 300 nested levels of "d": deeper than the walker follows. */
    for (i = 0; i < 300; i++) {
        mt_buf_append(&p, "/d", 2);
        ASSERT_INT_EQ(mkdir(p.data, 0755), 0);
    }
    rc = walk(&w, root, 0);
    ASSERT_INT_EQ(rc, 1);
    ASSERT_TRUE(w.log.data != NULL &&
                strstr(w.log.data, "nested deeper than 256 directories") !=
                    NULL);
    mt_buf_free(&w.log);
    mt_buf_free(&p);
    remove_tree(root);
}

/* A link to a sibling directory: its files are listed once, under the
 * first name in walk order. */
TEST(walk_symlinked_sibling_once)
{
    struct walked w = {0};
    char p[128];
    int rc;

    make_root();
    dir("b");
    put("b/f.log", "f");
    snprintf(p, sizeof(p), "%s/a", root);
    ASSERT_INT_EQ(symlink("b", p), 0);
    rc = walk(&w, root, 0);
    ASSERT_INT_EQ(rc, 1);
    ASSERT_STR_EQ(w.log.data,
                  "F a/f.log\n"
                  "X b: directory already scanned under another name, "
                  "skipped\n");
    mt_buf_free(&w.log);
    remove_tree(root);
}

/* d0 links twice to d1, d1 twice to d2, ...: no loop, but following every
 * link visits 2^18 directories. Each is entered once. */
TEST(walk_branching_symlink_chain_linear)
{
    struct walked w = {0};
    char p[160], target[32], top[128];
    const char *line;
    int i, rc, dups = 0;

    make_root();
    for (i = 0; i <= 18; i++) {
        snprintf(p, sizeof(p), "d%d", i);
        dir(p);
    }
    for (i = 0; i < 18; i++) {
        snprintf(target, sizeof(target), "../d%d", i + 1);
        snprintf(p, sizeof(p), "%s/d%d/x", root, i);
        ASSERT_INT_EQ(symlink(target, p), 0);
        snprintf(p, sizeof(p), "%s/d%d/y", root, i);
        ASSERT_INT_EQ(symlink(target, p), 0);
    }
    put("d18/f.log", "f");
    snprintf(top, sizeof(top), "%s/d0", root);
    rc = walk(&w, top, 0);
    ASSERT_INT_EQ(rc, 1);
    ASSERT_INT_EQ(w.files, 1);
    for (line = w.log.data; line && (line = strstr(line, "already scanned"));
         line++) {
        dups++;
    }
    ASSERT_INT_EQ(dups, 18);
    ASSERT_TRUE(w.log.data != NULL &&
                strstr(w.log.data, "F d0/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/x/"
                                   "x/f.log\n") == w.log.data);
    mt_buf_free(&w.log);
    remove_tree(root);
}

/* Directories count toward the limit: a tree of empty folders is not a
 * way around it. */
TEST(walk_directories_count_toward_limit)
{
    struct walked w = {0};
    int rc;

    make_root();
    dir("a");
    dir("a/b");
    dir("a/b/c");
    put("a/b/c/f.log", "f");
    rc = walk(&w, root, 3);
    ASSERT_INT_EQ(rc, 1);
    ASSERT_INT_EQ(w.files, 0);
    ASSERT_TRUE(w.log.data != NULL &&
                strstr(w.log.data, ": more than 3 files and directories; "
                                   "the rest skipped\n") != NULL);
    mt_buf_free(&w.log);
    rc = walk(&w, root, 5);
    ASSERT_INT_EQ(rc, 0);
    ASSERT_INT_EQ(w.files, 1);
    mt_buf_free(&w.log);
    remove_tree(root);
}

/* path relative to the test's root, for messages. */
static const char *rel_root(const char *path)
{
    size_t n = strlen(root);

    return strncmp(path, root, n) == 0 && path[n] == '/' ? path + n + 1
                                                         : path;
}

static void note_message(void *ctx, enum mt_msg_level level,
                         const char *origin, const char *text)
{
    mt_buf_appendf(ctx, "%d %s: %s\n", (int)level, rel_root(origin), text);
}

/* A file the walk listed, replaced by a FIFO before it is scanned (the
 * window -j makes wide): scanned as a folder's file it is noted and
 * skipped as the walk would have, not opened for a writer that never
 * comes. */
TEST(walk_fifo_after_walk_not_opened)
{
    struct mt_engine *e = mt_engine_new();
    struct mt_buf msgs;
    char p[128];
    int rc;

    make_root();
    mt_buf_init(&msgs, 0);
    mt_engine_set_message_cb(e, note_message, &msgs);
    snprintf(p, sizeof(p), "%s/report.txt", root);
    ASSERT_INT_EQ(mkfifo(p, 0600), 0);
    alarm(10);
    rc = mt_engine_scan_one(e, p);
    alarm(0);
    ASSERT_INT_EQ(rc, MT_OK);
    ASSERT_INT_EQ(mt_engine_failed_inputs(e), 0);
    ASSERT_STR_EQ(msgs.data, "0 report.txt: not a regular file, skipped\n");
    mt_buf_free(&msgs);
    mt_engine_free(e);
    remove_tree(root);
}
