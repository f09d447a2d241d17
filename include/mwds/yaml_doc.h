/*
 * mwds yaml_doc: the one loader behind mwds's YAML files (scenarios,
 * releasability policies, node configurations). Not a general YAML API: it
 * is the part those loaders share, so that every file gets the same limits
 * and the same messages.
 *
 * A loader reads the text (mwds_yaml_read), turns it into one libyaml
 * document (mwds_yaml_parse), then walks it with code that follows its own
 * schema to a fixed depth, taking each mapping's keys from a fixed table
 * (mwds_yaml_map) and each value with a typed getter (mwds_yaml_num, _str,
 * _bool, _u64, _seq). The walk never follows the node graph generically, so
 * YAML aliases, which can make it cyclic, cannot make it loop.
 *
 * Limits: before libyaml builds the document, a first pass over its events
 * bounds the text (nesting depth, nodes, anchors, aliases, one document):
 * libyaml 0.2.5 is quadratic in the nesting depth (each token rechecks every
 * open flow level), in the number of anchors (each new one is compared with
 * all before it) and in aliases times anchors, and it allocates a node for
 * every scalar and collection. Stopping there keeps the cost linear and the
 * memory bounded. Each file type gives its limits in an mwds_yaml_limits.
 *
 * Errors: the first problem stops the load. Its message, written to the
 * caller's buffer, is one line, "NAME:LINE:COLUMN: FIELD: what was expected,
 * got what was found", with a 1-based line and column and FIELD a path such
 * as sensors[2].pd (no FIELD for the document itself). Values quoted in a
 * message are escaped (no control characters) and cut to
 * MWDS_YAML_ECHO_MAX characters. Only an unreadable or over-long file has no
 * line and column ("NAME: ..."). Every function that reports an error
 * returns its code: MWDS_EIO (cannot read), MWDS_EPARSE (not YAML, or not
 * the schema), MWDS_ERANGE (a value, a count or the text beyond its limit),
 * MWDS_ENOMEM.
 *
 * Ownership: an mwds_yaml_doc is caller-allocated (mwds_yaml_init and
 * mwds_yaml_fini); node pointers are valid until mwds_yaml_fini. The name,
 * limits and message buffer given to mwds_yaml_init are borrowed and must
 * outlive the doc. Out-parameters are written only on success.
 * Thread rules: reentrant, no global state; one doc belongs to one thread.
 */
#ifndef MWDS_YAML_DOC_H
#define MWDS_YAML_DOC_H

#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "mwds/core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MWDS_YAML_ECHO_MAX 40 /* characters of a bad value quoted in a message */

/* What one kind of file may hold. */
typedef struct mwds_yaml_limits {
    const char *what;    /* the kind of file, in messages: "scenario", "policy" */
    size_t max_bytes;    /* of text */
    size_t max_depth;    /* collections inside one another */
    size_t needed_depth; /* what a real file needs, said when max_depth is passed */
    size_t max_nodes;    /* scalars and collections */
    size_t max_anchors;  /* &name */
    size_t max_aliases;  /* *name */
} mwds_yaml_limits;

typedef struct mwds_yaml_doc {
    const char *name; /* file name or the caller's label: starts every message */
    const mwds_yaml_limits *lim;
    char *err; /* the caller's message buffer (may be NULL) */
    size_t err_len;
    yaml_document_t doc;
    int loaded; /* doc holds a document to delete */
} mwds_yaml_doc;

/* Sets up d for one file; empties err. name NULL is "<input>". */
void mwds_yaml_init(mwds_yaml_doc *d, const char *name, const mwds_yaml_limits *lim, char *err,
                    size_t err_len);

/* Frees the document, if any. Harmless twice. */
void mwds_yaml_fini(mwds_yaml_doc *d);

/* Reads the whole file at path (at most lim->max_bytes) into *text, a heap
 * buffer the caller frees, and its length into *len. Errors: MWDS_EIO,
 * MWDS_ERANGE (larger than the limit), MWDS_ENOMEM. Cost: one pass over
 * the file. */
mwds_err mwds_yaml_read(mwds_yaml_doc *d, const char *path, char **text, size_t *len);

/* Loads the only document in text (len bytes, no terminator needed) into
 * d after the limits' first pass. Errors: MWDS_ERANGE (text or a count
 * over its limit), MWDS_EPARSE (syntax, a second document), MWDS_ENOMEM.
 * Cost: linear in len, two passes of libyaml. */
mwds_err mwds_yaml_parse(mwds_yaml_doc *d, const char *text, size_t len);

/* mwds_yaml_read, then mwds_yaml_parse; the text is freed. */
mwds_err mwds_yaml_load(mwds_yaml_doc *d, const char *path);

/* ---- errors ------------------------------------------------------------- */

/* Writes "NAME:LINE:COLUMN: FIELD: message" (line 0: "NAME: FIELD: ...";
 * FIELD NULL or empty: left out) and returns rc. */
