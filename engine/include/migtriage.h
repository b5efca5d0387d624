/* migtriage.h: the one public header of the migtriage engine, which reads
 * what an Exchange / Microsoft 365 migration leaves behind and matches it
 * against a knowledge base of known problems.
 *
 * Ownership: arguments are borrowed. What mt_*_new() returns belongs to the
 * caller, who releases it with the matching mt_*_free() (NULL is fine).
 * Strings from getters belong to the handle until its next mutating call.
 *
 * The engine never prints on its own: messages about inputs go to the
 * message callback, reports go to the FILE the caller passes. */
#ifndef MIGTRIAGE_H
#define MIGTRIAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(MT_BUILDING_LIBRARY) && defined(__GNUC__)
#define MT_API __attribute__((visibility("default")))
#else
#define MT_API
#endif

#define MT_VERSION "0.1.0"

/* Status codes. ABI: never renumber, only append. */
enum mt_status {
    MT_OK = 0,
    MT_WARN = -1,     /* done, but something was skipped or repaired */
    MT_EINPUT = -2,   /* this input failed; the engine is still usable */
    MT_EDATA = -3,    /* a pattern or KB file is invalid */
    MT_ENOMEM = -4,
    MT_EMISUSE = -5,  /* called in the wrong state */
    MT_FATAL = -6     /* engine unusable; only mt_engine_free() is valid */
};

/* Severities, ordered: a finding "at or above" --fail-on compares these. */
enum mt_severity {
    MT_SEV_INFO = 0,
    MT_SEV_WARNING = 1,
    MT_SEV_ERROR = 2,
    MT_SEV_CRITICAL = 3
};

enum mt_format {
    MT_FORMAT_TEXT = 0,
    MT_FORMAT_JSON = 1,
    MT_FORMAT_NDJSON = 2,
    MT_FORMAT_HTML = 3,    /* one self-contained page for the customer */
    MT_FORMAT_CSV = 4,     /* one row per mailbox and problem, for Excel */
    MT_FORMAT_MARKDOWN = 5 /* for a ticket */
};

/* Flags for mt_engine_write_report(). */
#define MT_REPORT_COLOR 0x1u /* ANSI colour in text output */

/* Every limit the engine enforces; each has a default in mt_limits.h and
 * can be changed with mt_engine_set_limit(). */
enum mt_limit {
    MT_LIMIT_LINE_BYTES = 0,      /* longest line kept; the rest is cut */
    MT_LIMIT_RECORD_BYTES = 1,    /* longest re-joined record */
    MT_LIMIT_DEPTH = 2,           /* nesting of archives and filters */
    MT_LIMIT_EXPANDED_BYTES = 3,  /* decoded bytes per top-level input */
    MT_LIMIT_EXPANSION_RATIO = 4, /* decoded / compressed, per input */
    MT_LIMIT_MATCH_BUDGET = 5,    /* PCRE2 match limit per attempt */
    MT_LIMIT_DEPTH_BUDGET = 6,    /* PCRE2 depth limit per attempt */
    MT_LIMIT_FILES = 7,           /* files visited per directory argument */
    MT_LIMIT_FINDING_GROUPS = 8,  /* distinct finding groups kept */
    MT_LIMIT_JSON_VALUE_BYTES = 9, /* one top-level JSON value held */
    MT_LIMIT_COUNT_ = 10
};

/* Level of a message about an input, passed to the message callback. */
enum mt_msg_level {
    MT_MSG_NOTE = 0,    /* informational: a binary file skipped */
    MT_MSG_WARNING = 1, /* input read, but something was repaired or cut */
    MT_MSG_ERROR = 2    /* input (or part of it) could not be read */
};

typedef void (*mt_message_fn)(void *ctx, enum mt_msg_level level,
                              const char *origin, const char *text);

struct mt_engine;

/* Creates an engine with default limits and no knowledge loaded.
 * Returns NULL only when out of memory. */
MT_API struct mt_engine *mt_engine_new(void);
MT_API void mt_engine_free(struct mt_engine *e);

/* Loads every patterns/<family>.json and kb/<family>.json (and kb/codes/)
 * from the two directories. Bad files or entries are reported through the
 * message callback and skipped; returns MT_OK, MT_EDATA when something was
 * skipped, or MT_EINPUT when a directory cannot be read at all. */
MT_API int mt_engine_load(struct mt_engine *e, const char *patterns_dir,
                          const char *kb_dir);

/* Adds a folder of extra knowledge, loaded by mt_engine_load() on top of
 * the shipped one (not in its place): the .json files of DIR/patterns
 * and DIR/kb, either may be missing. Their ids must not repeat shipped
 * ones (kb lint and the load report a duplicate). At most 8 folders; call
 * before mt_engine_load(). Returns MT_OK, MT_EMISUSE or MT_ENOMEM. */
