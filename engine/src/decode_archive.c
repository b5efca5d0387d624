/* decode_archive.c: archives and lone compressed streams through
 * libarchive, read from a stream (never from disk, never to disk); every
 * regular member goes back through mt_decode_stream() as origin!member. */
#include "decode.h"

#include "util.h"

#include "archive_lazy.h" /* <archive.h>; the library loaded on first use */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define ARCHIVE_BLOCK (64 * 1024)

struct source {
    struct mt_stream *in;
    unsigned char buf[ARCHIVE_BLOCK];
};

/* What the members of a stored archive (tar, cpio) produced, against what
 * was read for them: more out than in is expansion too (a sparse member's
 * holes are zeros that no input byte paid for). */
struct stored {
    uint64_t out;     /* member bytes handed out */
    uint64_t charged; /* of the excess, already charged */
};

struct member {
    struct archive *a;
    int account; /* member data is decompressed: charge the bomb limits */
    struct stored *stored; /* else: charge what exceeds the input */
};

/* The bytes of n just handed out that no input byte accounts for. */
static uint64_t stored_excess(struct member *m, size_t n)
{
    la_int64_t read = archive_filter_bytes(m->a, -1);
    uint64_t in = read > 0 ? (uint64_t)read : 0, excess, charge;

    m->stored->out += n;
    excess = m->stored->out > in ? m->stored->out - in : 0;
    charge = excess > m->stored->charged ? excess - m->stored->charged : 0;
    m->stored->charged += charge;
    return charge;
}

static int has(const unsigned char *p, size_t n, size_t off, const char *m,
               size_t len)
{
    return n >= off + len && memcmp(p + off, m, len) == 0;
}

int mt_archive_bid(const unsigned char *p, size_t n)
{
    if (has(p, n, 0, "PK\x03\x04", 4) || has(p, n, 0, "PK\x05\x06", 4)) {
        return 32;
    }
    if (has(p, n, 0, "7z\xbc\xaf\x27\x1c", 6)) {
        return 48;
    }
    if (has(p, n, 257, "ustar", 5)) {
        return 40;
    }
    /* "BZh" then the block size digit and the block magic (pi). */
    if (has(p, n, 0, "BZh", 3) && n >= 4 && p[3] >= '1' && p[3] <= '9') {
        if (has(p, n, 4, "\x31\x41\x59\x26\x53\x59", 6) ||
            has(p, n, 4, "\x17\x72\x45\x38\x50\x90", 6)) {
            return 80;
        }
        return 0;
    }
    if (has(p, n, 0, "\xfd" "7zXZ\x00", 6)) {
        return 48;
    }
    if (has(p, n, 0, "\x28\xb5\x2f\xfd", 4)) {
        return 32;
    }
    if (has(p, n, 0, "070707", 6) || has(p, n, 0, "070701", 6) ||
        has(p, n, 0, "070702", 6)) {
        return 48;
    }
    if (has(p, n, 0, "Rar!\x1a\x07", 6)) {
        return 48;
    }
    return 0;
}

static la_ssize_t source_read(struct archive *a, void *ctx,
                              const void **buf)
{
    struct source *src = ctx;
    ptrdiff_t n = mt_stream_read(src->in, src->buf, sizeof(src->buf));

    if (n < 0) {
        archive_set_error(a, EIO, "%s", src->in->errmsg);
        return -1;
    }
    *buf = src->buf;
    return n;
}

static ptrdiff_t member_read(struct mt_stream *s, void *buf, size_t cap)
{
    struct member *m = s->state;
    la_ssize_t n = archive_read_data(m->a, buf, cap);

    if (n < 0) {
        const char *e = archive_error_string(m->a);
        snprintf(s->errmsg, sizeof(s->errmsg), "%s",
                 e ? e : "cannot read member data");
        return MT_EINPUT;
    }
    if (n > 0 && s->scan) {
        uint64_t charge = m->account ? (uint64_t)n
                                     : stored_excess(m, (size_t)n);
        if (charge > 0 &&
            mt_scan_account_expansion(s->scan, (size_t)charge) != 0) {
            mt_scan_expansion_reason(s->scan, s->errmsg,
                                     sizeof(s->errmsg));
            return MT_EINPUT;
        }
    }
    return (ptrdiff_t)n;
}

static const struct mt_stream_ops member_ops = {"member", member_read, NULL};

/* Stored members of an uncompressed tar or cpio are not an expansion. */
static int expands(struct archive *a)
{
    int fmt = archive_format(a) & ARCHIVE_FORMAT_BASE_MASK;

    if (archive_filter_code(a, 0) != ARCHIVE_FILTER_NONE) {
        return 1;
    }
    return fmt != ARCHIVE_FORMAT_TAR && fmt != ARCHIVE_FORMAT_CPIO;
}

