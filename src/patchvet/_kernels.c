/*
 * Compiled hot paths of patchvet (optional: without a compiler patchvet runs the same code in
 * Python and gets the same results).
 *
 * bucket_counts: the agent-likelihood model's hashed tokens of one contribution, produced,
 * CRC-32 hashed and counted in one pass, without a Python string per token. It gives exactly
 * the buckets and counts, in first-token order, of the Python definition in
 * `model/features.py` (`_tokens` then `_binned` of the dense values, each token
 * `zlib.crc32(token.encode("utf-8", "replace"))` masked): a token is hashed from its prefix's
 * CRC state onwards, byte by byte, as zlib hashes the whole token.
 *
 * added_counts: what the dense features count over the added lines (`_diff_features`).
 *
 * read_hunk: the diff parser's per-line loop over a hunk's body (`sources/_diff.py`).
 *
 * indent_json: the JSON report's indented writer (`formats/json.py`).
 *
 * bucket_counts reads as plain bytes only an ASCII message and ASCII added lines without a
 * line break inside. Anything else (Unicode case folding, `\s` over Unicode spaces,
 * `$` before an inner newline) is handed back to the Python callbacks, which return the tokens
 * as strings; this code only hashes those. Contribution content is hostile: every index is
 * checked against its length, every size against overflow, and the time budget (`look`) is
 * called back every LOOK_EVERY units of work, so a huge input stops where the Python stops.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define LOOK_EVERY 4096 /* tokens made or 16 bytes scanned count one unit each */
#define WORD_MORE 30    /* `[a-z][a-z0-9']{1,30}` */
#define IDENT_MORE 40   /* `[A-Za-z_][A-Za-z0-9_]{2,40}` */

static uint32_t crc_table[256];
static PyObject *builtin_round; /* Python's round, for bins a float's arithmetic cannot make */

static void crc_init(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

/* The CRC register after `data` (not yet inverted: start from 0xFFFFFFFF, invert at the end). */
static inline uint32_t crc_add(uint32_t state, const unsigned char *data, Py_ssize_t size) {
    for (Py_ssize_t i = 0; i < size; i++) state = crc_table[(state ^ data[i]) & 0xFF] ^ (state >> 8);
    return state;
}

static inline uint32_t crc_byte(uint32_t state, unsigned char byte) {
    return crc_table[(state ^ byte) & 0xFF] ^ (state >> 8);
}

static inline unsigned char lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

static inline uint32_t crc_add_lower(uint32_t state, const unsigned char *data, Py_ssize_t size) {
    for (Py_ssize_t i = 0; i < size; i++) state = crc_byte(state, lower(data[i]));
    return state;
}

static uint32_t prefix_state(const char *prefix) {
    return crc_add(0xFFFFFFFFu, (const unsigned char *)prefix, (Py_ssize_t)strlen(prefix));
}

/* str.isspace() and `re`'s `\s` over ASCII: \t \n \v \f \r, the four separators, space. */
static inline int is_space(unsigned char c) { return (c >= 9 && c <= 13) || (c >= 28 && c <= 32); }
static inline int is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static inline int is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
static inline int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static inline int is_alnum(unsigned char c) { return is_upper(c) || is_lower(c) || is_digit(c); }
static inline int word_start(unsigned char c) { return is_lower(lower(c)); }
static inline int word_more(unsigned char c) { return is_alnum(c) || c == '\''; }
static inline int ident_start(unsigned char c) { return is_upper(c) || is_lower(c) || c == '_'; }
static inline int ident_more(unsigned char c) { return is_alnum(c) || c == '_'; }

enum { P_M3, P_M5, P_MS, P_M, P_MB, P_S0, P_SH, P_C, P_CB, P_A, P_X, P_ST, P_D, P_COUNT };
static const char *const prefixes[P_COUNT] = {"m3:", "m5:", "ms:", "m:", "mb:", "s0:", "sh:",
                                              "c:",  "cb:", "a:",  "x:", "st:", "d:"};
static uint32_t prefix[P_COUNT];

/* The buckets of the tokens made so far, in token order. */
typedef struct {
    uint32_t *items;
    Py_ssize_t size;
    Py_ssize_t capacity;
    uint32_t mask;
    PyObject *look;
    Py_ssize_t work; /* units since the budget was last looked at */
} Sink;

static int sink_look(Sink *sink) {
    sink->work = 0;
    PyObject *result = PyObject_CallNoArgs(sink->look);
    if (result == NULL) return -1;
    Py_DECREF(result);
    return 0;
}

/* Count `units` of work; look at the budget when enough has been done. */
static inline int sink_spend(Sink *sink, Py_ssize_t units) {
    sink->work += units;
    return sink->work >= LOOK_EVERY ? sink_look(sink) : 0;
}

/* One token whose CRC register is `state`. */
static int sink_add(Sink *sink, uint32_t state) {
    if (sink->size == sink->capacity) {
        Py_ssize_t capacity = sink->capacity ? sink->capacity : 1024;
        if (capacity > PY_SSIZE_T_MAX / 2 / (Py_ssize_t)sizeof(uint32_t)) {
            PyErr_NoMemory();
            return -1;
        }
        capacity *= 2;
        uint32_t *items = PyMem_Realloc(sink->items, (size_t)capacity * sizeof(uint32_t));
        if (items == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        sink->items = items;
        sink->capacity = capacity;
    }
    sink->items[sink->size++] = ~state & sink->mask;
    return sink_spend(sink, 1);
}

/* `zlib.crc32(text.encode("utf-8", "replace"))` of a str, as a token. */
static int sink_add_str(Sink *sink, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "a token must be a str");
        return -1;
    }
    if (PyUnicode_IS_ASCII(text)) {
        const unsigned char *data = PyUnicode_DATA(text);
        return sink_add(sink, crc_add(0xFFFFFFFFu, data, PyUnicode_GET_LENGTH(text)));
    }
    PyObject *encoded = PyUnicode_AsEncodedString(text, "utf-8", "replace");
    if (encoded == NULL) return -1;
    uint32_t state = crc_add(0xFFFFFFFFu, (const unsigned char *)PyBytes_AS_STRING(encoded),
                             PyBytes_GET_SIZE(encoded));
    Py_DECREF(encoded);
    return sink_add(sink, state);
}

