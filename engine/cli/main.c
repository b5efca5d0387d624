/* main.c: the migtriage command: parses options, loads the knowledge,
 * scans the inputs or runs a kb subcommand, prints, and maps the outcome to
 * an exit code. It uses only the public header. */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migtriage.h"
#include "datadir.h"
#include "loadarena.h"
#include "opts.h"


/* Edits allowed between a typed word and a command: one on short words,
 * where two would make most short names "near" something. */
static int typo_limit(const char *word)
{
    return strlen(word) <= 4 ? 1 : 2;
}

/* Progress on stderr: only on a terminal (or --progress always), only
 * once a run has taken more than a second, at most five times a second,
 * and cleared before anything else is written there and at the end. */
struct progress {
    int mode; /* -1 auto, 0 never, 1 always */
    double start, last;
    double after; /* seconds before the first line: 1, or
                     MIGTRIAGE_PROGRESS_AFTER (for the tests) */
    int shown;
};

static struct progress progress;

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress_clear(void)
{
    if (progress.shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        progress.shown = 0;
    }
}

static void on_progress(void *ctx, uint64_t bytes, uint64_t inputs)
{
    double t = now_seconds(), elapsed = t - progress.start;
    double mib = (double)bytes / (1024.0 * 1024.0);

    (void)ctx;
    if (elapsed < progress.after || t - progress.last < 0.2) {
        return;
    }
    progress.last = t;
    fprintf(stderr, "\r\033[Kmigtriage: %llu file%s, %.1f MiB, %.1f MiB/s",
            (unsigned long long)inputs, inputs == 1 ? "" : "s", mib,
            elapsed > 0 ? mib / elapsed : 0.0);
    fflush(stderr);
    progress.shown = 1;
}

static void progress_start(struct mt_engine *e, int mode)
{
    progress.mode = mode;
    if (mode == 0 || (mode < 0 && !isatty(STDERR_FILENO))) {
        return;
    }
    progress.start = now_seconds();
    progress.after = 1.0;
    if (getenv("MIGTRIAGE_PROGRESS_AFTER") != NULL) {
        progress.after = atof(getenv("MIGTRIAGE_PROGRESS_AFTER"));
    }
    mt_engine_set_progress_cb(e, on_progress, NULL);
}

/* One message line. stderr is line-buffered (main()), so each line goes
 * out in one write rather than one per character: a run over a folder
 * can print thousands. File names and log text are not trusted to be
 * free of escape sequences. */
static void on_message(void *ctx, enum mt_msg_level level,
                       const char *origin, const char *text)
{
    static const char *const names[] = {"note", "warning", "error"};

    (void)ctx;
    progress_clear();
    fprintf(stderr, "migtriage: %s: ", names[level % 3]);
    if (origin != NULL && *origin) {
        mt_put_clean(stderr, origin, (size_t)-1);
        fputs(": ", stderr);
    }
    mt_put_clean(stderr, text, (size_t)-1);
    fputc('\n', stderr);
}

/* An engine message about the command (a kb id, a directory) on stderr. */
static void put_clean(const char *s)
{
    mt_put_clean(stderr, s, (size_t)-1);
}

static int use_color(const struct mt_opts *o)
{
    const char *no_color = getenv("NO_COLOR");
    const char *term = getenv("TERM");

    if (o->color >= 0) {
        return o->color;
    }
    if (no_color != NULL && *no_color) {
        return 0;
    }
    return isatty(STDOUT_FILENO) && !(term && strcmp(term, "dumb") == 0);
}

/* The arguments from first on, joined with spaces: "kb search large
 * item" and "explain Unable to delete mailbox" need no quotes. */
static char *join_args(const struct mt_opts *o, int first)
{
    size_t len = 1;
    char *s;
    int i;

    for (i = first; i < o->nargs; i++) {
        len += strlen(o->args[i]) + 1;
    }
    s = malloc(len);
    if (s == NULL) {
        return NULL;
    }
    s[0] = '\0';
    for (i = first; i < o->nargs; i++) {
        if (i > first) {
            strcat(s, " ");
        }
        strcat(s, o->args[i]);
    }
    return s;
}

/* Out of memory ends every command the same way, once: run() prints this
 * line when the engine says an allocation failed. */
static int out_of_memory(void)
{
    fputs("migtriage: error: out of memory\n", stderr);
    return MT_EXIT_NOMEM;
}

/* A lookup's count: something found is 0, nothing is 1, an engine error
 * (output unwritable) is reported and counts as 2; out of memory is left
 * to run(); output that could not be written is main()'s to report, once. */