static int worse(int a, int b)
{
    return a < b ? a : b;
}

/* Bytes of a member that its header promises and no stored data backs:
 * all of them when the member is decompressed, the holes of a sparse
 * member of a stored archive. */
static uint64_t declared_expansion(struct archive_entry *e, int account)
{
    la_int64_t size, off, len;
    uint64_t data = 0;

    if (!archive_entry_size_is_set(e) || archive_entry_size(e) <= 0) {
        return 0;
    }
    size = archive_entry_size(e);
    if (account) {
        return (uint64_t)size;
    }
    if (archive_entry_sparse_reset(e) == 0) {
        return 0;
    }
    while (archive_entry_sparse_next(e, &off, &len) == ARCHIVE_OK) {
        data += len > 0 ? (uint64_t)len : 0;
    }
    return (uint64_t)size > data ? (uint64_t)size - data : 0;
}

/* Decodes one regular member. Returns its status; a read error of its
 * data is copied to err (already reported under the member's name). */
static int scan_member(struct mt_scan *scan, struct archive *a,
                       struct archive_entry *e, struct stored *stored,
                       const char *origin, int depth, char *err,
                       size_t err_size)
{
    const char *name = archive_entry_pathname_utf8(e);
    uint64_t max = scan->limits[MT_LIMIT_EXPANDED_BYTES], promised;
    struct member m;
    struct mt_stream *s;
    char *mo;
    int rc;

    err[0] = '\0';
    if (name == NULL) {
        name = archive_entry_pathname(e);
    }
    if (name == NULL) {
        name = "?";
    }
    /* The raw format's lone member (a .bz2 or .xz file) has no name of
     * its own: x.log.xz reads as x.log.xz:LINE. */
    if ((archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) ==
        ARCHIVE_FORMAT_RAW) {
        mo = mt_strdup(origin);
    } else {
        mo = mt_asprintf("%s!%s", origin, name);
    }
    if (mo == NULL) {
        mt_scan_message(scan, MT_MSG_ERROR, origin, "out of memory");
        return MT_EINPUT;
    }
    if (archive_entry_is_encrypted(e)) {
        mt_scan_message(scan, MT_MSG_ERROR, mo, "encrypted member skipped");
        mt_free(mo);
        return MT_EINPUT;
    }
    m.a = a;
    m.account = expands(a);
    m.stored = stored;
    /* What the header promises is judged before a byte is read: a 20 KB
     * tar whose sparse member declares 1 TiB of holes is not read for
     * hours until the limit trips. */
    promised = declared_expansion(e, m.account);
    if (max && promised > max - (scan->expanded_bytes < max
                                     ? scan->expanded_bytes
                                     : max)) {
        mt_scan_message(scan, MT_MSG_ERROR, mo,
                        "declares %llu bytes%s, beyond the expanded-bytes "
                        "limit (%llu): possible bomb; skipped",
                        (unsigned long long)archive_entry_size(e),
                        m.account ? "" : " (sparse)",
                        (unsigned long long)max);
        mt_free(mo);
        return MT_EINPUT;
    }
    s = mt_stream_new(&member_ops, &m, NULL, scan);
    if (s == NULL) {
        mt_scan_message(scan, MT_MSG_ERROR, mo, "out of memory");
        mt_free(mo);
        return MT_EINPUT;
    }
    rc = mt_decode_stream(scan, s, mo, depth + 1);
    snprintf(err, err_size, "%s", s->errmsg);
    mt_stream_free(s);
    mt_free(mo);
    return rc;
}

/* Zip (central directory at the end), 7z and rar read properly only with
 * seeking: a zip member with a data descriptor, or one after a corrupt
 * member, is lost to a streaming reader. Such archives are read into
 * memory when they fit in MT_MAX_SEEKABLE_ARCHIVE; bigger ones are
 * streamed, so memory stays bounded. */
#define SEEKABLE_MAX ((size_t)MT_MAX_SEEKABLE_ARCHIVE)

static int wants_seek(const unsigned char *p, size_t n)
{
    return has(p, n, 0, "PK", 2) || has(p, n, 0, "7z\xbc\xaf", 4) ||
           has(p, n, 0, "Rar!", 4);
}

/* Reads all of in into b (up to SEEKABLE_MAX). Returns 1 when b holds the
 * whole input, 0 when it did not fit (b then holds a prefix and in the
 * rest: no byte is lost), MT_EINPUT on a read error (b then holds what was
 * read). */
