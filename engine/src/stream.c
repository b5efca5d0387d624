/* stream.c: the generic stream calls and the sources (file, descriptor,
 * memory) plus the prefix stream that replays peeked bytes. */
#include "stream.h"

#include "scan.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct mt_stream *mt_stream_new(const struct mt_stream_ops *ops, void *state,
                                struct mt_stream *upstream,
                                struct mt_scan *scan)
{
    struct mt_stream *s = mt_calloc(1, sizeof(*s));

    if (s == NULL) {
        return NULL;
    }
    s->ops = ops;
    s->state = state;
    s->upstream = upstream;
    s->scan = scan;
    return s;
}

ptrdiff_t mt_stream_read(struct mt_stream *s, void *buf, size_t cap)
{
    ptrdiff_t n;

    /* Errors are sticky: a filter that failed half-way may have returned
     * the bytes it had first, and the next read must still see the error
     * instead of a clean end of input. */
    if (s->errmsg[0] != '\0') {
        return MT_EINPUT;
    }
    if (cap == 0) {
        return 0;
    }
    n = s->ops->read(s, buf, cap);
    if (n > 0) {
        s->bytes_out += (uint64_t)n;
    } else if (n < 0 && s->errmsg[0] == '\0') {
        snprintf(s->errmsg, sizeof(s->errmsg), "read error in %s stream",
                 s->ops->name);
    }
    return n;
}

ptrdiff_t mt_stream_read_full(struct mt_stream *s, void *buf, size_t cap)
{
    size_t got = 0;
    ptrdiff_t n;

    while (got < cap) {
        n = mt_stream_read(s, (char *)buf + got, cap - got);
        if (n < 0) {
            /* Hand out what was read; the error stays for the next read. */
            return got ? (ptrdiff_t)got : n;
        }
        if (n == 0) {
            break;
        }
        got += (size_t)n;
    }
    return (ptrdiff_t)got;
}

void mt_stream_free(struct mt_stream *s)
{
    if (s == NULL) {
        return;
    }
    if (s->ops && s->ops->close) {
        s->ops->close(s);
    }
    mt_free(s);
}

static void count_raw(struct mt_stream *s, ptrdiff_t n)
{
    if (n > 0 && s->scan) {
        s->scan->raw_bytes += (uint64_t)n;
    }
}

/* A character device or a pipe may never end (/dev/urandom, "yes |"):
 * what one input may produce, the expanded-bytes limit, bounds what is
 * read from any source too. Returns 0, or MT_EINPUT with errmsg set. */
static int over_read_limit(struct mt_stream *s)
{
    uint64_t max;

    if (s->scan == NULL) {
        return 0;
    }
    max = s->scan->limits[MT_LIMIT_EXPANDED_BYTES];
    if (max == 0 || s->scan->raw_bytes <= max) {
        return 0;
    }
    s->scan->aborted = 1;
    snprintf(s->errmsg, sizeof(s->errmsg),
             "longer than the expanded-bytes limit (%llu bytes); stopped",
             (unsigned long long)max);
    return MT_EINPUT;
}

/* File and descriptor sources share one state. */
struct fd_state {
    int fd;
    int owned; /* close it at the end (files yes, stdin no) */
};

static ptrdiff_t fd_read(struct mt_stream *s, void *buf, size_t cap)
{
    struct fd_state *st = s->state;
    ssize_t n;

    do {
        n = read(st->fd, buf, cap);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        snprintf(s->errmsg, sizeof(s->errmsg), "read error: %s",
                 strerror(errno));
        return MT_EINPUT;
    }
    count_raw(s, n);
    if (over_read_limit(s) != 0) {
        return MT_EINPUT;
    }
    return n;
}

static void fd_close(struct mt_stream *s)
{
    struct fd_state *st = s->state;

    if (st == NULL) {
        return;
    }
    if (st->owned) {
        close(st->fd);
    }
    mt_free(st);
}

static const struct mt_stream_ops file_ops = {"file", fd_read, fd_close};

static const char *open_reason(int err)
{
    switch (err) {
    case ENOENT:
    case ENOTDIR:
        return "no such file";
    case EACCES:
    case EPERM:
        return "permission denied";
    case EISDIR:
        return "is a directory";
    case ELOOP:
        return "too many levels of symbolic links";
    case ENOMEM:
        return "out of memory";
    case EMFILE:
    case ENFILE:
        return "too many open files";
    default:
        return "cannot open";
    }
}

static struct mt_stream *wrap_fd(int fd, int owned, struct mt_scan *scan)
{
    struct fd_state *st = mt_malloc(sizeof(*st));
    struct mt_stream *s;

    if (st == NULL) {
        return NULL;
    }
    st->fd = fd;
    st->owned = owned;
    s = mt_stream_new(&file_ops, st, NULL, scan);
    if (s == NULL) {
        mt_free(st);
    }
    return s;
}

