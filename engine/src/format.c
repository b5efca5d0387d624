/* format.c: picks the reader for a text document, and the plain reader:
 * the splitter's records, each decorated with the context its own line
 * tells (an HCW line's level, event id and [Key=value] bracket; a move
 * report entry's timestamp and server). */
#include "format.h"

#include <ctype.h>
#include <string.h>

#include "split.h"
#include "util.h"

static const struct mt_format_ops *const formats[] = {
    &mt_format_plain,
    &mt_format_csv,
    &mt_format_json,
    &mt_format_clixml,
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

const struct mt_format_ops *mt_format_choose(const char *text, size_t n)
{
    const struct mt_format_ops *best = &mt_format_plain;
    int best_bid = 0;
    size_t i;

    for (i = 0; i < NFORMATS; i++) {
        int bid = formats[i]->bid(text, n);
        if (bid > best_bid) {
            best = formats[i];
            best_bid = bid;
        }
    }
    return best;
}

struct mt_format_reader {
    struct mt_scan *scan;
    const char *origin;
    struct mt_splitter *sp;
    size_t max_line;
};

/* Where context pairs go while one line is parsed. */
struct ctx_out {
    struct mt_record_ctx *pairs;
    size_t n;
    size_t max;
};

/* HCW bracket keys and the context names they become; other keys (Client,
 * Thread) say nothing about the problem. */
static const char *const hcw_keys[][2] = {
    {"Activity", "activity"}, {"Page", "page"},       {"Session", "session"},
    {"Cmdlet", "cmdlet"},     {"fn", "function"},     {"Workflow", "workflow"},
    {"Task", "task"},         {"Phase", "phase"},     {"HTTP GET", "url"},
};

static size_t digits(const char *p, size_t n)
{
    size_t i = 0;

    while (i < n && isdigit((unsigned char)p[i])) {
        i++;
    }
    return i;
}

int mt_format_field(struct mt_buf *buf, const char *label, size_t llen,
                    const char *value, size_t vlen, struct mt_record *rec)
{
    mt_buf_reset(buf);
    if (mt_buf_append(buf, label, llen) != 0 ||
        mt_buf_append(buf, " : ", 3) != 0 ||
        mt_buf_append(buf, value, vlen) != 0) {
        return MT_ENOMEM;
    }
    rec->kind = MT_REC_FIELD;
    rec->text = buf->data;
    rec->len = buf->len;
    rec->label = buf->data;
    rec->label_len = llen;
    rec->value = buf->data + llen + 3;
    rec->value_len = vlen;
    return 0;
}

/* Whether word occurs in s[0..n) (memmem is not in C11 or POSIX). */
static int contains(const char *s, size_t n, const char *word)
{
    size_t w = strlen(word), i;

    for (i = 0; i + w <= n; i++) {
        if (memcmp(s + i, word, w) == 0) {
            return 1;
        }
    }
    return 0;
}

static void add_ctx(struct ctx_out *o, const char *name, const char *value,
                    size_t len)
{
    if (o->n >= o->max || len == 0) {
        return;
    }
    o->pairs[o->n].name = name;
    o->pairs[o->n].value = value;
    o->pairs[o->n].value_len = len;
    o->n++;
}

/* HCW log line: "2024.01.31 20:44:19.774 *ERROR* 10025 [Client=UX,
 * Page=Configuring, fn=RunWorkflow, Thread=10] text". Pasted copies lose
 * leading characters and the asterisks, so the year may be short. */
static void hcw_context(struct ctx_out *o, const char *s, size_t n)
{
    size_t i = digits(s, n), ts_end, lvl, lvl_end;
    const char *close;

    if (i < 1 || i > 4 || i + 19 > n || s[i] != '.' ||
        digits(s + i + 1, 2) != 2 || s[i + 3] != '.' ||
        digits(s + i + 4, 2) != 2 || s[i + 6] != ' ' ||
        digits(s + i + 7, 2) != 2 || s[i + 9] != ':' ||
        digits(s + i + 13, 2) != 2 || s[i + 15] != '.') {
        return;
    }
    ts_end = i + 16 + digits(s + i + 16, n - i - 16);
    lvl = ts_end;
    while (lvl < n && s[lvl] == ' ') {
        lvl++;
    }
    lvl_end = lvl;
    while (lvl_end < n && !isdigit((unsigned char)s[lvl_end]) &&
           s[lvl_end] != ' ' && s[lvl_end] != '[') {
        lvl_end++;
    }
    add_ctx(o, "timestamp", s, ts_end);
    if (lvl_end > lvl) {
        const char *level = contains(s + lvl, lvl_end - lvl, "ERROR")
                                ? "error"
                            : contains(s + lvl, lvl_end - lvl, "WARN")
                                ? "warning"
                                : NULL;
        if (level != NULL) {
            add_ctx(o, "level", level, strlen(level));
        }
    }
    i = lvl_end;
    while (i < n && s[i] == ' ') {
        i++;
    }
    if (digits(s + i, n - i) > 0) {
        add_ctx(o, "event_id", s + i, digits(s + i, n - i));
        i += digits(s + i, n - i);
    }
    while (i < n && s[i] == ' ') {
        i++;
    }
    if (i >= n || s[i] != '[' ||
        (close = memchr(s + i, ']', n - i)) == NULL) {
        return;
    }
    /* Keys vary per line: parse pairs, not positions. */
    for (i++; s + i < close;) {
        const char *pair = s + i;
        const char *end = memchr(pair, ',', (size_t)(close - pair));
        const char *eq;
        size_t klen, j;

        if (end == NULL) {
            end = close;
        }
        eq = memchr(pair, '=', (size_t)(end - pair));
        klen = eq != NULL ? (size_t)(eq - pair) : 0;
        for (j = 0; eq != NULL && j < sizeof(hcw_keys) / sizeof(hcw_keys[0]);
             j++) {
            if (strlen(hcw_keys[j][0]) == klen &&
                memcmp(hcw_keys[j][0], pair, klen) == 0) {
                add_ctx(o, hcw_keys[j][1], eq + 1, (size_t)(end - eq - 1));
                break;
            }
        }
        i = (size_t)(end - s) + 1;
        while (s + i < close && s[i] == ' ') {
            i++;
        }
    }
}

/* Move report entry: "3/29/2021 3:32:27 PM [EXCH] text", also 24-hour
 * clocks, dotted and ISO dates, and "(SERVER)" from some pastes. */
static void entry_context(struct ctx_out *o, const char *s, size_t n)
{
    size_t i = digits(s, n), t, srv;
    char sep;

    if (i < 1 || i > 4 || i >= n) {
        return;
    }
    sep = s[i];
    if (sep != '/' && sep != '.' && sep != '-') {
        return;
    }
    t = i + 1 + digits(s + i + 1, n - i - 1);
    if (t >= n || s[t] != sep) {
        return;
    }
    t = t + 1 + digits(s + t + 1, n - t - 1);
    if (t >= n || s[t] != ' ') {
        return;
    }
    i = t + 1;
    t = i + digits(s + i, n - i);
    if (t == i || t >= n || s[t] != ':') {
        return;
    }
    while (t < n && (isdigit((unsigned char)s[t]) || s[t] == ':')) {
        t++;
    }
    if (t + 3 <= n && s[t] == ' ' && (s[t + 1] == 'A' || s[t + 1] == 'P') &&
        s[t + 2] == 'M') {
        t += 3;
    }
    if (t + 2 >= n || s[t] != ' ' || (s[t + 1] != '[' && s[t + 1] != '(')) {
        return;
    }
    srv = t + 2;
    i = srv;
    while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '-' ||
                     s[i] == '.')) {
        i++;
    }
    if (i == srv || i >= n || (s[i] != ']' && s[i] != ')')) {
        return;
    }
    add_ctx(o, "timestamp", s, t);
    add_ctx(o, "server", s + srv, i - srv);
}

