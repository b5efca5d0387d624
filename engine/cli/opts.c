/* opts.c: parses the command line from one option table, which also
 * prints --help, so the two cannot drift apart. */
#include "opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct option_spec {
    const char *name;
    int letter; /* short option, or a value > 255 for long-only */
    int has_arg;
    const char *arg;
    const char *help;
};

enum {
    OPT_FAIL_ON = 256,
    OPT_PATTERNS,
    OPT_KB,
    OPT_LIMIT,
    OPT_COLOR,
    OPT_FAMILY,
    OPT_FLAVOR,
    OPT_EXTRA_KB,
    /* report filters and progress */
    OPT_MIN_SEVERITY,
    OPT_MAILBOX,
    OPT_ARTICLE,
    OPT_PROGRESS
};

/* More threads than this is a typo, not a machine. */
#define MAX_JOBS 256

static const struct option_spec specs[] = {
    {"format", 'f', 1, "FMT",
     "text (default), json, ndjson, html, csv or markdown"},
    {"fail-on", OPT_FAIL_ON, 1, "SEV",
     "exit 1 when a finding is at or above SEV: info, warning, error "
     "(default) or critical"},
    {"patterns", OPT_PATTERNS, 1, "DIR", "signatures directory"},
    {"kb", OPT_KB, 1, "DIR", "articles directory"},
    {"extra-kb", OPT_EXTRA_KB, 1, "DIR",
     "also load DIR/patterns and DIR/kb, on top of the shipped knowledge "
     "(repeatable; default: $MT_USER_DIR, else ~/.config/migtriage)"},
    {"limit", OPT_LIMIT, 1, "NAME=N",
     "change a limit: line-bytes, record-bytes, depth, expanded-bytes, "
     "expansion-ratio, match-budget, depth-budget, files, finding-groups, "
     "json-value-bytes"},
    {"color", OPT_COLOR, 1, "WHEN",
     "auto (default: on a terminal unless NO_COLOR is set), always, never"},
    {"family", OPT_FAMILY, 1, "F",
     "only the articles of family F (kb list; a report: repeatable)"},
    {"min-severity", OPT_MIN_SEVERITY, 1, "SEV",
     "report only findings at or above SEV"},
    {"mailbox", OPT_MAILBOX, 1, "NAME",
     "report only this mailbox (any of its names, any case); repeatable"},
    {"article", OPT_ARTICLE, 1, "ID",
     "report only this article (glob: 'mrs-*'); repeatable"},
    {"progress", OPT_PROGRESS, 1, "WHEN",
     "progress on stderr: auto (default: a terminal, runs over 1 s), "
     "always, never"},
    {"flavor", OPT_FLAVOR, 1, "F",
     "kb export: regex syntax, rg (default), ugrep, grep or pcre"},
    {"jobs", 'j', 1, "N",
     "scan N files of a folder at once, and a long file on two threads "
     "when N > 1 (default 0: one per CPU this process may use; 1: one "
     "thread); same output; NDJSON then holds each file's findings until "
     "the files before it are done"},
    {"help", 'h', 0, NULL, "show this help"},
    {"version", 'V', 0, NULL, "show the version"},
};
#define NSPECS (sizeof(specs) / sizeof(specs[0]))

static const char *const limit_names[MT_LIMIT_COUNT_] = {
    "line-bytes",   "record-bytes", "depth", "expanded-bytes",
    "expansion-ratio", "match-budget", "depth-budget", "files",
    "finding-groups", "json-value-bytes"};

__attribute__((format(printf, 1, 2))) static void
usage_error(const char *fmt, ...)
{
    char text[512];
    va_list ap;

    /* The words quoted back come from the command line: a file name
     * mistaken for an option may hold escape sequences. */
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    fputs("migtriage: ", stderr);
    mt_put_clean(stderr, text, (size_t)-1);
    fputs("\nTry 'migtriage --help'\n", stderr);
}

/* The option getopt refused, as the user typed it. getopt_long leaves
 * optopt 0 for an unknown long option, and moves past a word that lacks
 * its value, so in those cases argv[optind - 1] is the option's word.
 * A short option is named by its letter: inside a group ("-q\x01")
 * getopt has not moved past the word yet, so argv[optind - 1] would be
 * the word before it. */
