#include <crypt.h>
#include <stdlib.h>
#include <string.h>

/* Whether `password` hashes to `hash` (bcrypt `$2a$`/`$2b$`/`$2y$` and the other methods libxcrypt
 * knows). crypt_r's state is about 32 KiB, so it lives on the heap; the comparison takes the same
 * time wherever the strings differ. */
static inline int stackbridge_crypt_matches(const char *password, const char *hash) {
    struct crypt_data *data = calloc(1, sizeof(struct crypt_data));
    if (!data) return 0;
    const char *result = crypt_r(password, hash, data);
    int matches = 0;
    if (result && result[0] != '*') {
        size_t length = strlen(hash);
        if (strlen(result) == length) {
            unsigned char difference = 0;
            for (size_t i = 0; i < length; i++) difference |= (unsigned char)(result[i] ^ hash[i]);
            matches = difference == 0;
        }
    }
    explicit_bzero(data, sizeof(struct crypt_data));
    free(data);
    return matches;
}