/* Every str of a list a callback returned, as tokens. */
static int sink_add_list(Sink *sink, PyObject *tokens) {
    if (tokens == NULL) return -1;
    if (!PyList_Check(tokens)) {
        Py_DECREF(tokens);
        PyErr_SetString(PyExc_TypeError, "a token callback must return a list");
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(tokens); i++) {
        if (sink_add_str(sink, PyList_GET_ITEM(tokens, i)) < 0) {
            Py_DECREF(tokens);
            return -1;
        }
    }
    Py_DECREF(tokens);
    return 0;
}

/* `features._line_shape` of ASCII text: writes 4 or 5 bytes to `out`, returns how many. */
static Py_ssize_t line_shape(const unsigned char *text, Py_ssize_t size, unsigned char out[5]) {
    Py_ssize_t start = 0, end = size;
    while (start < size && is_space(text[start])) start++;
    if (start == size) {
        memcpy(out, "blank", 5);
        return 5;
    }
    while (end > start && is_space(text[end - 1])) end--;
    Py_ssize_t indent = start / 4, length = (end - start) / 20;
    unsigned char first = text[start], last = text[end - 1];
    if (is_alnum(first)) first = is_upper(first) ? 'A' : 'a';
    if (is_alnum(last)) last = 'w';
    out[0] = (unsigned char)('0' + (indent < 4 ? indent : 4));
    out[1] = first;
    out[2] = last;
    out[3] = (unsigned char)('0' + (length < 6 ? length : 6));
    return 4;
}

static int add_shape(Sink *sink, uint32_t start, const unsigned char *text, Py_ssize_t size) {
    unsigned char shape[5];
    Py_ssize_t length = line_shape(text, size, shape);
    if (sink_spend(sink, size / 16) < 0) return -1;
    return sink_add(sink, crc_add(start, shape, length));
}

/*
 * The next match of `_WORD` (`[a-z][a-z0-9']{1,30}` on the lower-cased text) at or after
 * `*at`, as re.findall finds them: a failed start moves on by one, a match by its length.
 */
static int next_word(const unsigned char *text, Py_ssize_t size, Py_ssize_t *at,
                     Py_ssize_t *start, Py_ssize_t *length) {
    Py_ssize_t i = *at;
    while (i < size) {
        if (word_start(text[i])) {
            Py_ssize_t end = i + 1;
            while (end < size && end - i - 1 < WORD_MORE && word_more(lower(text[end]))) end++;
            if (end - i >= 2) {
                *start = i;
                *length = end - i;
                *at = end;
                return 1;
            }
        }
        i++;
    }
    *at = size;
    return 0;
}

/* `prefix:word` for each word of the text, then `pairs:first_second` for each pair. */
static int add_words(Sink *sink, uint32_t words, uint32_t pairs, const unsigned char *text,
                     Py_ssize_t size) {
    Py_ssize_t at = 0, start, length;
    if (sink_spend(sink, size / 8) < 0) return -1;
    while (next_word(text, size, &at, &start, &length))
        if (sink_add(sink, crc_add_lower(words, text + start, length)) < 0) return -1;
    Py_ssize_t before = -1, before_length = 0;
    at = 0;
    while (next_word(text, size, &at, &start, &length)) {
        if (before >= 0) {
            uint32_t state = crc_add_lower(pairs, text + before, before_length);
            state = crc_add_lower(crc_byte(state, '_'), text + start, length);
            if (sink_add(sink, state) < 0) return -1;
        }
        before = start;
        before_length = length;
    }
    return 0;
}

/* `a:name` for each `_IDENT` match, as re.findall finds them. */
static int add_identifiers(Sink *sink, const unsigned char *text, Py_ssize_t size) {
    Py_ssize_t i = 0;
    if (sink_spend(sink, size / 8) < 0) return -1;
    while (i < size) {
        if (ident_start(text[i])) {
            Py_ssize_t end = i + 1;
            while (end < size && end - i - 1 < IDENT_MORE && ident_more(text[end])) end++;
            if (end - i >= 3) {
                if (sink_add(sink, crc_add(prefix[P_A], text + i, end - i)) < 0) return -1;
                i = end;
                continue;
            }
        }
        i++;
    }
    return 0;
}

/*
 * Where `_COMMENT` (`^\s*(?:#|//|/\*|\*|--|;;|<!--)\s?(.*)$`) finds the comment's text in an
 * ASCII line without a line break, or -1 when the line is no comment. With no newline in the
 * line, `(.*)$` takes all the rest, so the first marker that matches is the one `re` keeps.
 */
static Py_ssize_t comment_start(const unsigned char *text, Py_ssize_t size) {
    Py_ssize_t i = 0;
    while (i < size && is_space(text[i])) i++;
    Py_ssize_t rest = size - i;
    const unsigned char *at = text + i;
    Py_ssize_t marker = 0;
    if (rest >= 1 && at[0] == '#') marker = 1;
    else if (rest >= 2 && at[0] == '/' && (at[1] == '/' || at[1] == '*')) marker = 2;
    else if (rest >= 1 && at[0] == '*') marker = 1;
    else if (rest >= 2 && at[0] == '-' && at[1] == '-') marker = 2;
    else if (rest >= 2 && at[0] == ';' && at[1] == ';') marker = 2;
    else if (rest >= 4 && memcmp(at, "<!--", 4) == 0) marker = 4;
    else return -1;
    i += marker;
    if (i < size && is_space(text[i])) i++;
    return i;
}

