/* suggest.c: the nearest of a few known words to a mistyped one, for the
 * "did you mean" of commands (a mistyped subcommand must not be taken for
 * a missing file). The distance is the one kb show uses for article ids:
 * edits and swaps of neighbouring letters. */
#include <string.h>

#include "lookup.h"
#include "migtriage.h"

int mt_suggest_word(const char *typed, const char *const *words, int limit)
{
    int best = -1, best_d = limit + 1, i;

    if (typed == NULL || words == NULL) {
        return -1;
    }
    for (i = 0; words[i] != NULL; i++) {
        int d = mt_lookup_distance(typed, words[i], limit);
        if (d >= 0 && d <= limit && d < best_d) {
            best = i;
            best_d = d;
        }
    }
    return best;
}
