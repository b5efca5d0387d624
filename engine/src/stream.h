/* stream.h: byte streams that stack like libarchive read filters. A source
 * (file, stdin, memory, archive member) is a stream; a filter (gzip) is a
 * stream that reads its upstream. Each read returns bytes read (> 0), 0 at
 * end of input, or a negative mt_status with s->errmsg set. */
#ifndef MT_STREAM_H
#define MT_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mt_stream;
struct mt_scan;

struct mt_stream_ops {
    const char *name; /* "file", "memory", "gzip", "member", "prefix" */
    ptrdiff_t (*read)(struct mt_stream *s, void *buf, size_t cap);
    void (*close)(struct mt_stream *s); /* frees state, not upstream */
};

struct mt_stream {
    const struct mt_stream_ops *ops;
    void *state;
    struct mt_stream *upstream; /* borrowed */
    struct mt_scan *scan;       /* borrowed: limits and accounting */
    uint64_t bytes_out;         /* bytes this stream has returned */
    char errmsg[256];
};

/* Reads up to cap bytes; keeps bytes_out. */
ptrdiff_t mt_stream_read(struct mt_stream *s, void *buf, size_t cap);
/* Reads until cap bytes or end of input; same returns as mt_stream_read. */
ptrdiff_t mt_stream_read_full(struct mt_stream *s, void *buf, size_t cap);
/* Closes and frees s (NULL is fine). Never closes the upstream. */
void mt_stream_free(struct mt_stream *s);
/* Allocates a stream with ops and state; NULL when out of memory. */
struct mt_stream *mt_stream_new(const struct mt_stream_ops *ops, void *state,
                                struct mt_stream *upstream,
                                struct mt_scan *scan);

/* Sources. Errors (ENOENT, EACCES, EISDIR) leave errno set and a reason in
 * *why (static string) and return NULL. */
struct mt_stream *mt_stream_open_file(const char *path, struct mt_scan *scan,
                                      const char **why);
/* The same for a file met inside a folder: anything but a regular file
 * (a FIFO, a device, put there after the walk looked) is refused without
 * blocking, *why then being mt_not_regular. */
struct mt_stream *mt_stream_open_regular(const char *path,
                                         struct mt_scan *scan,
                                         const char **why);
extern const char mt_not_regular[];
struct mt_stream *mt_stream_open_fd(int fd, struct mt_scan *scan);
struct mt_stream *mt_stream_open_memory(const void *p, size_t n,
                                        struct mt_scan *scan);
/* Replays prefix[0..n) (copied) and then continues with upstream: lets a
 * dispatcher peek at the first bytes without a seekable input. */
struct mt_stream *mt_stream_prefixed(struct mt_stream *upstream,
                                     const void *prefix, size_t n);

/* Filters. */
struct mt_stream *mt_gzip_open(struct mt_stream *upstream);
int mt_gzip_bid(const unsigned char *p, size_t n); /* 0 = not gzip */
/* Names the input in the gzip filter's own warnings (trailing garbage);
 * origin is borrowed and must outlive gz. */
void mt_gzip_set_origin(struct mt_stream *gz, const char *origin);

#endif