static int lookup_exit(struct mt_engine *e, const char *what, int n)
{
    if (n < 0 && mt_engine_out_of_memory(e)) {
        return MT_EXIT_NOMEM;
    }
    if (n < 0 && ferror(stdout)) {
        return MT_EXIT_USAGE;
    }
    if (n < 0) {
        fprintf(stderr, "migtriage: %s: ", what);
        put_clean(mt_engine_errmsg(e));
        fputc('\n', stderr);
        return MT_EXIT_USAGE;
    }
    return n > 0 ? MT_EXIT_OK : MT_EXIT_FINDINGS;
}

static int run_kb(struct mt_engine *e, const struct mt_opts *o)
{
    const char *sub = o->nargs >= 2 ? o->args[1] : "";
    enum mt_format fmt = o->format;
    char *query;
    int n;

    if (strcmp(sub, "lint") == 0 && o->nargs == 2) {
        return mt_engine_lint(e, stdout) == 0 ? MT_EXIT_OK
                                              : MT_EXIT_FINDINGS;
    }
    if (strcmp(sub, "search") == 0 && o->nargs >= 3) {
        query = join_args(o, 2);
        if (query == NULL) {
            return MT_EXIT_NOMEM; /* run() says so */
        }
        n = mt_engine_kb_search(e, query, stdout, fmt);
        free(query);
        return lookup_exit(e, "kb search", n);
    }
    if (strcmp(sub, "show") == 0 && o->nargs == 3) {
        n = mt_engine_kb_show(e, o->args[2], stdout, fmt);
        if (n != MT_OK && ferror(stdout)) {
            return MT_EXIT_USAGE;
        }
        if (n != MT_OK && !mt_engine_out_of_memory(e)) {
            fputs("migtriage: kb show: ", stderr);
            put_clean(mt_engine_errmsg(e));
            fputc('\n', stderr);
            return MT_EXIT_USAGE;
        }
        return MT_EXIT_OK;
    }
    if (strcmp(sub, "list") == 0 && o->nargs <= 4) {
        /* "kb list mrs", "kb list --family mrs", or the older
         * "kb list -- --family mrs". */
        const char *family = NULL;
        if (o->nargs == 3) {
            family = o->args[2];
        } else if (o->nargs == 4 && strcmp(o->args[2], "--family") == 0) {
            family = o->args[3];
        } else if (o->nargs == 2 && o->family != NULL) {
            family = o->family;
        } else if (o->nargs == 4) {
            fprintf(stderr, "migtriage: kb list: expected [FAMILY]\n"
                            "Try 'migtriage --help'\n");
            return MT_EXIT_USAGE;
        }
        n = mt_engine_kb_list(e, family, stdout, fmt);
        if (n == MT_EINPUT && !ferror(stdout) && !mt_engine_out_of_memory(e)) {
            fputs("migtriage: kb list: ", stderr);
            put_clean(mt_engine_errmsg(e));
            fputc('\n', stderr);
            return MT_EXIT_USAGE;
        }
        return lookup_exit(e, "kb list", n);
    }
    if (strcmp(sub, "export") == 0 && o->nargs <= 3) {
        /* "kb export", "kb export --flavor grep" or "kb export grep". */
        n = mt_engine_kb_export(e, stdout, o->nargs == 3 ? o->args[2]
                                                         : o->flavor);
        if (n < 0 && !ferror(stdout) && !mt_engine_out_of_memory(e)) {
            fputs("migtriage: kb export: ", stderr);
            put_clean(mt_engine_errmsg(e));
            fputs("\nTry 'migtriage --help'\n", stderr);
            return MT_EXIT_USAGE;
        }
        return MT_EXIT_OK;
    }
    if (o->nargs >= 2) {
        static const char *const subs[] = {"search", "show", "list", "lint",
                                           "export", NULL};
        int near = mt_suggest_word(sub, subs, typo_limit(sub));
        if (near >= 0 && strcmp(subs[near], sub) != 0) {
            fputs("migtriage: kb: unknown command '", stderr);
            put_clean(sub);
            fprintf(stderr, "'; did you mean 'migtriage kb %s'?\n"
                            "Try 'migtriage --help'\n", subs[near]);
            return MT_EXIT_USAGE;
        }
    }
    fprintf(stderr, "migtriage: kb: expected 'lint', 'search WORDS', "
                    "'show ID', 'list [FAMILY]' or 'export'\n"
                    "Try 'migtriage --help'\n");
    return MT_EXIT_USAGE;
}

