/* archive_lazy.h: libarchive, loaded when the first archive is met.
 *
 * libarchive brings libxml2, ICU, nettle, liblzma, libzstd, liblz4 and
 * libbz2 with it: loading and relocating them was a fifth of the time of
 * a one-line paste, which opens no archive. So the engine does not link
 * libarchive; decode_archive.c includes this header after <archive.h>,
 * and each libarchive function it calls becomes the mt_ one below, which
 * opens the library (MT_LIBARCHIVE_SONAME, the one the build found) the
 * first time and then calls straight through. The types and constants
 * are still <archive.h>'s. */
#ifndef MT_ARCHIVE_LAZY_H
#define MT_ARCHIVE_LAZY_H

#include <archive.h>
#include <archive_entry.h>

/* Loads libarchive once (thread-safe). Returns 1 when it is usable, else
 * 0 with why (the dynamic loader's words) in *why. */
int mt_archive_available(const char **why);

#ifndef MT_ARCHIVE_LAZY_REAL_NAMES /* archive_lazy.c calls the real ones */
#define archive_entry_filetype mt_archive_entry_filetype
#define archive_entry_hardlink mt_archive_entry_hardlink
#define archive_entry_is_encrypted mt_archive_entry_is_encrypted
#define archive_entry_pathname mt_archive_entry_pathname
#define archive_entry_pathname_utf8 mt_archive_entry_pathname_utf8
#define archive_entry_size mt_archive_entry_size
#define archive_entry_size_is_set mt_archive_entry_size_is_set
#define archive_entry_sparse_next mt_archive_entry_sparse_next
#define archive_entry_sparse_reset mt_archive_entry_sparse_reset
#define archive_error_string mt_archive_error_string
#define archive_filter_bytes mt_archive_filter_bytes
#define archive_filter_code mt_archive_filter_code
#define archive_format mt_archive_format
#define archive_read_data mt_archive_read_data
#define archive_read_free mt_archive_read_free
#define archive_read_new mt_archive_read_new
#define archive_read_next_header mt_archive_read_next_header
#define archive_read_open mt_archive_read_open
#define archive_read_open_memory mt_archive_read_open_memory
#define archive_read_support_filter_all mt_archive_read_support_filter_all
#define archive_read_support_format_all mt_archive_read_support_format_all
#define archive_read_support_format_raw mt_archive_read_support_format_raw
#define archive_set_error mt_archive_set_error
#endif

__LA_MODE_T mt_archive_entry_filetype(struct archive_entry *e);
const char *mt_archive_entry_hardlink(struct archive_entry *e);
int mt_archive_entry_is_encrypted(struct archive_entry *e);
const char *mt_archive_entry_pathname(struct archive_entry *e);
const char *mt_archive_entry_pathname_utf8(struct archive_entry *e);
la_int64_t mt_archive_entry_size(struct archive_entry *e);
int mt_archive_entry_size_is_set(struct archive_entry *e);
int mt_archive_entry_sparse_next(struct archive_entry *e, la_int64_t *off,
                                 la_int64_t *len);
int mt_archive_entry_sparse_reset(struct archive_entry *e);
const char *mt_archive_error_string(struct archive *a);
la_int64_t mt_archive_filter_bytes(struct archive *a, int n);
int mt_archive_filter_code(struct archive *a, int n);
int mt_archive_format(struct archive *a);
la_ssize_t mt_archive_read_data(struct archive *a, void *buf, size_t cap);
int mt_archive_read_free(struct archive *a);
/* NULL also when libarchive could not be loaded (mt_archive_available). */
struct archive *mt_archive_read_new(void);
int mt_archive_read_next_header(struct archive *a, struct archive_entry **e);
int mt_archive_read_open(struct archive *a, void *data,
                         archive_open_callback *open_cb,
                         archive_read_callback *read_cb,
                         archive_close_callback *close_cb);
int mt_archive_read_open_memory(struct archive *a, const void *buf,
                                size_t len);
int mt_archive_read_support_filter_all(struct archive *a);
int mt_archive_read_support_format_all(struct archive *a);
int mt_archive_read_support_format_raw(struct archive *a);
void mt_archive_set_error(struct archive *a, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