/* The reason a file met inside a folder is not read: the walk says the
 * same of the pipes and devices it sees (engine.c notes it, no failure). */
const char mt_not_regular[] = "not a regular file, skipped";

static struct mt_stream *open_path(const char *path, struct mt_scan *scan,
                                   const char **why, int regular_only)
{
    struct mt_stream *s;
    struct stat sb;
    int fd, flags = O_RDONLY | O_CLOEXEC;

    /* Opening a FIFO blocks until a writer comes: a file of a folder
     * replaced by one after the walk must not hang the scan, so the open
     * does not wait and fstat() decides. */
    if (regular_only) {
        flags |= O_NONBLOCK;
    }
    do {
        fd = open(path, flags);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        *why = open_reason(errno);
        return NULL;
    }
    /* Linux opens directories read-only without complaint. */
    if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        close(fd);
        errno = EISDIR;
        *why = open_reason(EISDIR);
        return NULL;
    }
    if (regular_only && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))) {
        close(fd);
        errno = EINVAL;
        *why = mt_not_regular;
        return NULL;
    }
    if (regular_only) {
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    }
    s = wrap_fd(fd, 1, scan);
    if (s == NULL) {
        close(fd);
        errno = ENOMEM;
        *why = open_reason(ENOMEM);
        return NULL;
    }
    return s;
}

struct mt_stream *mt_stream_open_file(const char *path, struct mt_scan *scan,
                                      const char **why)
{
    return open_path(path, scan, why, 0);
}

struct mt_stream *mt_stream_open_regular(const char *path,
                                         struct mt_scan *scan,
                                         const char **why)
{
    return open_path(path, scan, why, 1);
}

/* The descriptor stays the caller's (stdin above all): never closed. */
struct mt_stream *mt_stream_open_fd(int fd, struct mt_scan *scan)
{
    return wrap_fd(fd, 0, scan);
}

struct mem_state {
    const unsigned char *p;
    size_t n;
    size_t pos;
};

static ptrdiff_t mem_read(struct mt_stream *s, void *buf, size_t cap)
{
    struct mem_state *st = s->state;
    size_t n = st->n - st->pos;

    if (n > cap) {
        n = cap;
    }
    if (n > (size_t)PTRDIFF_MAX) {
        n = (size_t)PTRDIFF_MAX;
    }
    memcpy(buf, st->p + st->pos, n);
    st->pos += n;
    count_raw(s, (ptrdiff_t)n);
    return (ptrdiff_t)n;
}

static void mem_close(struct mt_stream *s)
{
    mt_free(s->state);
}

static const struct mt_stream_ops memory_ops = {"memory", mem_read,
                                                mem_close};

struct mt_stream *mt_stream_open_memory(const void *p, size_t n,
                                        struct mt_scan *scan)
{
    struct mem_state *st = mt_malloc(sizeof(*st));
    struct mt_stream *s;

    if (st == NULL) {
        return NULL;
    }
    st->p = p;
    st->n = p ? n : 0;
    st->pos = 0;
    s = mt_stream_new(&memory_ops, st, NULL, scan);
    if (s == NULL) {
        mt_free(st);
    }
    return s;
}

struct prefix_state {
    unsigned char *data;
    size_t n;
    size_t pos;
};

static ptrdiff_t prefix_read(struct mt_stream *s, void *buf, size_t cap)
{
    struct prefix_state *st = s->state;
    ptrdiff_t n;

    if (st->pos < st->n) {
        size_t k = st->n - st->pos;
        if (k > cap) {
            k = cap;
        }
        memcpy(buf, st->data + st->pos, k);
        st->pos += k;
        return (ptrdiff_t)k;
    }
    /* Raw bytes were counted by the source below; not again here. */
    n = mt_stream_read(s->upstream, buf, cap);
    if (n < 0) {
        memcpy(s->errmsg, s->upstream->errmsg, sizeof(s->errmsg));
    }
    return n;
}

static void prefix_close(struct mt_stream *s)
{
    struct prefix_state *st = s->state;

    if (st) {
        mt_free(st->data);
        mt_free(st);
    }
}

static const struct mt_stream_ops prefix_ops = {"prefix", prefix_read,
                                                prefix_close};

struct mt_stream *mt_stream_prefixed(struct mt_stream *upstream,
                                     const void *prefix, size_t n)
{
    struct prefix_state *st = mt_calloc(1, sizeof(*st));
    struct mt_stream *s;

    if (st == NULL) {
        return NULL;
    }
    st->data = mt_malloc(n);
    if (st->data == NULL) {
        goto fail;
    }
    if (n) {
        memcpy(st->data, prefix, n);
    }
    st->n = n;
    s = mt_stream_new(&prefix_ops, st, upstream, upstream->scan);
    if (s == NULL) {
        goto fail;
    }
    return s;
fail:
    mt_free(st->data);
    mt_free(st);
    return NULL;
}
