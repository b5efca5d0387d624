/* datadir.h: where the command finds its knowledge (patterns/ and kb/). */
#ifndef MT_CLI_DATADIR_H
#define MT_CLI_DATADIR_H

#include <stddef.h>

#include "opts.h"

/* Fills patterns and kb (each of cap bytes) with the directories to load:
 * --patterns and --kb when given, else the first root holding a patterns/
 * folder of: $MT_DATA_DIR, ../share/migtriage beside the executable (an
 * installed tree, wherever it was moved), the source tree the binary was
 * built from, the install prefix it was configured with. */
void mt_find_data(const struct mt_opts *o, char *patterns, char *kb,
                  size_t cap);

/* The user's own knowledge folder, loaded on top of the shipped one when
 * no --extra-kb is given: $MT_USER_DIR (empty: none), else
 * $XDG_CONFIG_HOME/migtriage, else ~/.config/migtriage. Returns 1 and
 * fills dir when that folder exists. */
int mt_find_user_knowledge(char *dir, size_t cap);

#endif
