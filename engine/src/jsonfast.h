/* jsonfast.h: parses a JSON data file's text, when it has the common
 * valid shape, faster than Jansson, into the same Jansson values. */
#ifndef MT_JSONFAST_H
#define MT_JSONFAST_H

#include <jansson.h>
#include <stddef.h>

/* The object text holds (len bytes, no NUL needed), or NULL when the text
 * is anything the fast path does not take: not an object, invalid,
 * a duplicate key, a real number or other rarity, or no memory. Then
 * json_loadb() must decide (and say what is wrong). */
json_t *mt_json_fast_object(const char *text, size_t len);

#endif
