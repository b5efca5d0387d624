/* unit_files.c: temporary folders of the unit tests (unit.h). */
#include "unit.h"

#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

void unit_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char path[512];

    while (d != NULL && (de = readdir(d)) != NULL) {
        if (de->d_name[0] != '.') {
            snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
            if (unlink(path) != 0) {
                rmdir(path); /* an empty folder a test made */
            }
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    rmdir(dir);
}
