// A C interface to RE2 (https://github.com/google/re2) for Swift: compile, full match, groups.
// RE2 runs in time linear in the input, as Go's regexp package (and so Prometheus) does.
#ifndef STACKBRIDGE_RE2_SHIM_H
#define STACKBRIDGE_RE2_SHIM_H

#include <stddef.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A compiled expression; immutable and safe to share between threads.
typedef struct sb_re2 sb_re2;

/// Compiles `pattern` (UTF-8, `length` bytes) with Go's syntax rules. On failure returns NULL
/// and writes a NUL-terminated reason into `error` (at most `error_capacity` bytes).
sb_re2 *sb_re2_compile(const char *pattern, size_t length, char *error, size_t error_capacity);

/// Frees an expression from `sb_re2_compile`.
void sb_re2_free(sb_re2 *regex);

/// The number of capturing groups (group 0, the whole match, not counted).
int sb_re2_group_count(const sb_re2 *regex);

/// The name of capturing group `index` (1-based), or NULL when it has none.
const char *sb_re2_group_name(const sb_re2 *regex, int index);

/// Whether the whole of `text` matches.
bool sb_re2_full_match(const sb_re2 *regex, const char *text, size_t length);

/// Matches the whole of `text` and writes byte offsets of groups 0...`groups`-1 into
/// `offsets` as start/end pairs (-1, -1 for a group that did not take part).
bool sb_re2_full_match_groups(const sb_re2 *regex, const char *text, size_t length, long *offsets, int groups);

#ifdef __cplusplus
}
#endif

#endif