/* A first argument that is no file but a typo of a command ("explian",
 * "serch") is a usage error with a suggestion, not a missing input that
 * would be reported as such beside an empty report. Returns 1 when it
 * said so. */
static int mistyped_command(const char *arg)
{
    static const char *const cmds[] = {"explain", "kb",   "search", "show",
                                       "list",    "lint", "export", NULL};
    struct stat st;
    int near;

    if (strcmp(arg, "-") == 0 || strchr(arg, '/') != NULL ||
        strchr(arg, '.') != NULL || stat(arg, &st) == 0) {
        return 0;
    }
    near = mt_suggest_word(arg, cmds, typo_limit(arg));
    if (near < 0) {
        return 0;
    }
    fputs("migtriage: '", stderr);
    put_clean(arg);
    fprintf(stderr, "' is not a file or a command; did you mean "
                    "'migtriage %s%s'?\nTry 'migtriage --help'\n",
            near >= 2 ? "kb " : "", cmds[near]);
    return 1;
}

/* Most of standard input explain reads ("explain -"): a pasted error,
 * not a log; logs go to the scan. */
#define EXPLAIN_STDIN_MAX (1024 * 1024)

/* Reads standard input for "explain -" and decodes it as a scanned file
 * is decoded (a Windows clipboard gives UTF-16 with CRLF). A paste longer
 * than EXPLAIN_STDIN_MAX is said to be so (*too_long) rather than cut
 * silently. NULL when out of memory or too long. */
static char *read_stdin(struct mt_engine *e, int *too_long)
{
    char *buf = malloc(EXPLAIN_STDIN_MAX + 1), *text;
    size_t n;

    *too_long = 0;
    if (buf == NULL) {
        return NULL;
    }
    /* One byte more than allowed tells "exactly the limit" from "more". */
    n = fread(buf, 1, EXPLAIN_STDIN_MAX + 1, stdin);
    if (n > EXPLAIN_STDIN_MAX) {
        free(buf);
        *too_long = 1;
        return NULL;
    }
    text = mt_engine_decode_text(e, "(stdin)", buf, n);
    free(buf);
    return text;
}

static int run_explain(struct mt_engine *e, const struct mt_opts *o)
{
    char *text;
    int n, too_long = 0;

    if (o->nargs < 2) {
        fprintf(stderr, "migtriage: explain: expected an error code or "
                        "message (a negative number goes after --)\n"
                        "Try 'migtriage --help'\n");
        return MT_EXIT_USAGE;
    }
    text = o->nargs == 2 && strcmp(o->args[1], "-") == 0
               ? read_stdin(e, &too_long)
               : join_args(o, 1);
    if (too_long) {
        fprintf(stderr, "migtriage: explain: standard input is longer than "
                        "%d bytes, more than a paste; nothing explained "
                        "(scan a log with 'migtriage -')\n",
                EXPLAIN_STDIN_MAX);
        return MT_EXIT_INPUT;
    }
    if (text == NULL) {
        return MT_EXIT_NOMEM; /* run() says so */
    }
    n = mt_engine_explain(e, text, stdout, o->format);
    free(text);
    return lookup_exit(e, "explain", n);
}

/* The report filters of the command line, handed to the engine. */
static int add_filters(struct mt_engine *e, const struct mt_opts *o)
{
    int i, rc = MT_OK;

    if (o->min_severity != NULL) {
        rc = mt_engine_add_filter(e, MT_FILTER_MIN_SEVERITY, o->min_severity);
    }
    for (i = 0; rc == MT_OK && i < o->nmailboxes; i++) {
        rc = mt_engine_add_filter(e, MT_FILTER_MAILBOX, o->mailboxes[i]);
    }
    for (i = 0; rc == MT_OK && i < o->narticles; i++) {
        rc = mt_engine_add_filter(e, MT_FILTER_ARTICLE, o->articles[i]);
    }
    for (i = 0; rc == MT_OK && i < o->nfamilies; i++) {
        rc = mt_engine_add_filter(e, MT_FILTER_FAMILY, o->families[i]);
    }
    if (rc != MT_OK) {
        fputs("migtriage: ", stderr);
        put_clean(mt_engine_errmsg(e));
        fputs("\nTry 'migtriage --help'\n", stderr);
        return -1;
    }
    return 0;
}

