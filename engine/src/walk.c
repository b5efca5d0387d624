/* walk.c: expands a command-line path into the files to scan, directories
 * recursively in strcmp order of names, so every machine sees the same
 * order. Each directory is entered once, by device and inode, whatever
 * symbolic links lead to it again (loops, a link to a sibling, chains of
 * links that would otherwise multiply the work); depth and the count of
 * files and directories are bounded. */
#include "walk.h"

#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Deeper than any real evidence folder; keeps the recursion bounded. */
#define WALK_MAX_DEPTH 256

struct dir_id {
    dev_t dev;
    ino_t ino;
};

/* Every directory entered so far: an open-addressing hash set. */
struct dir_set {
    struct dir_id *slots;
    size_t cap; /* a power of two, or 0 */
    size_t n;
};

struct walk {
    uint64_t max_files;
    uint64_t files; /* files and directories met, for max_files */
    struct dir_set seen;
    mt_walk_file_fn on_file;
    mt_walk_error_fn on_error;
    void *ctx;
    const char *top;
    struct dir_id path[WALK_MAX_DEPTH + 1]; /* directories being walked */
    int depth;
    int errors;
    int stop;  /* a callback stopped, or the file limit was hit */
    int cb_rc; /* the callback's non-zero return */
};

static const char *reason(int err)
{
    switch (err) {
    case EACCES:
    case EPERM:
        return "permission denied";
    case ENOENT:
        return "no such file";
    case ELOOP:
        return "too many levels of symbolic links";
    default:
        return strerror(err);
    }
}

static void fail(struct walk *w, const char *path, const char *why)
{
    w->errors = 1;
    if (w->on_error) {
        w->on_error(w->ctx, path, why);
    }
}

static size_t dir_slot(const struct dir_set *set, const struct dir_id *id)
{
    unsigned long long h = mt_hash(id, sizeof(*id), 14695981039346656037ULL);
    size_t i = (size_t)h & (set->cap - 1);

    while (set->slots[i].ino != 0 || set->slots[i].dev != 0) {
        if (set->slots[i].dev == id->dev && set->slots[i].ino == id->ino) {
            break;
        }
        i = (i + 1) & (set->cap - 1);
    }
    return i;
}

/* Adds a directory; returns 1 when it was new, 0 when already there, -1
 * when out of memory. (0, 0) marks an empty slot: no real directory has
 * inode 0. */
static int dir_set_add(struct dir_set *set, dev_t dev, ino_t ino)
{
    struct dir_id id;
    size_t i;

    memset(&id, 0, sizeof(id));
    id.dev = dev;
    id.ino = ino;
    if ((set->n + 1) * 2 > set->cap) {
        struct dir_set grown = {NULL, set->cap ? set->cap * 2 : 64, 0};
        grown.slots = mt_calloc(grown.cap, sizeof(*grown.slots));
        if (grown.slots == NULL) {
            return -1;
        }
        for (i = 0; i < set->cap; i++) {
            if (set->slots[i].ino != 0 || set->slots[i].dev != 0) {
                grown.slots[dir_slot(&grown, &set->slots[i])] =
                    set->slots[i];
                grown.n++;
            }
        }
        mt_free(set->slots);
        *set = grown;
    }
    i = dir_slot(set, &id);
    if (set->slots[i].dev == dev && set->slots[i].ino == ino) {
        return 0;
    }
    set->slots[i] = id;
    set->n++;
    return 1;
}

/* Counts a file or directory against the limit; 0 when over it (said
 * once, and the walk stops). */
static int count_one(struct walk *w)
{
    if (w->max_files && w->files >= w->max_files) {
        char why[96];
        snprintf(why, sizeof(why),
                 "more than %llu files and directories; the rest skipped",
                 (unsigned long long)w->max_files);
        fail(w, w->top, why);
        w->stop = 1;
        return 0;
    }
    w->files++;
    return 1;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        mt_free(names[i]);
    }
    mt_free(names);
}

/* Reads and sorts a directory's names; the directory is closed before
 * recursing so a deep tree does not hold one descriptor per level. */
