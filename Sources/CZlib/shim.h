#include <zlib.h>

/* deflateInit2 is a macro; Swift imports functions only. */
static inline int stackbridge_deflate_init_gzip(z_stream *stream, int level) {
    /* windowBits 15 + 16: a gzip header and trailer instead of zlib's (zlib.h, deflateInit2). */
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

/* inflateInit2 with windowBits 15 + 32: accepts both gzip and zlib (deflate) streams. */
static inline int stackbridge_inflate_init_auto(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);
}
