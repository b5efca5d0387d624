#!/bin/sh
# check_install.sh BUILD_DIR SOURCE_DIR: installs the build into a temporary
# prefix, moves the tree elsewhere, and checks that what a user and an
# embedder get works from there:
#   - the files are where the README says (binary, knowledge, header,
#     library, pkg-config, CMake package, man page, completions);
#   - the moved binary finds its knowledge beside itself, not in the source
#     tree it was built from (an article added only to the moved tree is
#     found);
#   - a small C program builds with pkg-config and, through the
#     public header, finds a known error in a buffer;
#   - the same program builds through find_package(migtriage);
#   - cpack makes a .deb holding the same tree under /usr (when cpack and
#     dpkg-deb are there).
set -eu
build=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "check_install: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/first" >/dev/null
mv "$work/first" "$work/moved"
p=$work/moved
for f in bin/migtriage include/migtriage.h lib/libmigtriage.a \
         lib/pkgconfig/migtriage.pc lib/cmake/migtriage/migtriageConfig.cmake \
         lib/cmake/migtriage/migtriageTargets.cmake \
         share/migtriage/patterns/mrs.json share/migtriage/kb/mrs.json \
         share/migtriage/kb/codes/mapi.json \
         share/migtriage/migtriage-output.schema.json \
         share/man/man1/migtriage.1 \
         share/bash-completion/completions/migtriage \
         share/zsh/site-functions/_migtriage; do
    [ -e "$p/$f" ] || fail "not installed: $f"
done

# The moved binary reads the moved knowledge: add an article there only.
cat > "$p/share/migtriage/kb/zz-local.json" <<'JSON'
{ "schema": 1, "articles": [ { "id": "zz-only-in-moved-tree",
  "title": "Only in the moved tree", "summary": "s", "cause": "c",
  "resolution": ["r"], "commands": [], "refs": ["check_install.sh"],
  "codes": [], "tags": [], "lookup_only": true } ] }
JSON
env -u MT_DATA_DIR "$p/bin/migtriage" kb show zz-only-in-moved-tree \
    >/dev/null 2>"$work/err" ||
    fail "moved binary does not read share/migtriage beside it: $(cat "$work/err")"
rm "$p/share/migtriage/kb/zz-local.json"
env -u MT_DATA_DIR "$p/bin/migtriage" --version | grep -q "^knowledge base $(cat "$src/kb/VERSION"):" ||
    fail "moved binary does not name the knowledge base version"

cat > "$work/demo.c" <<'C'
#include <stdio.h>
#include <string.h>
#include "migtriage.h"
/* Loads the installed knowledge, scans one pasted error, prints JSON. */
int main(int argc, char **argv)
{
    static const char paste[] =
        "1/19/2015 2:07:44 PM [BY2PR02MB315] A large item was encountered: "
        "Item (IPM.Note) Subject:\"77 mb\", Size: 77.51 MB (81,278,846 "
        "bytes), Folder:\"Inbox\"\r\n";
    char pat[4096], kb[4096];
    struct mt_engine *e = mt_engine_new();
    int rc;
    if (e == NULL || argc != 2) return 2;
    snprintf(pat, sizeof(pat), "%s/patterns", argv[1]);
    snprintf(kb, sizeof(kb), "%s/kb", argv[1]);
    if (mt_engine_load(e, pat, kb) != MT_OK) return 2;
    rc = mt_engine_scan_memory(e, "paste", paste, strlen(paste));
    if (rc != MT_OK) return 3;
    mt_engine_write_report(e, stdout, MT_FORMAT_JSON, 0);
    rc = mt_engine_worst_severity(e) >= 0 ? 0 : 1;
    mt_engine_free(e);
    return rc;
}
C
if command -v pkg-config >/dev/null; then
    flags=$(PKG_CONFIG_PATH="$p/lib/pkgconfig" pkg-config --cflags --libs \
            migtriage) || fail "pkg-config cannot read migtriage.pc"
    # shellcheck disable=SC2086
    cc -o "$work/demo" "$work/demo.c" $flags ||
        fail "demo does not build with: $flags"
    "$work/demo" "$p/share/migtriage" > "$work/out.json" ||
        fail "demo (pkg-config) found nothing"
    grep -q '"article"' "$work/out.json" || fail "demo report has no finding"
fi

mkdir "$work/cm"
cp "$work/demo.c" "$work/cm/demo.c"
cat > "$work/cm/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.16)
project(demo C)
find_package(migtriage REQUIRED)
add_executable(demo demo.c)
target_link_libraries(demo PRIVATE migtriage::engine)
file(WRITE ${CMAKE_BINARY_DIR}/datadir.txt "${migtriage_DATA_DIR}")
CM
cmake -S "$work/cm" -B "$work/cm/build" -DCMAKE_PREFIX_PATH="$p" >/dev/null ||
    fail "find_package(migtriage) fails"
cmake --build "$work/cm/build" >/dev/null || fail "demo does not build through the CMake package"
"$work/cm/build/demo" "$(cat "$work/cm/build/datadir.txt")" >/dev/null ||
    fail "demo (CMake package) found nothing"

if command -v cpack >/dev/null && command -v dpkg-deb >/dev/null; then
    (cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" \
        -B "$work/deb" >/dev/null) || fail "cpack -G DEB failed"
    deb=$(ls "$work"/deb/*.deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] || fail "cpack made no .deb"
    dpkg-deb -c "$deb" > "$work/deb.list"
    for f in ./usr/bin/migtriage ./usr/share/migtriage/kb/mrs.json \
             ./usr/share/man/man1/migtriage.1; do
        grep -q " $f\$" "$work/deb.list" || fail ".deb lacks $f"
    done
fi
echo "check_install: ok"