MT_API int mt_engine_add_knowledge(struct mt_engine *e, const char *dir);

/* The version of the knowledge base loaded (the first line of kb/VERSION),
 * or "unversioned"; and how many finding signatures and articles were
 * loaded, extra folders included. */
MT_API const char *mt_engine_kb_version(const struct mt_engine *e);
MT_API void mt_engine_kb_counts(const struct mt_engine *e,
                                size_t *signatures, size_t *articles);

MT_API void mt_engine_set_limit(struct mt_engine *e, enum mt_limit which,
                                uint64_t value);
MT_API uint64_t mt_engine_get_limit(const struct mt_engine *e,
                                    enum mt_limit which);
MT_API void mt_engine_set_message_cb(struct mt_engine *e, mt_message_fn fn,
                                     void *ctx);

/* Scans the files of a directory on n threads at once (0: one per online
 * CPU; default 1). The result is the same, byte for byte, whatever n; the
 * messages about inputs also reach the callback in input order, each
 * input's as its turn comes. A single file or stdin is scanned on the
 * calling thread. With NDJSON streaming, the findings of an input wait
 * until the inputs before it are done. Call before scanning. */
MT_API void mt_engine_set_jobs(struct mt_engine *e, unsigned n);

/* One finding, handed over as it is found (when the Format-List object
 * or document holding it ends, so that the mailbox named after the error
 * is known). Pointers are valid during the call only. */
struct mt_finding_info {
    const char *signature; /* signature id, e.g. "mrs.large-item.encountered" */
    const char *article;   /* article id, e.g. "mrs-large-item" */
    const char *title;     /* the article's title */
    enum mt_severity severity;
    const char *origin;    /* file, or archive!member path */
    uint64_t line;         /* line (or record) number in origin */
    const char *mailbox;   /* the mailbox it is about, or NULL */
    const char *message;   /* the record's text, re-joined and decoded */
    size_t nfields;        /* captured fields, sorted by name */
    const char *const *field_names;
    const char *const *field_values;
};
typedef void (*mt_finding_fn)(void *ctx, const struct mt_finding_info *f);

/* Calls fn for every finding as it is found, in input order whatever the
 * number of jobs (with -j, an input's findings wait until the inputs
 * before it are done). The report still has every finding. Call before
 * scanning; replaces mt_engine_stream_to(), which is this callback with
 * an NDJSON writer behind it. */
MT_API void mt_engine_set_finding_cb(struct mt_engine *e, mt_finding_fn fn,
                                     void *ctx);

/* Streams findings as they are found (NDJSON: one finding a line) to out:
 * the finding callback, writing JSON. Call before scanning; the summary
 * line comes from mt_engine_write_report(e, out, MT_FORMAT_NDJSON, 0). */
MT_API void mt_engine_stream_to(struct mt_engine *e, FILE *out);

/* Scans a file, a directory (recursively, in name order) or "-" (stdin).
 * Returns MT_OK, MT_WARN (read with repairs or skips) or MT_EINPUT (this
 * input, or part of it, failed; others are unaffected). */
MT_API int mt_engine_scan_path(struct mt_engine *e, const char *path);

/* Scans a buffer as if it were a file called name. */
MT_API int mt_engine_scan_memory(struct mt_engine *e, const char *name,
                                 const void *data, size_t len);

/* Report filters: which findings the report (every format, also the
 * NDJSON stream) shows. The summary says that a filter was applied. */
enum mt_filter {
    MT_FILTER_MIN_SEVERITY = 0, /* "warning": findings at or above it */
    MT_FILTER_MAILBOX = 1,      /* a name of the mailbox (any of its names,
                                   case-insensitive); repeatable */
    MT_FILTER_ARTICLE = 2,      /* an article id, glob allowed; repeatable */
    MT_FILTER_FAMILY = 3        /* a kb family ("mrs"); repeatable */
};
/* Adds a filter; filters of one kind are alternatives, kinds combine.
 * Returns MT_OK, or MT_EMISUSE for a bad value (mt_engine_errmsg()). */
MT_API int mt_engine_add_filter(struct mt_engine *e, enum mt_filter which,
                                const char *value);

/* Called from the scanning thread after each input is done (in input
 * order), with the totals so far: bytes read and inputs done. */
typedef void (*mt_progress_fn)(void *ctx, uint64_t bytes, uint64_t inputs);
MT_API void mt_engine_set_progress_cb(struct mt_engine *e, mt_progress_fn fn,
                                      void *ctx);

/* Writes the report of everything scanned so far. */
MT_API int mt_engine_write_report(struct mt_engine *e, FILE *out,
                                  enum mt_format format, unsigned flags);