/* The tokens of one added line, or -1. Lines this code cannot read go to `line_tokens`. */
static int add_line(Sink *sink, PyObject *line, PyObject *line_tokens) {
    if (!PyUnicode_Check(line)) {
        PyErr_SetString(PyExc_TypeError, "an added line must be a str");
        return -1;
    }
    const unsigned char *text = PyUnicode_DATA(line);
    Py_ssize_t size = PyUnicode_GET_LENGTH(line);
    if (!PyUnicode_IS_ASCII(line) || memchr(text, '\n', (size_t)size) != NULL)
        return sink_add_list(sink, PyObject_CallOneArg(line_tokens, line));
    if (add_shape(sink, prefix[P_SH], text, size) < 0) return -1;
    Py_ssize_t comment = comment_start(text, size);
    if (comment >= 0)
        return add_words(sink, prefix[P_C], prefix[P_CB], text + comment, size - comment);
    return add_identifiers(sink, text, size);
}

/* The message's tokens (letter sequences, line shapes, words, pairs, the subject's first word)
 * of an ASCII message and subject. */
static int add_message(Sink *sink, const unsigned char *text, Py_ssize_t size,
                       const unsigned char *subject, Py_ssize_t subject_size) {
    static const Py_ssize_t widths[2] = {3, 5};
    static const int width_prefix[2] = {P_M3, P_M5};
    for (int w = 0; w < 2; w++) {
        Py_ssize_t width = widths[w];
        for (Py_ssize_t i = 0; i + width <= size; i++)
            if (sink_add(sink, crc_add(prefix[width_prefix[w]], text + i, width)) < 0) return -1;
    }
    Py_ssize_t line = 0;
    for (;;) {
        const unsigned char *newline = memchr(text + line, '\n', (size_t)(size - line));
        Py_ssize_t end = newline ? newline - text : size;
        if (add_shape(sink, prefix[P_MS], text + line, end - line) < 0) return -1;
        if (newline == NULL) break;
        line = end + 1;
    }
    if (add_words(sink, prefix[P_M], prefix[P_MB], text, size) < 0) return -1;
    if (subject_size > 0) {
        const unsigned char *space = memchr(subject, ' ', (size_t)subject_size);
        Py_ssize_t first = space ? space - subject : subject_size;
        if (sink_add(sink, crc_add_lower(prefix[P_S0], subject, first)) < 0) return -1;
    }
    return 0;
}

/* The UTF-8 bytes of `text.encode("utf-8", "replace")`: ASCII text as it is stored, anything
 * else encoded into `*owner` (a new reference the caller releases). */
static int utf8_of(PyObject *text, PyObject **owner, const unsigned char **data,
                   Py_ssize_t *size) {
    *owner = NULL;
    if (PyUnicode_IS_ASCII(text)) {
        *data = PyUnicode_DATA(text);
        *size = PyUnicode_GET_LENGTH(text);
        return 0;
    }
    *owner = PyUnicode_AsEncodedString(text, "utf-8", "replace");
    if (*owner == NULL) return -1;
    *data = (const unsigned char *)PyBytes_AS_STRING(*owner);
    *size = PyBytes_GET_SIZE(*owner);
    return 0;
}

/* `x:extension`, `st:status` and `d:directory` of one (path, status, additions, deletions). */
static int add_path(Sink *sink, PyObject *item) {
    if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) < 2 ||
        !PyUnicode_Check(PyTuple_GET_ITEM(item, 0)) ||
        !PyUnicode_Check(PyTuple_GET_ITEM(item, 1))) {
        PyErr_SetString(PyExc_TypeError, "a path must be a (path, status, ...) tuple of str");
        return -1;
    }
    PyObject *path_owner, *status_owner;
    const unsigned char *path, *status;
    Py_ssize_t size, status_size;
    if (utf8_of(PyTuple_GET_ITEM(item, 0), &path_owner, &path, &size) < 0) return -1;
    if (utf8_of(PyTuple_GET_ITEM(item, 1), &status_owner, &status, &status_size) < 0) {
        Py_XDECREF(path_owner);
        return -1;
    }
    /* The tokens are hashed before any look at the budget (which runs Python code): the
     * tuple that holds both strings is held by the caller meanwhile. '/' and '.' are single
     * bytes in UTF-8 and '?' replaces a lone surrogate, so splitting the bytes splits the
     * text at the same places. */
    uint32_t status_state = crc_add(prefix[P_ST], status, status_size);
    Py_ssize_t name = size;
    while (name > 0 && path[name - 1] != '/') name--;
    Py_ssize_t dot = size;
    while (dot > name && path[dot - 1] != '.') dot--;
    Py_ssize_t extension = dot > name ? dot : size; /* no dot in the name: an empty extension */
    int failed = sink_add(sink, crc_add(prefix[P_X], path + extension, size - extension)) < 0 ||
                 sink_add(sink, status_state) < 0;
    Py_ssize_t part = 0;
    for (Py_ssize_t i = 0; !failed && i < name; i++) {
        if (path[i] == '/') {
            failed = sink_add(sink, crc_add(prefix[P_D], path + part, i - part)) < 0;
            part = i + 1;
        }
    }
    Py_XDECREF(path_owner);
    Py_XDECREF(status_owner);
    return failed ? -1 : 0;
}

/*
 * `prefix + str(round(value * 2))` (`features._binned`) as a token. A float rounds half to
 * even as Python's round does; anything else (an int, a value too large for an exact
 * long long, inf, nan) goes through Python's round and str, errors included.
 */
