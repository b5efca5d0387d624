/* datadir.c: where the command finds its knowledge. An installed tree
 * keeps the binary in <prefix>/bin and the knowledge in
 * <prefix>/share/migtriage; looking beside the executable first lets the
 * whole tree be moved (an unpacked .deb, a copied folder) and still work,
 * and keeps an installed binary from picking up a source tree that happens
 * to be on the machine. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datadir.h"

#ifndef MT_SOURCE_DATA_DIR
#define MT_SOURCE_DATA_DIR "."
#endif
#ifndef MT_INSTALL_DATA_DIR
#define MT_INSTALL_DATA_DIR "/usr/local/share/migtriage"
#endif

static int has_patterns(const char *root)
{
    char p[PATH_MAX];
    struct stat st;

    if (snprintf(p, sizeof(p), "%s/patterns", root) >= (int)sizeof(p)) {
        return 0;
    }
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* <dir of the executable>/../share/migtriage, or "" when the executable's
 * path is unknown (no /proc). */
static void beside_executable(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;

    out[0] = '\0';
    if (n <= 0) {
        return;
    }
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (slash == NULL) {
        return;
    }
    *slash = '\0';
    if (snprintf(out, cap, "%s/../share/migtriage", exe) >= (int)cap) {
        out[0] = '\0';
    }
}

void mt_find_data(const struct mt_opts *o, char *patterns, char *kb,
                  size_t cap)
{
    char exe_root[PATH_MAX];
    const char *roots[4];
    const char *env = getenv("MT_DATA_DIR");
    const char *chosen = NULL;
    int i, n = 0;

    beside_executable(exe_root, sizeof(exe_root));
    if (env != NULL && *env) {
        roots[n++] = env;
    }
    if (exe_root[0]) {
        roots[n++] = exe_root;
    }
    roots[n++] = MT_SOURCE_DATA_DIR;
    roots[n++] = MT_INSTALL_DATA_DIR;
    /* With nothing found, name the first candidate, so that the error
     * about a missing knowledge base says where it looked. */
    chosen = roots[0];
    for (i = 0; i < n; i++) {
        if (has_patterns(roots[i])) {
            chosen = roots[i];
            break;
        }
    }
    /* ".../bin/../share/migtriage" reads better resolved. */
    if (realpath(chosen, exe_root) != NULL) {
        chosen = exe_root;
    }
    snprintf(patterns, cap, "%s/patterns", chosen);
    snprintf(kb, cap, "%s/kb", chosen);
    if (o->patterns_dir != NULL) {
        snprintf(patterns, cap, "%s", o->patterns_dir);
    }
    if (o->kb_dir != NULL) {
        snprintf(kb, cap, "%s", o->kb_dir);
    }
}

int mt_find_user_knowledge(char *dir, size_t cap)
{
    const char *env = getenv("MT_USER_DIR");
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    struct stat st;
    int n;

    if (env != NULL) {
        n = snprintf(dir, cap, "%s", env); /* set but empty: none */
    } else if (xdg != NULL && *xdg) {
        n = snprintf(dir, cap, "%s/migtriage", xdg);
    } else if (home != NULL && *home) {
        n = snprintf(dir, cap, "%s/.config/migtriage", home);
    } else {
        return 0;
    }
    return n > 0 && (size_t)n < cap && stat(dir, &st) == 0 &&
           S_ISDIR(st.st_mode);
}
