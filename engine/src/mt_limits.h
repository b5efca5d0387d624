/* mt_limits.h: every bound the engine enforces, with the reason for its
 * default. Each can be overridden at build time (-DMT_MAX_...=N) and at run
 * time through mt_engine_set_limit() / the CLI's --limit option. */
#ifndef MT_LIMITS_H
#define MT_LIMITS_H

/* Longest line kept whole. Real move reports and HCW lines stay below a few
 * KiB; a JSON body or base64 blob can reach hundreds of KiB. Past this the
 * line is cut (and flagged) so one 500 MB line cannot take 500 MB. */
#ifndef MT_MAX_LINE
#define MT_MAX_LINE (1024 * 1024)
#endif

/* Longest re-joined record (Format-List value with its continuation lines,
 * an entry with its stack trace). Past this the record is closed early. */
#ifndef MT_MAX_RECORD
#define MT_MAX_RECORD (256 * 1024)
#endif

/* Nesting of decoders: zip -> tar.gz -> gzip -> tar -> log is 4. Eight is
 * more than any real evidence bundle and stops recursive "quines". */
#ifndef MT_MAX_DEPTH
#define MT_MAX_DEPTH 8
#endif

/* Decoded bytes per top-level input: a 1 GiB log compresses to ~50 MiB, so
 * 64 GiB leaves room for real bulk data and stops zip bombs at some point. */
#ifndef MT_MAX_EXPANDED
#define MT_MAX_EXPANDED (64ULL * 1024 * 1024 * 1024)
#endif

/* Decoded / compressed ratio, checked once 16 MiB have been produced. Text
 * logs compress 5-30x; deflate tops out near 1032x, which only bombs reach. */
#ifndef MT_MAX_RATIO
#define MT_MAX_RATIO 250
#endif
#define MT_RATIO_GRACE_BYTES (16ULL * 1024 * 1024)

/* Zip, 7z and rar archives up to this size are read into memory, where
 * libarchive can seek to the central directory (members after a corrupt
 * one, members with data descriptors); bigger ones are streamed. 16 MiB
 * holds most evidence bundles and keeps peak memory near 64 MiB. */
#ifndef MT_MAX_SEEKABLE_ARCHIVE
#define MT_MAX_SEEKABLE_ARCHIVE (16ULL * 1024 * 1024)
#endif

/* PCRE2 budgets per match attempt: enough for every shipped signature on a
 * full-size record, small enough that a pathological pattern cannot hang. */
#ifndef MT_MATCH_LIMIT
#define MT_MATCH_LIMIT 1000000
#endif
#ifndef MT_DEPTH_LIMIT
#define MT_DEPTH_LIMIT 10000
#endif

/* Files visited under one directory argument. */
#ifndef MT_MAX_FILES
#define MT_MAX_FILES 1000000
#endif

/* Distinct finding groups kept (signature, mailbox, fields). Further ones
 * are still counted in the summary. */
#ifndef MT_MAX_GROUPS
#define MT_MAX_GROUPS 100000
#endif

/* Largest top-level JSON value (an element of the document's array, or a
 * document that is one object) held for Jansson. The reader parses one
 * such value at a time, so memory follows the largest object, not the
 * file; Jansson's tree takes about 4x the text of a ConvertTo-Json object
 * and up to some 40x for long arrays of small numbers, so 16 MiB keeps one
 * parse within a few hundred MiB. A move-statistics object with its report
 * entries (-Depth 10) is well under 1 MiB. Past this the rest of the input
 * is read as plain text. */
#ifndef MT_MAX_JSON_VALUE
#define MT_MAX_JSON_VALUE (16ULL * 1024 * 1024)
#endif

/* Mailboxes tracked for the rollup (about 100 bytes each). */
#ifndef MT_MAX_MAILBOXES
#define MT_MAX_MAILBOXES 500000
#endif

/* Examples kept per finding group and unknown clusters kept. */
#define MT_MAX_EXAMPLES 3
#define MT_MAX_UNKNOWN_CLUSTERS 2000

/* Extra knowledge folders on top of the shipped one: a person's and a
 * team's are the cases; more is a mistake in a script. */
#define MT_MAX_EXTRA_KNOWLEDGE 8

/* Read size for sources and decoders. */
#define MT_BLOCK (256 * 1024)

/* Bytes a decoder may peek at to bid. */
#define MT_PEEK 4096

#endif