static int add_bin(Sink *sink, PyObject *prefix_text, PyObject *value) {
    PyObject *owner;
    const unsigned char *start;
    Py_ssize_t start_size;
    if (!PyUnicode_Check(prefix_text)) {
        PyErr_SetString(PyExc_TypeError, "a bin prefix must be a str");
        return -1;
    }
    if (utf8_of(prefix_text, &owner, &start, &start_size) < 0) return -1;
    uint32_t state = crc_add(0xFFFFFFFFu, start, start_size);
    Py_XDECREF(owner);
    if (PyFloat_CheckExact(value)) {
        double doubled = PyFloat_AS_DOUBLE(value) * 2.0;
        double rounded = round(doubled);
        if (fabs(doubled - rounded) == 0.5) rounded = 2.0 * round(doubled / 2.0);
        if (rounded > -1e15 && rounded < 1e15) { /* finite, and exact in a long long */
            char digits[32];
            int size = snprintf(digits, sizeof digits, "%lld", (long long)rounded);
            if (size < 0 || (size_t)size >= sizeof digits) {
                PyErr_SetString(PyExc_SystemError, "a bin did not format");
                return -1;
            }
            return sink_add(sink, crc_add(state, (const unsigned char *)digits, size));
        }
    }
    PyObject *two = PyLong_FromLong(2);
    if (two == NULL) return -1;
    PyObject *doubled = PyNumber_Multiply(value, two);
    Py_DECREF(two);
    if (doubled == NULL) return -1;
    PyObject *rounded = PyObject_CallOneArg(builtin_round, doubled);
    Py_DECREF(doubled);
    if (rounded == NULL) return -1;
    PyObject *text = PyObject_Str(rounded);
    Py_DECREF(rounded);
    if (text == NULL) return -1;
    const unsigned char *digits;
    Py_ssize_t size;
    if (utf8_of(text, &owner, &digits, &size) < 0) {
        Py_DECREF(text);
        return -1;
    }
    state = crc_add(state, digits, size);
    Py_XDECREF(owner);
    Py_DECREF(text);
    return sink_add(sink, state);
}

/* Buckets counted in the order of their first token: (buckets, counts) as native int64. */
static PyObject *count_in_order(const Sink *sink) {
    Py_ssize_t size = sink->size, slots = 16;
    if ((uint64_t)size >= UINT32_MAX) { /* a table slot holds 1 + a place in 32 bits */
        PyErr_NoMemory();
        return NULL;
    }
    while (slots < 2 * size) slots *= 2; /* size < PY_SSIZE_T_MAX / 8: the sink grew to it */
    uint32_t *table = PyMem_Calloc((size_t)slots, sizeof(uint32_t)); /* 1 + place, 0: free */
    int64_t *buckets = PyMem_Malloc((size_t)(size ? size : 1) * sizeof(int64_t));
    int64_t *counts = PyMem_Malloc((size_t)(size ? size : 1) * sizeof(int64_t));
    PyObject *result = NULL;
    if (table == NULL || buckets == NULL || counts == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t distinct = 0;
    for (Py_ssize_t i = 0; i < size; i++) {
        uint32_t bucket = sink->items[i];
        size_t slot = (size_t)(bucket * 2654435761u) & (size_t)(slots - 1);
        while (table[slot] != 0 && buckets[table[slot] - 1] != bucket)
            slot = (slot + 1) & (size_t)(slots - 1);
        if (table[slot] == 0) {
            buckets[distinct] = bucket;
            counts[distinct] = 0;
            table[slot] = (uint32_t)++distinct; /* distinct <= 2**32: buckets have 32 bits */
        }
        counts[table[slot] - 1]++;
    }
    PyObject *found = PyByteArray_FromStringAndSize((const char *)buckets,
                                                    distinct * (Py_ssize_t)sizeof(int64_t));
    PyObject *counted = PyByteArray_FromStringAndSize((const char *)counts,
                                                      distinct * (Py_ssize_t)sizeof(int64_t));
    if (found != NULL && counted != NULL) result = PyTuple_Pack(2, found, counted);
    Py_XDECREF(found);
    Py_XDECREF(counted);
done:
    PyMem_Free(table);
    PyMem_Free(buckets);
    PyMem_Free(counts);
    return result;
}

static PyObject *bucket_counts(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 10) {
        PyErr_SetString(PyExc_TypeError,
                        "bucket_counts(message, subject, added, paths, bins, values, mask, "
                        "message_tokens, line_tokens, look)");
        return NULL;
    }
    PyObject *message = args[0], *subject = args[1], *added = args[2], *paths = args[3],
             *bins = args[4], *values = args[5], *message_tokens = args[7],
             *line_tokens = args[8];
    if (!PyUnicode_Check(message) || !PyUnicode_Check(subject)) {
        PyErr_SetString(PyExc_TypeError, "message and subject must be str");
        return NULL;
    }
    unsigned long mask = PyLong_AsUnsignedLong(args[6]);
    if (mask == (unsigned long)-1 && PyErr_Occurred()) return NULL;
    if (mask > 0xFFFFFFFFul) {
        PyErr_SetString(PyExc_ValueError, "mask must fit in 32 bits");
        return NULL;
    }
    if (!PyCallable_Check(message_tokens) || !PyCallable_Check(line_tokens) ||
        !PyCallable_Check(args[9])) {
        PyErr_SetString(PyExc_TypeError, "message_tokens, line_tokens and look must be callable");
        return NULL;
    }
    Sink sink = {NULL, 0, 0, (uint32_t)mask, args[9], 0};
    PyObject *lines = NULL, *items = NULL, *bin_list = NULL, *value_list = NULL, *result = NULL;
    if (sink_look(&sink) < 0) goto done;
    if (PyUnicode_IS_ASCII(message) && PyUnicode_IS_ASCII(subject)) {
        if (add_message(&sink, PyUnicode_DATA(message), PyUnicode_GET_LENGTH(message),
                        PyUnicode_DATA(subject), PyUnicode_GET_LENGTH(subject)) < 0)
            goto done;
    } else if (sink_add_list(&sink, PyObject_CallFunctionObjArgs(message_tokens, message,
                                                                 subject, NULL)) < 0) {
        goto done;
    }
    lines = PySequence_Fast(added, "added lines must be a sequence");
    if (lines == NULL) goto done;
    /* Each item is held while it is read: a look at the budget runs Python code. */
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(lines); i++) {
        PyObject *line = Py_NewRef(PySequence_Fast_GET_ITEM(lines, i));
        int failed = add_line(&sink, line, line_tokens) < 0;
        Py_DECREF(line);
        if (failed) goto done;
    }
    items = PySequence_Fast(paths, "paths must be a sequence");
    if (items == NULL) goto done;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(items); i++) {
        PyObject *item = Py_NewRef(PySequence_Fast_GET_ITEM(items, i));
        int failed = add_path(&sink, item) < 0;
        Py_DECREF(item);
        if (failed) goto done;
    }
    bin_list = PySequence_Fast(bins, "bin prefixes must be a sequence");
    if (bin_list == NULL) goto done;
    value_list = PySequence_Fast(values, "dense values must be a sequence");
    if (value_list == NULL) goto done;
    if (PySequence_Fast_GET_SIZE(bin_list) != PySequence_Fast_GET_SIZE(value_list)) {
        PyErr_SetString(PyExc_ValueError, "as many dense values as bin prefixes are needed");
        goto done;
    }
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(bin_list); i++) {
        if (i >= PySequence_Fast_GET_SIZE(value_list)) { /* a look shortened the list */
            PyErr_SetString(PyExc_ValueError, "the dense values changed while read");
            goto done;
        }
        PyObject *prefix_text = Py_NewRef(PySequence_Fast_GET_ITEM(bin_list, i));
        PyObject *value = Py_NewRef(PySequence_Fast_GET_ITEM(value_list, i));
        int failed = add_bin(&sink, prefix_text, value) < 0;
        Py_DECREF(prefix_text);
        Py_DECREF(value);
        if (failed) goto done;
    }
    if (sink_look(&sink) < 0) goto done;
    result = count_in_order(&sink);