static const char *bad_option_name(int c, const char *word, char buf[3])
{
    if (optopt == 0 || (c == ':' && strncmp(word, "--", 2) == 0)) {
        return word;
    }
    buf[0] = '-';
    buf[1] = (char)optopt;
    buf[2] = '\0';
    return buf;
}

void mt_opts_usage(void)
{
    size_t i;

    printf("Usage: migtriage [OPTIONS] [INPUT...]\n"
           "       migtriage explain TEXT-OR-CODE...   (or - to read a paste)\n"
           "       migtriage kb search WORDS...\n"
           "       migtriage kb show ID\n"
           "       migtriage kb list [--family F]\n"
           "       migtriage kb lint\n"
           "       migtriage kb export [--flavor rg|ugrep|grep|pcre]\n"
           "\n"
           "Finds known Exchange and Microsoft 365 migration problems in move\n"
           "reports, Format-List output, migration CSVs, HCW logs, AAD Connect\n"
           "events or pasted errors, and says what they mean and how to fix\n"
           "them. INPUT is a file, a directory (read recursively) or - for\n"
           "standard input (also read when no INPUT is given and standard\n"
           "input is not a terminal). Compressed files and archives (gzip, zip,\n"
           "tar, tar.gz, 7z, ...) are read inside, also nested.\n"
           "\n"
           "Options:\n");
    for (i = 0; i < NSPECS; i++) {
        char left[40];
        if (specs[i].letter < 256) {
            snprintf(left, sizeof(left), "-%c, --%s%s%s", specs[i].letter,
                     specs[i].name, specs[i].arg ? " " : "",
                     specs[i].arg ? specs[i].arg : "");
        } else {
            snprintf(left, sizeof(left), "    --%s%s%s", specs[i].name,
                     specs[i].arg ? " " : "", specs[i].arg ? specs[i].arg : "");
        }
        printf("  %-24s %s\n", left, specs[i].help);
    }
    printf("\n"
           "Knowledge: --patterns and --kb, else $MT_DATA_DIR/{patterns,kb},\n"
           "else the directories the program was built or installed with.\n"
           "\n"
           "Exit codes:\n"
           "  0  no finding at or above --fail-on\n"
           "  1  findings at or above --fail-on\n"
           "  2  usage error, the knowledge base cannot be read, or the\n"
           "     output cannot be written\n"
           "  3  some inputs could not be read (the others were analysed)\n"
           "  4  out of memory (what was printed may be incomplete)\n");
}

/* What each limit accepts (indexed by enum mt_limit). A 0 that means "no
 * limit" is allowed where the engine reads it so; elsewhere 0 would stop
 * everything (a PCRE2 budget of 0 fails every match). The PCRE2 budgets
 * are 32-bit, so a larger number would silently wrap. */
struct limit_range {
    uint64_t min;
    uint64_t max;
    int zero_is_none;
};

static const struct limit_range limit_ranges[MT_LIMIT_COUNT_] = {
    {64, 1ULL << 30, 0},          /* line-bytes */
    {64, 1ULL << 30, 0},          /* record-bytes */
    {0, 64, 0},                   /* depth: 0 reads plain text only */
    {1, UINT64_MAX, 1},           /* expanded-bytes */
    {1, UINT64_MAX, 1},           /* expansion-ratio */
    {1, UINT32_MAX, 0},           /* match-budget */
    {1, UINT32_MAX, 0},           /* depth-budget */
    {1, UINT64_MAX, 1},           /* files */
    {1, UINT64_MAX, 1},           /* finding-groups */
};