static int run_scan(struct mt_engine *e, const struct mt_opts *o)
{
    int i, worst;

    if (o->nargs == 0 && isatty(STDIN_FILENO)) {
        fprintf(stderr, "migtriage: no input given (a file, a directory or "
                        "- for standard input)\n"
                        "Try 'migtriage --help'\n");
        return MT_EXIT_USAGE;
    }
    if (add_filters(e, o) != 0) {
        return MT_EXIT_USAGE;
    }
    if (o->format == MT_FORMAT_NDJSON) {
        mt_engine_stream_to(e, stdout);
    }
    progress_start(e, o->progress);
    if (o->nargs == 0 && mt_engine_scan_path(e, "-") == MT_ENOMEM) {
        progress_clear();
        return MT_EXIT_NOMEM;
    }
    /* A reader that went away (NDJSON into "head") ends the scan: what
     * is left could not be shown; main() reports the write error. */
    for (i = 0; i < o->nargs && !ferror(stdout); i++) {
        if (mt_engine_scan_path(e, o->args[i]) == MT_ENOMEM) {
            progress_clear();
            return MT_EXIT_NOMEM;
        }
    }
    progress_clear();
    if (mt_engine_write_report(e, stdout, o->format,
                               use_color(o) ? MT_REPORT_COLOR : 0) ==
        MT_ENOMEM) {
        return MT_EXIT_NOMEM;
    }
    if (mt_engine_failed_inputs(e) > 0) {
        return MT_EXIT_INPUT;
    }
    worst = mt_engine_worst_severity(e);
    return worst >= 0 && worst >= o->fail_on ? MT_EXIT_FINDINGS : MT_EXIT_OK;
}

/* The program's version and the knowledge base's, with what was loaded:
 * the first thing to ask for when two people's results differ. */
static int print_version(struct mt_engine *e, const struct mt_opts *o)
{
    size_t sigs, arts;

    mt_engine_kb_counts(e, &sigs, &arts);
    printf("migtriage %s\nknowledge base %s: %zu signatures, %zu articles\n",
           MT_VERSION, mt_engine_kb_version(e), sigs, arts);
    return fflush(stdout) == 0 ? MT_EXIT_OK : MT_EXIT_USAGE;
}

/* --extra-kb folders, else the user's own folder when it exists. */
static int add_extra_knowledge(struct mt_engine *e, const struct mt_opts *o)
{
    char user[4096];
    int i;

    for (i = 0; i < o->nextra; i++) {
        if (mt_engine_add_knowledge(e, o->extra[i]) != MT_OK) {
            if (mt_engine_out_of_memory(e)) {
                return -1; /* run() says so */
            }
            fputs("migtriage: error: --extra-kb ", stderr);
            put_clean(o->extra[i]);
            fputs(": ", stderr);
            put_clean(mt_engine_errmsg(e));
            fputc('\n', stderr);
            return -1;
        }
    }
    if (o->nextra == 0 && mt_find_user_knowledge(user, sizeof(user)) &&
        mt_engine_add_knowledge(e, user) != MT_OK) {
        if (mt_engine_out_of_memory(e)) {
            return -1; /* run() says so */
        }
        fputs("migtriage: error: ", stderr);
        put_clean(user);
        fputs(": ", stderr);
        put_clean(mt_engine_errmsg(e));
        fputc('\n', stderr);
        return -1;
    }
    return 0;
}

/* The engine of a run that ended normally, left for the process's exit
 * to release: freeing the loaded knowledge block by block (tens of
 * thousands of JSON values, strings and regexes) was an eighth of the
 * instructions of a 20-line paste, for memory the exit returns anyway.
 * Held here, it stays reachable, so a leak checker (LeakSanitizer in the
 * sanitizer build) reports nothing; the library's mt_engine_free() is
 * what the unit tests and embedders use. */
static struct mt_engine *engine_at_exit;

static void leave_to_exit(struct mt_engine *e)
{
    mt_engine_free(engine_at_exit); /* none: one run per process */
    engine_at_exit = e;
}