done:
    Py_XDECREF(lines);
    Py_XDECREF(items);
    Py_XDECREF(bin_list);
    Py_XDECREF(value_list);
    PyMem_Free(sink.items);
    return result;
}

/* Whether `needle` occurs in `text` (a line and a short literal). */
static int contains(const unsigned char *text, Py_ssize_t size, const char *needle) {
    Py_ssize_t length = (Py_ssize_t)strlen(needle);
    for (Py_ssize_t i = 0; i + length <= size; i++)
        if (text[i] == (unsigned char)needle[0] && memcmp(text + i, needle, (size_t)length) == 0)
            return 1;
    return 0;
}

static inline int is_word(unsigned char c) { return ident_more(c); } /* `\w` over ASCII */

/* `_SENTENCE_COMMENT` (`^[A-Z][^.!?]*[a-z)][.]$`) on the comment `text`, stripped. */
static int is_sentence(const unsigned char *text, Py_ssize_t size) {
    while (size > 0 && is_space(text[0])) {
        text++;
        size--;
    }
    while (size > 0 && is_space(text[size - 1])) size--;
    if (size < 3 || !is_upper(text[0]) || text[size - 1] != '.') return 0;
    if (!(is_lower(text[size - 2]) || text[size - 2] == ')')) return 0;
    for (Py_ssize_t i = 1; i < size - 2; i++)
        if (text[i] == '.' || text[i] == '!' || text[i] == '?') return 0;
    return 1;
}

/* `_TYPE_HINT` found anywhere in an ASCII line:
 * `\)\s*->\s*\w|:\s*(?:str|int|bool|float|list|dict|None|Optional|string|number|boolean)\b`. */
static int has_type_hint(const unsigned char *text, Py_ssize_t size) {
    static const char *const names[] = {"str",  "int",      "bool",   "float",  "list",   "dict",
                                        "None", "Optional", "string", "number", "boolean"};
    for (Py_ssize_t i = 0; i < size; i++) {
        Py_ssize_t j = i + 1;
        if (text[i] == ')') {
            while (j < size && is_space(text[j])) j++;
            if (j + 1 >= size || text[j] != '-' || text[j + 1] != '>') continue;
            j += 2;
            while (j < size && is_space(text[j])) j++;
            if (j < size && is_word(text[j])) return 1;
        } else if (text[i] == ':') {
            while (j < size && is_space(text[j])) j++;
            for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
                Py_ssize_t length = (Py_ssize_t)strlen(names[k]);
                if (j + length <= size && memcmp(text + j, names[k], (size_t)length) == 0 &&
                    (j + length == size || !is_word(text[j + length])))
                    return 1;
            }
        }
    }
    return 0;
}

/*
 * added_counts: what `features._diff_features` counts over the added lines, when every line
 * is ASCII without a line break inside (else None: the Python counts them). A tuple of
 * (comments, sentence comments, blank lines, total length, longest, trailing whitespace,
 * tab-indented, type hints, TODO, docstring openers, long comments, print calls).
 */
enum { C_COMMENTS, C_SENTENCES, C_BLANK, C_LENGTH, C_LONGEST, C_TRAILING, C_TABS, C_HINTS,
       C_TODO, C_DOCSTRINGS, C_LONG_COMMENTS, C_PRINTS, C_COUNT };