static int list_dir(struct walk *w, const char *path, char ***out,
                    size_t *count)
{
    char **names = NULL, **grown;
    size_t n = 0, alloc = 0;
    struct dirent *d;
    DIR *dir;

    dir = opendir(path);
    if (dir == NULL) {
        fail(w, path, reason(errno));
        return -1;
    }
    for (;;) {
        errno = 0;
        d = readdir(dir);
        if (d == NULL) {
            break;
        }
        if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) {
            continue;
        }
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 32;
            grown = mt_realloc(names, alloc * sizeof(*names));
            if (grown == NULL) {
                goto nomem;
            }
            names = grown;
        }
        names[n] = mt_strdup(d->d_name);
        if (names[n] == NULL) {
            goto nomem;
        }
        n++;
    }
    if (errno != 0) {
        fail(w, path, reason(errno));
    }
    closedir(dir);
    if (n > 1) {
        qsort(names, n, sizeof(*names), cmp_names);
    }
    *out = names;
    *count = n;
    return 0;
nomem:
    closedir(dir);
    free_names(names, n);
    fail(w, path, "out of memory");
    return -1;
}

static void walk_dir(struct walk *w, const char *path, const struct stat *sb);

static void visit(struct walk *w, const char *path, int top)
{
    struct stat sb;
    int rc;

    if (stat(path, &sb) != 0) {
        struct stat lsb;
        if (errno == ENOENT && lstat(path, &lsb) == 0 &&
            S_ISLNK(lsb.st_mode)) {
            fail(w, path, "broken symbolic link");
        } else {
            fail(w, path, reason(errno));
        }
        return;
    }
    if (S_ISDIR(sb.st_mode)) {
        walk_dir(w, path, &sb);
        return;
    }
    /* A named pipe given on the command line (<(zcat x)) is meant to be
     * read; one met inside a folder would block the scan. */
    if (!S_ISREG(sb.st_mode) && !top) {
        fail(w, path, "not a regular file, skipped");
        return;
    }
    if (S_ISREG(sb.st_mode) && access(path, R_OK) != 0) {
        fail(w, path, reason(errno));
        return;
    }
    if (!count_one(w)) {
        return;
    }
    rc = w->on_file(w->ctx, path);
    if (rc != 0) {
        w->stop = 1;
        w->cb_rc = rc;
    }
}

static void walk_dir(struct walk *w, const char *path, const struct stat *sb)
{
    char **names = NULL;
    size_t n = 0, i, len;
    char *child;
    int k;

    for (k = 0; k < w->depth; k++) {
        if (w->path[k].dev == sb->st_dev && w->path[k].ino == sb->st_ino) {
            fail(w, path, "directory loop, not followed");
            return;
        }
    }
    if (w->depth >= WALK_MAX_DEPTH) {
        fail(w, path, "nested deeper than 256 directories, skipped");
        return;
    }
    switch (dir_set_add(&w->seen, sb->st_dev, sb->st_ino)) {
    case 0:
        /* Reached again through a symbolic link: its files are in. */
        fail(w, path, "directory already scanned under another name, "
                      "skipped");
        return;
    case -1:
        fail(w, path, "out of memory");
        w->stop = 1;
        return;
    default:
        break;
    }
    if (!count_one(w)) {
        return;
    }
    if (list_dir(w, path, &names, &n) != 0) {
        return;
    }
    w->path[w->depth].dev = sb->st_dev;
    w->path[w->depth].ino = sb->st_ino;
    w->depth++;
    len = strlen(path);
    for (i = 0; i < n && !w->stop; i++) {
        if (len > 0 && path[len - 1] == '/') {
            child = mt_asprintf("%s%s", path, names[i]);
        } else {
            child = mt_asprintf("%s/%s", path, names[i]);
        }
        if (child == NULL) {
            fail(w, path, "out of memory");
            break;
        }
        visit(w, child, 0);
        mt_free(child);
    }
    w->depth--;
    free_names(names, n);
}

int mt_walk_path(const char *path, uint64_t max_files,
                 mt_walk_file_fn on_file, mt_walk_error_fn on_error,
                 void *ctx)
{
    struct walk *w;
    int rc;

    if (strcmp(path, "-") == 0) {
        return on_file(ctx, path);
    }
    /* The ancestor table is too big for the stack of a deep caller. */
    w = mt_calloc(1, sizeof(*w));
    if (w == NULL) {
        if (on_error) {
            on_error(ctx, path, "out of memory");
        }
        return 1;
    }
    w->max_files = max_files;
    w->on_file = on_file;
    w->on_error = on_error;
    w->ctx = ctx;
    w->top = path;
    visit(w, path, 1);
    if (w->cb_rc != 0) {
        rc = w->cb_rc;
    } else {
        rc = w->errors ? 1 : 0;
    }
    mt_free(w->seen.slots);
    mt_free(w);
    return rc;
}