static int run(struct mt_opts *opts)
{
    struct mt_opts o = *opts;
    struct mt_engine *e;
    char patterns[4096], kb[4096];
    int rc, i, linting, kb_cmd, explain;

    if (o.help) {
        mt_opts_usage();
        return MT_EXIT_OK;
    }
    e = mt_engine_new();
    if (e == NULL) {
        return out_of_memory();
    }
    kb_cmd = o.nargs > 0 && strcmp(o.args[0], "kb") == 0;
    explain = o.nargs > 0 && strcmp(o.args[0], "explain") == 0;
    linting = kb_cmd && o.nargs > 1 && strcmp(o.args[1], "lint") == 0;
    /* lint prints load problems itself, with the rest of its report. */
    mt_engine_set_message_cb(e, linting ? NULL : on_message, NULL);
    for (i = 0; i < o.nlimits; i++) {
        mt_engine_set_limit(e, o.limits[i].which, o.limits[i].value);
    }
    mt_engine_set_jobs(e, o.jobs);
    if (!kb_cmd && !explain && o.nargs > 0 && mistyped_command(o.args[0])) {
        mt_engine_free(e);
        return MT_EXIT_USAGE;
    }
    mt_find_data(&o, patterns, kb, sizeof(patterns));
    if (add_extra_knowledge(e, &o) != 0) {
        rc = mt_engine_out_of_memory(e) ? out_of_memory() : MT_EXIT_USAGE;
        mt_engine_free(e);
        return rc;
    }
    mt_load_arena_begin();
    rc = mt_engine_load(e, patterns, kb);
    mt_load_arena_end();
    if (rc == MT_ENOMEM || mt_engine_out_of_memory(e)) {
        mt_engine_free(e);
        return out_of_memory();
    }
    if (rc == MT_EINPUT) {
        fputs("migtriage: error: cannot load the knowledge base: ", stderr);
        put_clean(mt_engine_errmsg(e));
        fputc('\n', stderr);
        mt_engine_free(e);
        return MT_EXIT_USAGE;
    }
    mt_engine_set_message_cb(e, on_message, NULL);
    if (o.version) {
        rc = print_version(e, &o);
        leave_to_exit(e);
        return rc;
    }
    rc = kb_cmd ? run_kb(e, &o) : explain ? run_explain(e, &o) : run_scan(e, &o);
    if (rc == MT_EXIT_NOMEM || mt_engine_out_of_memory(e)) {
        /* Whatever was printed may lack something: say so, whatever the
         * command thought of its own outcome. */
        mt_engine_free(e);
        return out_of_memory();
    }
    leave_to_exit(e);
    return rc;
}

/* The first error writing standard output. The engine flushes its output
 * itself and stdio forgets the cause, so standard output goes through
 * write_stdout(), which keeps it for finish_stdout(). */
static int stdout_errno;

static ssize_t write_stdout(void *cookie, const char *buf, size_t n)
{
    size_t done = 0;
    ssize_t w;

    (void)cookie;
    while (done < n) {
        w = write(STDOUT_FILENO, buf + done, n - done);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0) {
            if (stdout_errno == 0) {
                stdout_errno = errno;
            }
            return done > 0 ? (ssize_t)done : -1;
        }
        done += (size_t)w;
    }
    return (ssize_t)n;
}

static void watch_stdout(void)
{
    static const cookie_io_functions_t fns = {NULL, write_stdout, NULL,
                                              NULL};
    FILE *f = fopencookie(NULL, "w", fns);

    if (f == NULL) {
        return; /* plain stdout: errors still found, cause maybe not */
    }
    /* A terminal sees each line as it is written, as before. */
    setvbuf(f, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ);
    stdout = f;
}

/* Output that did not reach its destination (a full disk, a closed
 * descriptor, a reader gone with SIGPIPE ignored) is a failure whatever the
 * command found: stdio keeps the failed bytes and the error flag, so the
 * last flush fails again and errno names the cause. Returns 0, or the
 * exit code after reporting it. */
static int finish_stdout(void)
{
    int err = 0;

    errno = 0;
    if (fflush(stdout) != 0) {
        err = errno;
    }
    if (ferror(stdout) && err == 0) {
        err = errno ? errno : EIO;
    }
    errno = 0;
    if (fclose(stdout) != 0 && err == 0) {
        err = errno ? errno : EIO;
    }
    if (stdout_errno != 0) {
        err = stdout_errno;
    }
    if (err == 0) {
        return 0;
    }
    fprintf(stderr, "migtriage: write error: %s\n", strerror(err));
    return MT_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    struct mt_opts o;
    int rc;

    watch_stdout();
    setvbuf(stderr, NULL, _IOLBF, BUFSIZ);
    if (mt_opts_parse(&o, argc, argv) != 0) {
        mt_opts_free(&o);
        finish_stdout();
        return MT_EXIT_USAGE;
    }
    rc = run(&o);
    mt_opts_free(&o);
    if (finish_stdout() != 0) {
        rc = MT_EXIT_USAGE;
    }
    return rc;
}
