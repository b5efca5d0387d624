/* opts.h: the command line of migtriage: one option table that feeds both
 * getopt_long and --help, and the exit codes (DESIGN.md). */
#ifndef MT_CLI_OPTS_H
#define MT_CLI_OPTS_H

#include <stdint.h>

#include "migtriage.h"

enum mt_exit {
    MT_EXIT_OK = 0,       /* nothing at or above --fail-on */
    MT_EXIT_FINDINGS = 1, /* findings at or above --fail-on */
    MT_EXIT_USAGE = 2,    /* usage error or unreadable knowledge base */
    MT_EXIT_INPUT = 3,    /* some inputs could not be read */
    MT_EXIT_NOMEM = 4     /* out of memory: the results are incomplete */
};

struct mt_limit_setting {
    enum mt_limit which;
    uint64_t value;
};

/* --extra-kb folders; the engine takes 8, one is kept for the default. */
#define MT_CLI_MAX_EXTRA 7

struct mt_opts {
    enum mt_format format;
    int fail_on; /* enum mt_severity */
    int color;   /* -1 auto, 0 never, 1 always */
    const char *patterns_dir;
    const char *kb_dir;
    const char *extra[MT_CLI_MAX_EXTRA]; /* --extra-kb */
    int nextra;
    struct mt_limit_setting limits[MT_LIMIT_COUNT_];
    int nlimits;
    const char *family; /* kb list --family F; a report filter too */
    /* Report filters, kept in one block (--min-severity, --mailbox,
     * --article, --family). */
    const char *min_severity;
    const char **mailboxes;
    int nmailboxes;
    const char **articles;
    int narticles;
    const char **families;
    int nfamilies;
    int progress; /* -1 auto (a terminal, long run), 0 never, 1 always */
    const char *flavor; /* kb export --flavor pcre|rg|grep */
    unsigned jobs;      /* -j: inputs scanned at once, 0 = one per CPU */
    int help;
    int version;
    char **argv_copy; /* argv with negative numbers moved (owned) */
    char **args; /* what follows the options: inputs or a subcommand */
    int nargs;
};

/* Parses argv. On a usage error prints it (with "Try 'migtriage --help'")
 * and returns -1. */
int mt_opts_parse(struct mt_opts *o, int argc, char **argv);
void mt_opts_usage(void);
void mt_opts_free(struct mt_opts *o);

#endif