static PyObject *added_counts(PyObject *module, PyObject *lines) {
    (void)module;
    PyObject *items = PySequence_Fast(lines, "added lines must be a sequence");
    if (items == NULL) return NULL;
    Py_ssize_t total = PySequence_Fast_GET_SIZE(items);
    for (Py_ssize_t i = 0; i < total; i++) {
        PyObject *line = PySequence_Fast_GET_ITEM(items, i);
        if (!PyUnicode_Check(line)) {
            Py_DECREF(items);
            PyErr_SetString(PyExc_TypeError, "an added line must be a str");
            return NULL;
        }
        if (!PyUnicode_IS_ASCII(line) ||
            memchr(PyUnicode_DATA(line), '\n', (size_t)PyUnicode_GET_LENGTH(line)) != NULL) {
            Py_DECREF(items);
            Py_RETURN_NONE;
        }
    }
    long long counts[C_COUNT] = {0};
    /* No Python code runs in this loop: the sequence and its lines cannot change under it. */
    for (Py_ssize_t i = 0; i < total; i++) {
        PyObject *line = PySequence_Fast_GET_ITEM(items, i);
        const unsigned char *text = PyUnicode_DATA(line);
        Py_ssize_t size = PyUnicode_GET_LENGTH(line);
        Py_ssize_t comment = comment_start(text, size);
        if (comment >= 0) {
            counts[C_COMMENTS]++;
            counts[C_SENTENCES] += is_sentence(text + comment, size - comment);
            counts[C_LONG_COMMENTS] += size - comment > 60;
        }
        Py_ssize_t start = 0;
        while (start < size && is_space(text[start])) start++;
        counts[C_BLANK] += start == size;
        counts[C_LENGTH] += size;
        if (size > counts[C_LONGEST]) counts[C_LONGEST] = size;
        counts[C_TRAILING] += size > 0 && is_space(text[size - 1]);
        counts[C_TABS] += size > 0 && text[0] == '\t';
        counts[C_HINTS] += has_type_hint(text, size);
        counts[C_TODO] += contains(text, size, "TODO");
        counts[C_DOCSTRINGS] += contains(text, size, "\"\"\"") || contains(text, size, "'''") ||
                                contains(text, size, "/**");
        counts[C_PRINTS] += contains(text, size, "print(") || contains(text, size, "console.log");
    }
    Py_DECREF(items);
    PyObject *result = PyTuple_New(C_COUNT);
    if (result == NULL) return NULL;
    for (int k = 0; k < C_COUNT; k++) {
        PyObject *count = PyLong_FromLongLong(counts[k]);
        if (count == NULL) {
            Py_DECREF(result);
            return NULL;
        }
        PyTuple_SET_ITEM(result, k, count);
    }
    return result;
}

/*
 * `make(number, text)`; or, when `make` is (cls, name, name), an instance of `cls` with the
 * two attributes set as object.__setattr__ sets them, which is all a plain dataclass's
 * __init__ does (the caller checks that `cls` is one), without running that __init__.
 */
static PyObject *make_record(PyObject *make, PyObject *number, PyObject *text) {
    if (!PyTuple_CheckExact(make)) {
        PyObject *call[2] = {number, text};
        return PyObject_Vectorcall(make, call, 2, NULL);
    }
    PyTypeObject *cls = (PyTypeObject *)PyTuple_GET_ITEM(make, 0);
    PyObject *made = cls->tp_alloc(cls, 0);
    if (made == NULL) return NULL;
    if (PyObject_GenericSetAttr(made, PyTuple_GET_ITEM(make, 1), number) < 0 ||
        PyObject_GenericSetAttr(made, PyTuple_GET_ITEM(make, 2), text) < 0) {
        Py_DECREF(made);
        return NULL;
    }
    return made;
}

/* At most ten digits at `*at` (`\d{1,10}` followed by no other digit), into `*value`. */
static int hunk_number(const unsigned char *text, Py_ssize_t size, Py_ssize_t *at,
                       long long *value) {
    Py_ssize_t start = *at, end = *at;
    while (end < size && is_digit(text[end])) end++;
    if (end == start || end - start > 10) return 0;
    *value = 0;
    for (Py_ssize_t i = start; i < end; i++) *value = *value * 10 + (text[i] - '0');
    *at = end;
    return 1;
}

/* `_HUNK` (`^@@+ -(\d{1,10})(?:,(\d{1,10}))? \+(\d{1,10})(?:,(\d{1,10}))? @@+`) on an
 * ASCII line: the old and new counts (1 when absent) and the new start, or 0. */
static int hunk_header(const unsigned char *text, Py_ssize_t size, long long *old_left,
                       long long *new_left, long long *new_line) {
    Py_ssize_t at = 0;
    long long old_start;
    while (at < size && text[at] == '@') at++;
    if (at < 2 || at + 1 >= size || text[at] != ' ' || text[at + 1] != '-') return 0;
    at += 2;
    if (!hunk_number(text, size, &at, &old_start)) return 0;
    *old_left = 1;
    if (at < size && text[at] == ',') {
        at++;
        if (!hunk_number(text, size, &at, old_left)) return 0;
    }
    if (at + 1 >= size || text[at] != ' ' || text[at + 1] != '+') return 0;
    at += 2;
    if (!hunk_number(text, size, &at, new_line)) return 0;
    *new_left = 1;
    if (at < size && text[at] == ',') {
        at++;
        if (!hunk_number(text, size, &at, new_left)) return 0;
    }
    return at + 2 < size && text[at] == ' ' && text[at + 1] == '@' && text[at + 2] == '@';
}

