/* datafile.h: shared helpers for the JSON data files (patterns/, kb/):
 * listing a directory's *.json in name order, loading with clear errors,
 * and rejecting unknown keys. */
#ifndef MT_DATAFILE_H
#define MT_DATAFILE_H

#include <jansson.h>
#include <stddef.h>

#include "problems.h"

/* Lists dir's *.json file names (not paths), sorted. Returns the count, or
 * -1 when dir cannot be opened. Free with mt_datafile_list_free(). */
int mt_datafile_list(const char *dir, char ***names);
void mt_datafile_list_free(char **names, int n);

/* Loads a JSON object, rejecting duplicate keys. On error adds
 * "path:line: reason" to probs and returns NULL. */
json_t *mt_datafile_load(const char *path, struct mt_problems *probs);

/* Adds a problem for every key of obj not in allowed (NULL-terminated).
 * Returns the number of unknown keys. */
int mt_datafile_check_keys(json_t *obj, const char *const *allowed,
                           const char *file, const char *what,
                           struct mt_problems *probs);

/* mt_datafile_check_keys and, in the same walk over obj's members, sets
 * values[i] to the member named allowed[i] (NULL when absent): one pass
 * instead of a hash lookup per key read. values has one slot per name of
 * allowed. Returns the number of unknown keys. */
int mt_datafile_members(json_t *obj, const char *const *allowed,
                        json_t **values, const char *file, const char *what,
                        struct mt_problems *probs);

/* The string value of v, or NULL when v is absent or not a string. */
const char *mt_json_strv(json_t *v);

/* Returns the string member key of obj, or NULL when absent or not a
 * string. */
const char *mt_json_str(json_t *obj, const char *key);

#endif