static int parse_limit(struct mt_opts *o, const char *arg)
{
    const char *eq = strchr(arg, '=');
    const struct limit_range *range;
    char *end;
    unsigned long long v;
    int i;

    if (eq == NULL) {
        usage_error("--limit needs NAME=N, got '%s'", arg);
        return -1;
    }
    for (i = 0; i < MT_LIMIT_COUNT_; i++) {
        if (strlen(limit_names[i]) == (size_t)(eq - arg) &&
            strncmp(limit_names[i], arg, (size_t)(eq - arg)) == 0) {
            break;
        }
    }
    if (i == MT_LIMIT_COUNT_) {
        usage_error("unknown limit in '%s'", arg);
        return -1;
    }
    range = &limit_ranges[i];
    errno = 0;
    v = strtoull(eq + 1, &end, 10);
    if (eq[1] < '0' || eq[1] > '9' || *end != '\0' || errno == ERANGE ||
        (v < range->min && !(v == 0 && range->zero_is_none)) ||
        v > range->max) {
        if (range->zero_is_none) {
            usage_error("--limit %s takes 0 (no limit) or a number from "
                        "%llu to %llu, not '%s'",
                        limit_names[i], (unsigned long long)range->min,
                        (unsigned long long)range->max, eq + 1);
        } else {
            usage_error("--limit %s takes a number from %llu to %llu, not "
                        "'%s'",
                        limit_names[i], (unsigned long long)range->min,
                        (unsigned long long)range->max, eq + 1);
        }
        return -1;
    }
    o->limits[o->nlimits].which = (enum mt_limit)i;
    o->limits[o->nlimits].value = v;
    if (o->nlimits < MT_LIMIT_COUNT_ - 1) {
        o->nlimits++;
    }
    return 0;
}

static int is_negative_number(const char *s)
{
    if (s[0] != '-' || s[1] < '0' || s[1] > '9') {
        return 0;
    }
    for (s++; *s; s++) {
        if (*s < '0' || *s > '9') {
            return 0;
        }
    }
    return 1;
}

/* "explain -2147221233" is a code, not an option: a copy of argv carries
 * such words after a "--", so getopt leaves them alone. */
static char **move_negative_numbers(int argc, char **argv, int *new_argc)
{
    char **copy;
    int i, k = 0, found = 0, dashdash = 0;

    for (i = 1; i < argc; i++) {
        dashdash |= strcmp(argv[i], "--") == 0;
        found |= !dashdash && is_negative_number(argv[i]);
    }
    if (!found) {
        return NULL;
    }
    copy = calloc((size_t)argc + 2, sizeof(*copy));
    if (copy == NULL) {
        return NULL;
    }
    copy[k++] = argv[0];
    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (!is_negative_number(argv[i])) {
            copy[k++] = argv[i];
        }
    }
    copy[k++] = "--";
    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (is_negative_number(argv[i])) {
            copy[k++] = argv[i];
        }
    }
    for (i++; i < argc; i++) {
        copy[k++] = argv[i];
    }
    *new_argc = k;
    return copy;
}

void mt_opts_free(struct mt_opts *o)
{
    free(o->argv_copy);
    free(o->mailboxes);
    free(o->articles);
    free(o->families);
    o->argv_copy = NULL;
    o->mailboxes = o->articles = o->families = NULL;
}

/* Appends a repeatable option's value; -1 when out of memory. */
static int add_value(const char ***list, int *n, const char *value)
{
    const char **grown = realloc(*list, (size_t)(*n + 1) * sizeof(*grown));

    if (grown == NULL) {
        usage_error("out of memory");
        return -1;
    }
    grown[(*n)++] = value;
    *list = grown;
    return 0;
}