/*
 * read_hunk: one diff hunk, its header at `lines[at]`, as `sources._diff._read_hunk_in_python`
 * reads it. The body is taken from the next line on while the header's counts say lines are
 * left; each added line becomes `make_line(number, text)` appended to `added`. Returns
 * (status, at, old_left, new_left, additions, deletions): status 0 when the hunk was read (or
 * the lines ran out: the caller sees counts left), 1 when a line that is not part of a hunk
 * came early, 2 when a line took a count below zero, 3 when the header is malformed, 4 when
 * the header is not ASCII (then nothing was read: Python reads it, `\d` takes any digit).
 */
static PyObject *read_hunk(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "read_hunk(lines, at, added, make_line)");
        return NULL;
    }
    PyObject *lines = args[0], *added = args[2], *make_line = args[3];
    int record = PyTuple_CheckExact(make_line) && PyTuple_GET_SIZE(make_line) == 3 &&
                 PyType_Check(PyTuple_GET_ITEM(make_line, 0)) &&
                 PyUnicode_CheckExact(PyTuple_GET_ITEM(make_line, 1)) &&
                 PyUnicode_CheckExact(PyTuple_GET_ITEM(make_line, 2));
    if (!PyList_Check(lines) || !PyList_Check(added) ||
        !(record || PyCallable_Check(make_line))) {
        PyErr_SetString(PyExc_TypeError,
                        "lines and added must be lists, make_line callable or (cls, name, name)");
        return NULL;
    }
    Py_ssize_t at = PyLong_AsSsize_t(args[1]);
    if (at == -1 && PyErr_Occurred()) return NULL;
    if (at < 0 || at >= PyList_GET_SIZE(lines) || !PyUnicode_Check(PyList_GET_ITEM(lines, at))) {
        PyErr_SetString(PyExc_ValueError, "read_hunk: no hunk header at that place");
        return NULL;
    }
    PyObject *header = PyList_GET_ITEM(lines, at);
    if (!PyUnicode_IS_ASCII(header)) return Py_BuildValue("(inLLLL)", 4, at, 0LL, 0LL, 0LL, 0LL);
    /* Each count has at most ten digits: far from what a long long holds, with the lines. */
    long long old_left, new_left, new_line;
    if (!hunk_header(PyUnicode_DATA(header), PyUnicode_GET_LENGTH(header), &old_left, &new_left,
                     &new_line))
        return Py_BuildValue("(inLLLL)", 3, at + 1, 0LL, 0LL, 0LL, 0LL);
    if (new_left == 0) new_line++;
    at++;
    long long additions = 0, deletions = 0;
    int status = 0;
    while ((old_left > 0 || new_left > 0) && at < PyList_GET_SIZE(lines)) {
        PyObject *line = PyList_GET_ITEM(lines, at);
        if (!PyUnicode_Check(line)) {
            PyErr_SetString(PyExc_TypeError, "a diff line must be a str");
            return NULL;
        }
        at++;
        Py_ssize_t size = PyUnicode_GET_LENGTH(line);
        Py_UCS4 kind = size ? PyUnicode_READ_CHAR(line, 0) : ' ';
        if (kind == '+') {
            PyObject *text = PyUnicode_Substring(line, 1, size);
            if (text == NULL) return NULL;
            PyObject *number = PyLong_FromLongLong(new_line);
            if (number == NULL) {
                Py_DECREF(text);
                return NULL;
            }
            PyObject *made = make_record(make_line, number, text);
            Py_DECREF(number);
            Py_DECREF(text);
            if (made == NULL) return NULL;
            int failed = PyList_Append(added, made);
            Py_DECREF(made);
            if (failed < 0) return NULL;
            additions++;
            new_line++;
            new_left--;
        } else if (kind == '-') {
            deletions++;
            old_left--;
        } else if (kind == ' ') {
            /* An empty line is a context line whose one space a mail client stripped. */
            new_line++;
            old_left--;
            new_left--;
        } else if (kind == '\\') {
            continue; /* `\ No newline at end of file` */
        } else {
            status = 1;
            break;
        }
        if (old_left < 0 || new_left < 0) {
            status = 2;
            break;
        }
    }
    return Py_BuildValue("(inLLLL)", status, at, old_left, new_left, additions, deletions);
}

/*
 * indent_json: `formats.json._encode` in C, the text of `json.dumps(value, indent=2)` with
 * `pad` before every line but the first, for exact dicts with str keys, lists, tuples, str
 * (quoted by `quote`, json's encode_basestring_ascii), int, float, bool and None. No Python
 * code runs while it writes (str, int and float are written by their base type's C functions),
 * so nothing can change under it. Anything else, or nesting deeper than JSON_DEPTH, returns
 * None: the Python writer decides, with the json module's rules.
 */
#define JSON_DEPTH 64

typedef struct {
    char *data;
    Py_ssize_t size;
    Py_ssize_t capacity;
} Text;

