/* scan.c: per-input scan state: messages about the input and the
 * decompression accounting that stops zip bombs. */
#include "scan.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Decoders may run on a read-ahead thread (readahead.c) while the main
 * thread matches: messages, and the status they raise, go through one
 * lock. They are rare, so one lock for all scans is enough. */
static pthread_mutex_t message_lock = PTHREAD_MUTEX_INITIALIZER;

void mt_limits_defaults(uint64_t *l)
{
    static const uint64_t defaults[MT_LIMIT_COUNT_] = {
        MT_MAX_LINE,     MT_MAX_RECORD,   MT_MAX_DEPTH,
        MT_MAX_EXPANDED, MT_MAX_RATIO,    MT_MATCH_LIMIT,
        MT_DEPTH_LIMIT,  MT_MAX_FILES,    MT_MAX_GROUPS,
        MT_MAX_JSON_VALUE};

    memcpy(l, defaults, sizeof(defaults));
}

void mt_scan_init(struct mt_scan *scan, const uint64_t *limits,
                  const struct mt_sink_ops *sink, void *sink_ctx,
                  mt_message_fn message, void *message_ctx)
{
    memset(scan, 0, sizeof(*scan));
    scan->limits = limits;
    scan->sink = sink;
    scan->sink_ctx = sink_ctx;
    scan->message = message;
    scan->message_ctx = message_ctx;
    scan->status = MT_OK;
}

void mt_scan_message(struct mt_scan *scan, enum mt_msg_level level,
                     const char *origin, const char *fmt, ...)
{
    char text[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&message_lock);
    if (level == MT_MSG_ERROR) {
        scan->status = MT_EINPUT;
    } else if (level == MT_MSG_WARNING && scan->status == MT_OK) {
        scan->status = MT_WARN;
    }
    if (scan->message) {
        scan->message(scan->message_ctx, level, origin, text);
    }
    pthread_mutex_unlock(&message_lock);
}

void mt_scan_redirect_messages(struct mt_scan *scan, mt_message_fn fn,
                               void *ctx, mt_message_fn *old_fn,
                               void **old_ctx)
{
    pthread_mutex_lock(&message_lock);
    if (old_fn != NULL) {
        *old_fn = scan->message;
        *old_ctx = scan->message_ctx;
    }
    scan->message = fn;
    scan->message_ctx = ctx;
    pthread_mutex_unlock(&message_lock);
}

int mt_scan_account_expansion(struct mt_scan *scan, size_t produced)
{
    uint64_t max = scan->limits[MT_LIMIT_EXPANDED_BYTES];
    uint64_t ratio = scan->limits[MT_LIMIT_EXPANSION_RATIO];

    scan->expanded_bytes += produced;
    if (max && scan->expanded_bytes > max) {
        scan->aborted = 1;
        return MT_EINPUT;
    }
    /* The ratio is judged on the whole input, after a grace amount, so a
     * small highly repetitive log is not mistaken for a bomb. */
    if (ratio && scan->expanded_bytes > MT_RATIO_GRACE_BYTES &&
        scan->expanded_bytes / (scan->raw_bytes ? scan->raw_bytes : 1) >
            ratio) {
        scan->aborted = 1;
        return MT_EINPUT;
    }
    return 0;
}

void mt_scan_expansion_reason(const struct mt_scan *scan, char *buf,
                              size_t cap)
{
    unsigned long long raw = scan->raw_bytes;

    snprintf(buf, cap,
             "expands beyond the limit (%llu bytes, ratio %llu): possible "
             "zip bomb; stopped",
             (unsigned long long)scan->expanded_bytes,
             (unsigned long long)scan->expanded_bytes / (raw ? raw : 1));
}