int mt_opts_parse(struct mt_opts *o, int argc, char **argv)
{
    struct option longopts[NSPECS + 1];
    char shortopts[3 * NSPECS + 2];
    size_t i, k = 0;
    int c;
    char short_name[3];

    memset(o, 0, sizeof(*o));
    o->argv_copy = move_negative_numbers(argc, argv, &argc);
    if (o->argv_copy != NULL) {
        argv = o->argv_copy;
    }
    o->format = MT_FORMAT_TEXT;
    o->fail_on = MT_SEV_ERROR;
    o->color = -1;
    o->progress = -1;
    o->jobs = 0; /* as many as there are CPUs: the output is the same */
    /* A leading ':' makes getopt tell a missing value (':') from an
     * unknown option ('?'). */
    shortopts[k++] = ':';
    for (i = 0; i < NSPECS; i++) {
        longopts[i].name = specs[i].name;
        longopts[i].has_arg = specs[i].has_arg ? required_argument
                                               : no_argument;
        longopts[i].flag = NULL;
        longopts[i].val = specs[i].letter;
        if (specs[i].letter < 256) {
            shortopts[k++] = (char)specs[i].letter;
            if (specs[i].has_arg) {
                shortopts[k++] = ':';
            }
        }
    }
    memset(&longopts[NSPECS], 0, sizeof(longopts[NSPECS]));
    shortopts[k] = '\0';
    opterr = 0;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "text") == 0) {
                o->format = MT_FORMAT_TEXT;
            } else if (strcmp(optarg, "json") == 0) {
                o->format = MT_FORMAT_JSON;
            } else if (strcmp(optarg, "ndjson") == 0) {
                o->format = MT_FORMAT_NDJSON;
            } else if (strcmp(optarg, "html") == 0) {
                o->format = MT_FORMAT_HTML;
            } else if (strcmp(optarg, "csv") == 0) {
                o->format = MT_FORMAT_CSV;
            } else if (strcmp(optarg, "markdown") == 0 ||
                       strcmp(optarg, "md") == 0) {
                o->format = MT_FORMAT_MARKDOWN;
            } else {
                usage_error("unknown format '%s' (text, json, ndjson, html, "
                            "csv, markdown)",
                            optarg);
                return -1;
            }
            break;
        case OPT_FAIL_ON:
            o->fail_on = mt_severity_parse(optarg);
            if (o->fail_on < 0) {
                usage_error("unknown severity '%s' (info, warning, error, "
                            "critical)",
                            optarg);
                return -1;
            }
            break;
        case OPT_PATTERNS:
            o->patterns_dir = optarg;
            break;
        case OPT_KB:
            o->kb_dir = optarg;
            break;
        case OPT_EXTRA_KB:
            if (o->nextra == MT_CLI_MAX_EXTRA) {
                usage_error("--extra-kb given more than %d times",
                            MT_CLI_MAX_EXTRA);
                return -1;
            }
            o->extra[o->nextra++] = optarg;
            break;
        case OPT_LIMIT:
            if (parse_limit(o, optarg) != 0) {
                return -1;
            }
            break;
        case OPT_FAMILY:
            o->family = optarg;
            if (add_value(&o->families, &o->nfamilies, optarg) != 0) {
                return -1;
            }
            break;
        case OPT_MIN_SEVERITY:
            if (mt_severity_parse(optarg) < 0) {
                usage_error("unknown severity '%s' (info, warning, error, "
                            "critical)",
                            optarg);
                return -1;
            }
            o->min_severity = optarg;
            break;
        case OPT_MAILBOX:
            if (add_value(&o->mailboxes, &o->nmailboxes, optarg) != 0) {
                return -1;
            }
            break;
        case OPT_ARTICLE:
            if (add_value(&o->articles, &o->narticles, optarg) != 0) {
                return -1;
            }
            break;
        case OPT_PROGRESS:
            if (strcmp(optarg, "auto") == 0) {
                o->progress = -1;
            } else if (strcmp(optarg, "always") == 0) {
                o->progress = 1;
            } else if (strcmp(optarg, "never") == 0) {
                o->progress = 0;
            } else {
                usage_error("--progress takes auto, always or never, not '%s'",
                            optarg);
                return -1;
            }
            break;
        case OPT_FLAVOR:
            o->flavor = optarg;
            break;
        case 'j': {
            char *end;
            unsigned long n = strtoul(optarg, &end, 10);
            if (optarg[0] < '0' || optarg[0] > '9' || *end != '\0' ||
                n > MAX_JOBS) {
                usage_error("--jobs takes a number from 0 to %d, not '%s'",
                            MAX_JOBS, optarg);
                return -1;
            }
            o->jobs = (unsigned)n;
            break;
        }
        case OPT_COLOR:
            if (strcmp(optarg, "auto") == 0) {
                o->color = -1;
            } else if (strcmp(optarg, "always") == 0) {
                o->color = 1;
            } else if (strcmp(optarg, "never") == 0) {
                o->color = 0;
            } else {
                usage_error("--color takes auto, always or never, not '%s'",
                            optarg);
                return -1;
            }
            break;
        case 'h':
            o->help = 1;
            break;
        case 'V':
            o->version = 1;
            break;
        case ':':
            usage_error("option '%s' needs a value",
                        bad_option_name(c, argv[optind - 1], short_name));
            return -1;
        default:
            usage_error("unknown option '%s'",
                        bad_option_name(c, argv[optind - 1], short_name));
            return -1;
        }
    }
    o->args = argv + optind;
    o->nargs = argc - optind;
    return 0;
}
