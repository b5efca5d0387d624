/* archive_lazy.c: libarchive opened on first use (archive_lazy.h). */
#define MT_ARCHIVE_LAZY_REAL_NAMES
#include "archive_lazy.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Every libarchive function the engine calls, typed by <archive.h>'s own
 * declaration, so that a changed signature fails to compile here. */
#define EACH_FUNCTION(X)                                                   \
    X(archive_entry_filetype)                                              \
    X(archive_entry_hardlink)                                              \
    X(archive_entry_is_encrypted)                                          \
    X(archive_entry_pathname)                                              \
    X(archive_entry_pathname_utf8)                                         \
    X(archive_entry_size)                                                  \
    X(archive_entry_size_is_set)                                           \
    X(archive_entry_sparse_next)                                           \
    X(archive_entry_sparse_reset)                                          \
    X(archive_error_string)                                                \
    X(archive_filter_bytes)                                                \
    X(archive_filter_code)                                                 \
    X(archive_format)                                                      \
    X(archive_read_data)                                                   \
    X(archive_read_free)                                                   \
    X(archive_read_new)                                                    \
    X(archive_read_next_header)                                            \
    X(archive_read_open)                                                   \
    X(archive_read_open_memory)                                            \
    X(archive_read_support_filter_all)                                     \
    X(archive_read_support_format_all)                                     \
    X(archive_read_support_format_raw)                                     \
    X(archive_set_error)

static struct {
#define FIELD(name) __typeof__(name) *name;
    EACH_FUNCTION(FIELD)
#undef FIELD
} lib;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;
static char load_error[256];

static void load(void)
{
    void *h = dlopen(MT_LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);
    void *f;

    if (h == NULL) {
        snprintf(load_error, sizeof(load_error), "%s", dlerror());
        return;
    }
    /* dlsym's void * copied into a function pointer: POSIX guarantees
     * the two have the same representation, ISO C has no cast for it. */
#define RESOLVE(name)                                                      \
    if ((f = dlsym(h, #name)) == NULL) {                                   \
        snprintf(load_error, sizeof(load_error),                           \
                 "%s: no %s in it", MT_LIBARCHIVE_SONAME, #name);          \
        return;                                                            \
    }                                                                      \
    memcpy(&lib.name, &f, sizeof(f));
    EACH_FUNCTION(RESOLVE)
#undef RESOLVE
    loaded = 1; /* the handle stays open until the process exits */
}

int mt_archive_available(const char **why)
{
    pthread_once(&once, load);
    if (why != NULL) {
        *why = loaded ? NULL : load_error;
    }
    return loaded;
}

struct archive *mt_archive_read_new(void)
{
    return mt_archive_available(NULL) ? lib.archive_read_new() : NULL;
}

/* The rest take an archive from mt_archive_read_new, so the library is
 * loaded by the time they are called. */
__LA_MODE_T mt_archive_entry_filetype(struct archive_entry *e)
{
    return lib.archive_entry_filetype(e);
}

const char *mt_archive_entry_hardlink(struct archive_entry *e)
{
    return lib.archive_entry_hardlink(e);
}

int mt_archive_entry_is_encrypted(struct archive_entry *e)
{
    return lib.archive_entry_is_encrypted(e);
}

const char *mt_archive_entry_pathname(struct archive_entry *e)
{
    return lib.archive_entry_pathname(e);
}

const char *mt_archive_entry_pathname_utf8(struct archive_entry *e)
{
    return lib.archive_entry_pathname_utf8(e);
}

la_int64_t mt_archive_entry_size(struct archive_entry *e)
{
    return lib.archive_entry_size(e);
}

int mt_archive_entry_size_is_set(struct archive_entry *e)
{
    return lib.archive_entry_size_is_set(e);
}

int mt_archive_entry_sparse_next(struct archive_entry *e, la_int64_t *off,
                                 la_int64_t *len)
{
    return lib.archive_entry_sparse_next(e, off, len);
}

int mt_archive_entry_sparse_reset(struct archive_entry *e)
{
    return lib.archive_entry_sparse_reset(e);
}

const char *mt_archive_error_string(struct archive *a)
{
    return lib.archive_error_string(a);
}

la_int64_t mt_archive_filter_bytes(struct archive *a, int n)
{
    return lib.archive_filter_bytes(a, n);
}

int mt_archive_filter_code(struct archive *a, int n)
{
    return lib.archive_filter_code(a, n);
}

int mt_archive_format(struct archive *a)
{
    return lib.archive_format(a);
}

la_ssize_t mt_archive_read_data(struct archive *a, void *buf, size_t cap)
{
    return lib.archive_read_data(a, buf, cap);
}

int mt_archive_read_free(struct archive *a)
{
    return lib.archive_read_free(a);
}

int mt_archive_read_next_header(struct archive *a, struct archive_entry **e)
{
    return lib.archive_read_next_header(a, e);
}

int mt_archive_read_open(struct archive *a, void *data,
                         archive_open_callback *open_cb,
                         archive_read_callback *read_cb,
                         archive_close_callback *close_cb)
{
    return lib.archive_read_open(a, data, open_cb, read_cb, close_cb);
}

int mt_archive_read_open_memory(struct archive *a, const void *buf,
                                size_t len)
{
    return lib.archive_read_open_memory(a, buf, len);
}

int mt_archive_read_support_filter_all(struct archive *a)
{
    return lib.archive_read_support_filter_all(a);
}

int mt_archive_read_support_format_all(struct archive *a)
{
    return lib.archive_read_support_format_all(a);
}

int mt_archive_read_support_format_raw(struct archive *a)
{
    return lib.archive_read_support_format_raw(a);
}

void mt_archive_set_error(struct archive *a, int err, const char *fmt, ...)
{
    char text[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    lib.archive_set_error(a, err, "%s", text);
}