/* Worst severity among findings, or -1 when there are none. */
MT_API int mt_engine_worst_severity(const struct mt_engine *e);

/* Number of inputs (including archive members) that failed or were
 * repaired with a warning. */
MT_API uint64_t mt_engine_failed_inputs(const struct mt_engine *e);

/* Checks the loaded patterns and articles (samples match, non-samples do
 * not, articles exist, ids unique, literals present). Writes one line per
 * problem to out, naming file, id and problem, then a summary line.
 * Returns the number of problems (0 = clean). */
MT_API int mt_engine_lint(struct mt_engine *e, FILE *out);

/* Writes the loaded finding signatures (not context ones) to out as a
 * pattern file, one regex a line, for other tools: flavor "rg" (default
 * when NULL: Rust regex syntax, also read by ugrep -f), "grep" (POSIX ERE
 * with GNU extensions for grep -E -f: (?i) is folded into [xX] classes,
 * non-capturing groups become plain ones; run it in a UTF-8 locale) or
 * "pcre" (PCRE2 as loaded, for rg -P, ugrep -P). Named groups become plain
 * groups; \d \w \s keep their ASCII meaning. Each rewritten pattern matches
 * the same lines as the original; a signature that the flavor cannot say
 * (a look-behind, say) is left out and named through the message callback.
 * Lines end in '\n'; no empty lines or comments are written, since an
 * empty pattern matches every line. Returns the number of patterns
 * written, or MT_EMISUSE (unknown flavor, nothing loaded; see
 * mt_engine_errmsg()). */
MT_API int mt_engine_kb_export(struct mt_engine *e, FILE *out,
                               const char *flavor);

/* Help-desk lookup, no log needed. Each writes text or one JSON document
 * (MT_FORMAT_NDJSON writes JSON too) to out; the knowledge must be
 * loaded (else MT_EMISUSE). */

/* Explains a code or a pasted message: decodes every error code in text
 * (hr=0x8004010f, 0x8004010F, 8004010F, 2147746063, ec=-2147221233,
 * ec=1242, a bare 1722, HCW8001, AADSTS50054, (401), HTTP 413) through the
 * kb/codes tables, splitting HRESULTs into severity, customer bit,
 * facility and code; runs each line of text through every signature and
 * writes the matching articles with commands filled from what was
 * captured; then the articles the codes point at. When text holds no code
 * and matches no signature, writes the best kb search results instead.
 * Returns how many things were explained (known codes, matches, articles;
 * 0 = nothing found), or a negative mt_status. */
MT_API int mt_engine_explain(struct mt_engine *e, const char *text,
                             FILE *out, enum mt_format fmt);

/* Ranks the articles for query (words in any order, typos tolerated) by
 * title, id, tags, codes, the literals of their signatures, summary and
 * cause; writes the best first with a score of 100. Returns the number of
 * results (0 = nothing scored), or a negative mt_status. */
MT_API int mt_engine_kb_search(struct mt_engine *e, const char *query,
                               FILE *out, enum mt_format fmt);

/* Writes the whole article id: text, cause, resolution, commands with
 * their placeholders visible, verify, risk, refs, codes, tags and the
 * signatures that report it. Returns MT_OK, or MT_EINPUT when there is no
 * such article: mt_engine_errmsg() then says so and names up to three
 * near ids. */
MT_API int mt_engine_kb_show(struct mt_engine *e, const char *id, FILE *out,
                             enum mt_format fmt);

/* Lists the articles (id, severity range of their signatures, title),
 * grouped by family; family (NULL: all) keeps one. Returns the number
 * listed, or MT_EINPUT for an unknown family (mt_engine_errmsg() lists
 * the known ones). */
MT_API int mt_engine_kb_list(struct mt_engine *e, const char *family,
                             FILE *out, enum mt_format fmt);

/* Whether an allocation has failed since e was created (in any engine of
 * the process: the count is process-wide). Something was then lost, even
 * when the call that lost it went on: callers report the run as out of
 * memory (MT_ENOMEM) rather than trust its results. From the first
 * failure on, messages about inputs are no longer passed on, since they
 * may only echo it. */
MT_API int mt_engine_out_of_memory(const struct mt_engine *e);

/* The index in words (NULL-terminated) of the word nearest to typed, at
 * most limit edits away (an edit: a letter added, left out, changed, or two
 * neighbours swapped), or -1. Ties go to the earlier word. */
MT_API int mt_suggest_word(const char *typed, const char *const *words,
                           int limit);

/* Detail of the last failed call. */
MT_API const char *mt_engine_errmsg(const struct mt_engine *e);

MT_API const char *mt_severity_name(enum mt_severity s);
/* Returns the severity for a name ("warning"), or -1. */
MT_API int mt_severity_parse(const char *name);

#ifdef __cplusplus
}
#endif
#endif
