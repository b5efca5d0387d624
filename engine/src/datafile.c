/* datafile.c: directory listing and strict JSON loading for data files. */
#include "datafile.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonfast.h"
#include "util.h"

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_json_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".json") == 0 && name[0] != '.';
}

int mt_datafile_list(const char *dir, char ***names)
{
    DIR *d = opendir(dir);
    struct dirent *ent;
    char **list = NULL, **grown;
    int n = 0, alloc = 0;

    *names = NULL;
    if (d == NULL) {
        return -1;
    }
    while ((ent = readdir(d)) != NULL) {
        if (!has_json_suffix(ent->d_name)) {
            continue;
        }
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 16;
            grown = mt_realloc(list, (size_t)alloc * sizeof(*list));
            if (grown == NULL) {
                break;
            }
            list = grown;
        }
        list[n] = mt_strdup(ent->d_name);
        if (list[n] != NULL) {
            n++;
        }
    }
    closedir(d);
    if (n > 1) {
        qsort(list, (size_t)n, sizeof(*list), compare_names);
    }
    *names = list;
    return n;
}

void mt_datafile_list_free(char **names, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        mt_free(names[i]);
    }
    mt_free(names);
}

/* Data files larger than this are left to json_load_file (which reads
 * them through stdio); the knowledge's files are tens of kilobytes. */
#define DATAFILE_BUFFER_MAX (16u * 1024 * 1024)

/* Parses the file from one buffer, by the fast path when it takes the
 * text (jsonfast.c), else by Jansson. Returns NULL with
 * *tried 0 when the file could not be read whole, for json_load_file to
 * open it again and say why in its own words. */
static json_t *load_buffered(const char *path, json_error_t *err, int *tried)
{
    struct stat st;
    json_t *root = NULL;
    char *bytes;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    *tried = 0;
    if (fd < 0) {
        return NULL;
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (unsigned long long)st.st_size <= DATAFILE_BUFFER_MAX &&
        (bytes = mt_malloc((size_t)st.st_size)) != NULL) {
        if (read(fd, bytes, (size_t)st.st_size) == (ssize_t)st.st_size) {
            root = mt_json_fast_object(bytes, (size_t)st.st_size);
            if (root == NULL) {
                root = json_loadb(bytes, (size_t)st.st_size,
                                  JSON_REJECT_DUPLICATES, err);
            }
            *tried = 1;
        }
        mt_free(bytes);
    }
    close(fd);
    return root;
}

json_t *mt_datafile_load(const char *path, struct mt_problems *probs)
{
    json_error_t err;
    int tried;
    json_t *root = load_buffered(path, &err, &tried);

    if (!tried) {
        root = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    }

    if (root == NULL) {
        mt_problems_add(probs, "%s:%d: %s", path, err.line, err.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        mt_problems_add(probs, "%s: top level is not an object", path);
        json_decref(root);
        return NULL;
    }
    return root;
}

int mt_datafile_members(json_t *obj, const char *const *allowed,
                        json_t **values, const char *file, const char *what,
                        struct mt_problems *probs)
{
    const char *key;
    json_t *value;
    size_t i;
    int bad = 0;

    for (i = 0; values != NULL && allowed[i] != NULL; i++) {
        values[i] = NULL;
    }
    json_object_foreach(obj, key, value) {
        int known = 0;

        for (i = 0; allowed[i] != NULL; i++) {
            /* The first byte rules out most: a call only for the rest. */
            if (*allowed[i] == *key && strcmp(allowed[i], key) == 0) {
                known = 1;
                break;
            }
        }
        if (!known) {
            mt_problems_add(probs, "%s: %s: unknown key \"%s\"", file, what,
                            key);
            bad++;
        } else if (values != NULL) {
            values[i] = value;
        }
    }
    return bad;
}

int mt_datafile_check_keys(json_t *obj, const char *const *allowed,
                           const char *file, const char *what,
                           struct mt_problems *probs)
{
    return mt_datafile_members(obj, allowed, NULL, file, what, probs);
}

const char *mt_json_strv(json_t *v)
{
    return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *mt_json_str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}