static int slurp(struct mt_stream *in, struct mt_buf *b)
{
    unsigned char tmp[16 * 1024];
    ptrdiff_t n;

    for (;;) {
        if (b->len + sizeof(tmp) > SEEKABLE_MAX) {
            return 0;
        }
        n = mt_stream_read(in, tmp, sizeof(tmp));
        if (n < 0) {
            return MT_EINPUT;
        }
        if (n == 0) {
            return 1;
        }
        if (mt_buf_append(b, tmp, (size_t)n) != 0) {
            return 0;
        }
    }
}

int mt_archive_scan(struct mt_scan *scan, struct mt_stream *in,
                    const char *origin, int depth)
{
    struct mt_stream *rest = NULL;
    struct source *src = NULL;
    struct archive *a = NULL;
    struct archive_entry *e;
    unsigned char head[8];
    char last_err[256] = "";
    struct stored stored = {0, 0};
    struct mt_buf mem;
    int rc = MT_OK, r, retries = 0, whole = 0;
    ptrdiff_t hn;
    const char *unloadable;

    if (!mt_archive_available(&unloadable)) {
        mt_scan_message(scan, MT_MSG_ERROR, origin,
                        "cannot read archives: %s", unloadable);
        return MT_EINPUT;
    }
    mt_buf_init(&mem, (size_t)SEEKABLE_MAX);
    src = mt_malloc(sizeof(*src));
    a = archive_read_new();
    if (src == NULL || a == NULL) {
        goto nomem;
    }
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    archive_read_support_format_raw(a);
    hn = mt_stream_read_full(in, head, sizeof(head));
    if (hn < 0) {
        mt_scan_message(scan, MT_MSG_ERROR, origin, "%s", in->errmsg);
        rc = MT_EINPUT;
        goto done;
    }
    if (wants_seek(head, (size_t)hn)) {
        if (mt_buf_append(&mem, head, (size_t)hn) != 0) {
            goto nomem;
        }
        whole = slurp(in, &mem);
        if (whole == MT_EINPUT) {
            /* Read what arrived; the cut is named once, here. */
            mt_scan_message(scan, MT_MSG_ERROR, origin, "%s", in->errmsg);
            rc = MT_EINPUT;
        }
    }
    if (whole) {
        r = archive_read_open_memory(a, mem.data, mem.len);
    } else {
        if (mem.len) {
            rest = mt_stream_prefixed(in, mem.data, mem.len);
            mt_buf_free(&mem);
        } else {
            rest = mt_stream_prefixed(in, head, (size_t)hn);
        }
        if (rest == NULL) {
            goto nomem;
        }
        src->in = rest;
        r = archive_read_open(a, src, NULL, source_read, NULL);
    }
    if (r != ARCHIVE_OK) {
        mt_scan_message(scan, MT_MSG_ERROR, origin, "%s",
                        archive_error_string(a) ? archive_error_string(a)
                                                : "unreadable archive");
        rc = MT_EINPUT;
        goto done;
    }
    while (!scan->aborted) {
        r = archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF) {
            break;
        }
        if (r == ARCHIVE_RETRY && ++retries < 10) {
            continue;
        }
        if (r == ARCHIVE_FATAL || r == ARCHIVE_RETRY) {
            const char *why = archive_error_string(a);
            if (why && strcmp(why, last_err) == 0) {
                /* The member's own message already said why. */
                why = NULL;
            } else if (why == NULL) {
                why = "unreadable archive";
            }
            mt_scan_message(scan, MT_MSG_ERROR, origin,
                            "%s%srest of the archive skipped",
                            why ? why : "", why ? "; " : "");
            rc = MT_EINPUT;
            break;
        }
        retries = 0;
        if (r == ARCHIVE_FAILED) {
            /* This entry's header is bad, the archive can go on. */
            const char *why = archive_error_string(a);
            mt_scan_message(scan, MT_MSG_ERROR, origin, "%s",
                            why ? why : "bad archive entry skipped");
            rc = MT_EINPUT;
            continue;
        }
        /* Directories, links and devices hold no text of their own. */
        if (archive_entry_filetype(e) != AE_IFREG ||
            archive_entry_hardlink(e) != NULL) {
            continue;
        }
        rc = worse(rc, scan_member(scan, a, e, &stored, origin, depth,
                                   last_err, sizeof(last_err)));
    }
    goto done;
nomem:
    mt_scan_message(scan, MT_MSG_ERROR, origin, "out of memory");
    rc = MT_EINPUT;
done:
    if (a) {
        archive_read_free(a);
    }
    mt_stream_free(rest);
    mt_buf_free(&mem);
    mt_free(src);
    return rc;
}
