/* cache.c: where the engine's between-run files live, and reading and
 * writing them safely (cache.h). */
#include "cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* A file's modification time says when a run last used it (a read marks
 * it when it is older than this), to a day. */
#define MARK_USED_AFTER (24 * 60 * 60)

static int cache_dir(char *dir, size_t cap)
{
    const char *env = getenv("MT_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;

    if (env != NULL) {
        if (*env == '\0') {
            return -1;
        }
        n = snprintf(dir, cap, "%s", env);
    } else if (xdg != NULL && *xdg) {
        n = snprintf(dir, cap, "%s/migtriage", xdg);
    } else if (home != NULL && *home) {
        n = snprintf(dir, cap, "%s/.cache/migtriage", home);
    } else {
        return -1;
    }
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

int mt_cache_path(const char *kind, unsigned long long key, const char *ext,
                  char *path, size_t cap)
{
    char dir[4096];
    int n;

    if (cap > 0) {
        path[0] = '\0';
    }
    if (cap == 0 || cache_dir(dir, sizeof(dir)) != 0) {
        return -1;
    }
    n = snprintf(path, cap, "%s/%s-%016llx.%s", dir, kind, key, ext);
    if (n <= 0 || (size_t)n >= cap) {
        path[0] = '\0'; /* no half a name for a later write */
        return -1;
    }
    return 0;
}

char *mt_cache_read(const char *path, size_t *len)
{
    struct stat st;
    char *bytes = NULL;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    *len = 0;
    if (fd < 0) {
        return NULL;
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_uid == geteuid() && (st.st_mode & 022) == 0 &&
        st.st_size > 0 &&
        (unsigned long long)st.st_size <= MT_CACHE_MAX_BYTES &&
        (bytes = mt_malloc((size_t)st.st_size)) != NULL) {
        if (read(fd, bytes, (size_t)st.st_size) == (ssize_t)st.st_size) {
            *len = (size_t)st.st_size;
            if (st.st_mtime < time(NULL) - MARK_USED_AFTER) {
                (void)futimens(fd, NULL); /* still in use: not pruned */
            }
        } else {
            mt_free(bytes);
            bytes = NULL;
        }
    }
    close(fd);
    return bytes;
}

/* One cache file of the kind being pruned. */
struct cached_file {
    time_t used;
    char name[256];
};

static int newest_first(const void *a, const void *b)
{
    const struct cached_file *x = a, *y = b;

    if (x->used != y->used) {
        return x->used < y->used ? 1 : -1;
    }
    return strcmp(x->name, y->name); /* the same order every time */
}

/* Whether name is "<kind>-<16 lowercase hex digits>.<ext>", as
 * mt_cache_path makes them, with prefix "<kind>-" and suffix ".<ext>". */
static int same_kind(const char *name, const char *prefix, size_t nprefix,
                     const char *suffix)
{
    size_t i;

    if (strncmp(name, prefix, nprefix) != 0) {
        return 0;
    }
    for (i = nprefix; i < nprefix + 16; i++) {
        if (!((name[i] >= '0' && name[i] <= '9') ||
              (name[i] >= 'a' && name[i] <= 'f'))) {
            return 0;
        }
    }
    return strcmp(name + nprefix + 16, suffix) == 0;
}

/* After "<dir>/<kind>-<key>.<ext>" (name) was written: removes the files
 * of the same kind that no run has used for MT_CACHE_UNUSED_DAYS days and
 * all but the MT_CACHE_KEEP most recently used (each knowledge base, each
 * edit of one, gets its own files, and nothing else ever removed them).
 * Only files named as this module names them, plain and this user's. */
static void prune(const char *dir, const char *name)
{
    const char *dash = strrchr(name, '-'), *dot = strrchr(name, '.');
    struct cached_file *files = NULL, *grown;
    size_t n = 0, alloc = 0, i, nprefix;
    time_t stale = time(NULL) - (time_t)MT_CACHE_UNUSED_DAYS * 24 * 3600;
    struct dirent *ent;
    DIR *d;
    int dfd;

    if (dash == NULL || dot == NULL || dot - dash != 17 ||
        (d = opendir(dir)) == NULL) {
        return;
    }
    nprefix = (size_t)(dash - name) + 1;
    dfd = dirfd(d);
    while ((ent = readdir(d)) != NULL) {
        struct stat st;

        if (strlen(ent->d_name) >= sizeof(files->name) ||
            !same_kind(ent->d_name, name, nprefix, dot) ||
            strcmp(ent->d_name, name) == 0 ||
            fstatat(dfd, ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
            continue;
        }
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 16;
            grown = mt_realloc(files, alloc * sizeof(*files));
            if (grown == NULL) {
                break; /* prune what was listed */
            }
            files = grown;
        }
        files[n].used = st.st_mtime;
        strcpy(files[n].name, ent->d_name);
        n++;
    }
    if (n > 1) {
        qsort(files, n, sizeof(*files), newest_first);
    }
    for (i = 0; i < n; i++) {
        /* The file just written is the newest of all. */
        if (i + 1 >= MT_CACHE_KEEP || files[i].used < stale) {
            (void)unlinkat(dfd, files[i].name, 0);
        }
    }
    mt_free(files);
    closedir(d);
}

void mt_cache_write(const char *path, const void *bytes, size_t len)
{
    char tmp[4200], dir[4096];
    const char *slash = strrchr(path, '/');
    int fd;

    if (slash == NULL || (size_t)(slash - path) >= sizeof(dir)) {
        return;
    }
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    (void)mkdir(dir, 0700); /* the common case: ~/.cache exists */
    snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        int ok = write(fd, bytes, len) == (ssize_t)len;
        ok = close(fd) == 0 && ok;
        if (!ok || rename(tmp, path) != 0) {
            unlink(tmp);
        } else {
            prune(dir, slash + 1);
        }
    }
}

unsigned long long mt_cache_checksum(const void *bytes, size_t len)
{
    const unsigned char *p = bytes;
    uint64_t h = MT_HASH_SEED ^ (uint64_t)len, w;
    size_t i;

    for (i = 0; i + 8 <= len; i += 8) {
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
    }
    return mt_hash(p + i, len - i, h);
}