mwds_err mwds_yaml_fail_at(mwds_yaml_doc *d, size_t line, size_t col, mwds_err rc,
                           const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* The same at node n (line 1, column 1 if n is NULL). */
mwds_err mwds_yaml_fail(mwds_yaml_doc *d, const yaml_node_t *n, mwds_err rc, const char *field,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* What a node is, for "got ...": a mapping, a list, nothing, null, a
 * number as written, a plain word in single quotes, "the quoted string" in
 * double quotes; escaped and cut. */
typedef struct mwds_yaml_desc {
    char s[MWDS_YAML_ECHO_MAX * 4 + 32];
} mwds_yaml_desc;

mwds_yaml_desc mwds_yaml_describe(const yaml_node_t *n);

/* s escaped for a message inside single quotes and cut. */
mwds_yaml_desc mwds_yaml_escape(const char *s);

/* A field path: base.key, base[i] ("" as base gives the key alone). */
typedef struct mwds_yaml_path {
    char s[128];
} mwds_yaml_path;

mwds_yaml_path mwds_yaml_path_key(const char *base, const char *key);
mwds_yaml_path mwds_yaml_path_index(const char *base, size_t i);

/* ---- nodes -------------------------------------------------------------- */

/* The document's root, or NULL for an empty document. */
const yaml_node_t *mwds_yaml_root(mwds_yaml_doc *d);

/* Item i of a sequence (i below mwds_yaml_count). */
const yaml_node_t *mwds_yaml_item(mwds_yaml_doc *d, const yaml_node_t *seq, size_t i);
size_t mwds_yaml_count(const yaml_node_t *seq);

/* A scalar written without quotes. */
int mwds_yaml_is_plain(const yaml_node_t *n);

/* YAML's null: an empty plain scalar, ~ or null. */
int mwds_yaml_is_null(const yaml_node_t *n);

/* The text of a scalar that is not null, or NULL for anything else (also
 * n NULL, and a scalar holding a NUL byte, which no C string can carry). */
const char *mwds_yaml_text(const yaml_node_t *n);

/* The index of the name in names[n] that key is a likely misspelling of
 * (at most two edits, fewer than key's length), or -1. */
int mwds_yaml_closest(const char *key, const char *const *names, size_t n);

/* ---- mappings ----------------------------------------------------------- */

typedef struct mwds_yaml_key {
    const char *key;
    int required;
} mwds_yaml_key;

/* The key and value of a mapping pair; an error at the key unless it is a
 * non-null scalar. */
mwds_err mwds_yaml_pair(mwds_yaml_doc *d, const yaml_node_pair_t *pr, const char *field,
                        const yaml_node_t **k, const yaml_node_t **v, const char **key);

/* Checks that map is a mapping whose keys are all in keys[n], each at most
 * once, and that every required key is there. Sets vals[i] to key i's
 * value, or NULL when the key is absent or, for an optional key, null;
 * kn[i] to the key's node or NULL. what names the expected mapping in the
 * message when map is something else ("a point {lat_deg, lon_deg}"). An
 * unknown key is answered with the key it is likely a misspelling of, or
 * the list of keys. Cost: O(pairs x n). */
mwds_err mwds_yaml_map(mwds_yaml_doc *d, const yaml_node_t *map, const char *field,
                       const char *what, const mwds_yaml_key *keys, size_t n,
                       const yaml_node_t **vals, const yaml_node_t **kn);

/* ---- typed values: v NULL (absent or null, optional) leaves *out as it
 * was and returns MWDS_OK ---------------------------------------------------- */

enum { MWDS_YAML_OPEN_LO = 1, MWDS_YAML_OPEN_HI = 2, MWDS_YAML_NO_HI = 4 };

/* An allowed interval and what its values are called in messages. */
typedef struct mwds_yaml_span {
    const char *noun; /* "a number", "a latitude" */
    double lo, hi;
    unsigned flags; /* MWDS_YAML_OPEN_LO, _OPEN_HI, _NO_HI */
} mwds_yaml_span;

/* A plain (unquoted), finite decimal number in sp: [+-] digits [. digits]
 * [(e|E) [+-] digits]; no hex, inf, nan or '_'. MWDS_EPARSE if it is not a
 * number, MWDS_ERANGE if outside. */
mwds_err mwds_yaml_num(mwds_yaml_doc *d, const yaml_node_t *v, const char *field,
                       const mwds_yaml_span *sp, double *out);

/* A whole number in sp (and within int), written as mwds_yaml_num reads
 * it: MWDS_EPARSE also for a fraction, with the same message (so sp's noun
 * should say "whole"). */
mwds_err mwds_yaml_int(mwds_yaml_doc *d, const yaml_node_t *v, const char *field,
                       const mwds_yaml_span *sp, int *out);

/* An unsigned 64-bit integer in decimal digits. */
mwds_err mwds_yaml_u64(mwds_yaml_doc *d, const yaml_node_t *v, const char *field, uint64_t *out);

/* true or false (also True, TRUE, False, FALSE: the YAML 1.2 core schema). */
mwds_err mwds_yaml_bool(mwds_yaml_doc *d, const yaml_node_t *v, const char *field, int *out);

typedef enum mwds_yaml_str_kind {
    MWDS_YAML_LINE,  /* one line of UTF-8 text: no control characters */
    MWDS_YAML_BLOCK, /* text that may hold newlines and tabs */
    MWDS_YAML_ID,    /* letters, digits, '-', '_', '.' */
    MWDS_YAML_CODE   /* a nation code: three upper-case letters */
} mwds_yaml_str_kind;

/* A string into dst (cap bytes with the terminator; lengths in bytes of
 * UTF-8). Too long is MWDS_ERANGE, never silently cut. */
mwds_err mwds_yaml_str(mwds_yaml_doc *d, const yaml_node_t *v, const char *field,
                       mwds_yaml_str_kind kind, char *dst, size_t cap);

/* A sequence of lo..hi items of what ("sensors"); v NULL gives 0 items. */
mwds_err mwds_yaml_seq(mwds_yaml_doc *d, const yaml_node_t *v, const char *field, const char *what,
                       size_t lo, size_t hi, size_t *n);

#ifdef __cplusplus
}
#endif

#endif