static int text_add(Text *text, const char *data, Py_ssize_t size) {
    if (size > PY_SSIZE_T_MAX / 2 - text->size) {
        PyErr_NoMemory();
        return -1;
    }
    if (text->size + size > text->capacity) {
        Py_ssize_t capacity = text->capacity ? text->capacity : 1024;
        while (capacity < text->size + size) capacity *= 2;
        char *grown = PyMem_Realloc(text->data, (size_t)capacity);
        if (grown == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        text->data = grown;
        text->capacity = capacity;
    }
    memcpy(text->data + text->size, data, (size_t)size);
    text->size += size;
    return 0;
}

static int text_literal(Text *text, const char *literal) {
    return text_add(text, literal, (Py_ssize_t)strlen(literal));
}

/* An ASCII str made by a C function (a quote or a repr); 1 when it was not ASCII. */
static int text_ascii(Text *text, PyObject *made) {
    if (made == NULL) return -1;
    int result = PyUnicode_IS_ASCII(made)
                     ? text_add(text, PyUnicode_DATA(made), PyUnicode_GET_LENGTH(made))
                     : 1;
    Py_DECREF(made);
    return result;
}

/* A new line and the indentation of `depth` levels below `pad`. */
static int text_newline(Text *text, const char *pad, Py_ssize_t pad_size, int depth) {
    if (text_add(text, "\n", 1) < 0 || text_add(text, pad, pad_size) < 0) return -1;
    for (int i = 0; i < depth; i++)
        if (text_add(text, "  ", 2) < 0) return -1;
    return 0;
}

/* Writes `value`; -1 on an error, 1 when the Python writer must decide, 0 when written. */
static int json_value(Text *text, PyObject *value, const char *pad, Py_ssize_t pad_size,
                      int depth, PyObject *quote) {
    if (depth > JSON_DEPTH) return 1;
    if (PyUnicode_Check(value)) return text_ascii(text, PyObject_CallOneArg(quote, value));
    if (value == Py_None) return text_literal(text, "null");
    if (value == Py_True) return text_literal(text, "true");
    if (value == Py_False) return text_literal(text, "false");
    if (PyLong_Check(value)) return text_ascii(text, PyLong_Type.tp_repr(value));
    if (PyFloat_Check(value)) {
        double number = PyFloat_AS_DOUBLE(value);
        if (number != number) return text_literal(text, "NaN");
        if (isinf(number)) return text_literal(text, number > 0 ? "Infinity" : "-Infinity");
        return text_ascii(text, PyFloat_Type.tp_repr(value));
    }
    /* A subclass may iterate its own way (as may a dict subclass's items()): Python decides.
     * Each item is held while written, should `quote` be Python code that changes the value. */
    if (PyList_CheckExact(value) || PyTuple_CheckExact(value)) {
        Py_ssize_t size = PySequence_Fast_GET_SIZE(value);
        if (size == 0) return text_literal(text, "[]");
        if (text_literal(text, "[") < 0) return -1;
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(value); i++) {
            if (i && text_literal(text, ",") < 0) return -1;
            if (text_newline(text, pad, pad_size, depth + 1) < 0) return -1;
            PyObject *item = Py_NewRef(PySequence_Fast_GET_ITEM(value, i));
            int done = json_value(text, item, pad, pad_size, depth + 1, quote);
            Py_DECREF(item);
            if (done != 0) return done;
        }
        if (text_newline(text, pad, pad_size, depth) < 0) return -1;
        return text_literal(text, "]");
    }
    if (PyDict_CheckExact(value)) {
        if (PyDict_GET_SIZE(value) == 0) return text_literal(text, "{}");
        if (text_literal(text, "{") < 0) return -1;
        Py_ssize_t position = 0, index = 0;
        PyObject *key, *item;
        while (PyDict_Next(value, &position, &key, &item)) {
            if (!PyUnicode_Check(key)) return 1; /* json's rules for other keys apply */
            if (index++ && text_literal(text, ",") < 0) return -1;
            if (text_newline(text, pad, pad_size, depth + 1) < 0) return -1;
            Py_INCREF(key);
            Py_INCREF(item);
            int done = text_ascii(text, PyObject_CallOneArg(quote, key));
            if (done == 0) done = text_literal(text, ": ");
            if (done == 0) done = json_value(text, item, pad, pad_size, depth + 1, quote);
            Py_DECREF(key);
            Py_DECREF(item);
            if (done != 0) return done;
        }
        if (text_newline(text, pad, pad_size, depth) < 0) return -1;
        return text_literal(text, "}");
    }
    return 1;
}

static PyObject *indent_json(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 3 || !PyUnicode_Check(args[1]) || !PyCallable_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "indent_json(value, pad: str, quote)");
        return NULL;
    }
    if (!PyUnicode_IS_ASCII(args[1])) Py_RETURN_NONE;
    Text text = {NULL, 0, 0};
    int done = json_value(&text, args[0], PyUnicode_DATA(args[1]),
                          PyUnicode_GET_LENGTH(args[1]), 0, args[2]);
    PyObject *result = NULL;
    if (done == 0) {
        result = PyUnicode_New(text.size, 127);
        if (result != NULL) memcpy(PyUnicode_DATA(result), text.data, (size_t)text.size);
    } else if (done == 1) {
        result = Py_NewRef(Py_None);
    }
    PyMem_Free(text.data);
    return result;
}

static PyMethodDef methods[] = {
    {"bucket_counts", (PyCFunction)(void (*)(void))bucket_counts, METH_FASTCALL,
     "The model's hashed-token buckets and counts of one contribution, in first-token order."},
    {"added_counts", added_counts, METH_O,
     "What the model's dense features count over the added lines (None: not all ASCII)."},
    {"indent_json", (PyCFunction)(void (*)(void))indent_json, METH_FASTCALL,
     "json.dumps(value, indent=2) with pad before each line but the first, or None."},
    {"read_hunk", (PyCFunction)(void (*)(void))read_hunk, METH_FASTCALL,
     "The body of one diff hunk: its added lines, counts and where it ends."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "patchvet._kernels",
    .m_doc = "Compiled hot paths of patchvet (optional; the Python code gives the same results).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__kernels(void) {
    crc_init();
    for (int i = 0; i < P_COUNT; i++) prefix[i] = prefix_state(prefixes[i]);
    if (builtin_round == NULL) {
        PyObject *builtins = PyImport_ImportModule("builtins");
        if (builtins == NULL) return NULL;
        builtin_round = PyObject_GetAttrString(builtins, "round");
        Py_DECREF(builtins);
        if (builtin_round == NULL) return NULL;
    }
    return PyModule_Create(&module);
}