/* The context a plain line tells about itself; parsed only for records
 * with a finding, which are few. */
static size_t line_context(const struct mt_record *rec,
                           struct mt_record_ctx *out, size_t max)
{
    const char *s = rec->kind == MT_REC_FIELD ? rec->value : rec->text;
    size_t n = rec->kind == MT_REC_FIELD ? rec->value_len : rec->len;
    struct ctx_out o = {out, 0, max};

    if (s != NULL && n > 0 && isdigit((unsigned char)s[0])) {
        hcw_context(&o, s, n);
        if (o.n == 0) {
            entry_context(&o, s, n);
        }
    }
    return o.n;
}

static int on_record(void *ctx, const struct mt_record *rec)
{
    struct mt_format_reader *r = ctx;
    struct mt_record copy = *rec;

    copy.context_of = line_context;
    return r->scan->sink->record(r->scan->sink_ctx, &copy);
}

static const struct mt_sink_ops decorate = {NULL, on_record, NULL};

static int plain_bid(const char *text, size_t n)
{
    (void)text;
    (void)n;
    return 1; /* anything is text */
}

static struct mt_format_reader *plain_open(struct mt_scan *scan,
                                           const char *origin)
{
    struct mt_format_reader *r = mt_calloc(1, sizeof(*r));
    struct mt_split_config cfg;

    if (r == NULL) {
        return NULL;
    }
    r->scan = scan;
    r->origin = origin;
    r->max_line = (size_t)scan->limits[MT_LIMIT_LINE_BYTES];
    cfg.max_line = r->max_line;
    cfg.max_record = (size_t)scan->limits[MT_LIMIT_RECORD_BYTES];
    cfg.sink = &decorate;
    cfg.sink_ctx = r;
    /* Records that are one whole line go to the sink as they lie in the
     * splitter's block, and decorate passes their text on unchanged, so
     * the sink's block scan applies to them. */
    cfg.block = scan->block;
    cfg.block_ctx = scan->sink_ctx;
    cfg.quiet = scan->quiet;
    r->sp = mt_splitter_new(&cfg);
    if (r->sp == NULL) {
        mt_free(r);
        return NULL;
    }
    return r;
}

static int plain_feed(struct mt_format_reader *r, const char *text, size_t n)
{
    return mt_splitter_feed(r->sp, text, n);
}

int mt_format_plain_feed_in_place(struct mt_format_reader *r, char *text,
                                  size_t n)
{
    return mt_splitter_feed_in_place(r->sp, text, n);
}

static int plain_finish(struct mt_format_reader *r)
{
    int rc = mt_splitter_finish(r->sp);

    if (mt_splitter_cut_lines(r->sp) > 0) {
        mt_scan_message(r->scan, MT_MSG_WARNING, r->origin,
                        "%llu line(s) longer than %llu bytes were cut",
                        (unsigned long long)mt_splitter_cut_lines(r->sp),
                        (unsigned long long)r->max_line);
    }
    return rc;
}

static void plain_free(struct mt_format_reader *r)
{
    if (r != NULL) {
        mt_splitter_free(r->sp);
        mt_free(r);
    }
}

const struct mt_format_ops mt_format_plain = {
    "plain", plain_bid, plain_open, plain_feed, plain_finish, plain_free};
