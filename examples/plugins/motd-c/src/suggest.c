#include "suggest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "utf8.h"

static uint32_t *code_points(const char *text, size_t len, size_t *count) {
    *count = utf8_count(text, len);
    uint32_t *out = alloc_resize(NULL, *count, sizeof *out);
    size_t at = 0;
    for (size_t i = 0; i < *count; i++) {
        size_t width;
        out[i] = utf8_decode(text + at, &width);
        at += width;
    }
    return out;
}

static size_t min2(size_t a, size_t b) {
    return a < b ? a : b;
}

/* Optimal string alignment distance. */
static size_t distance(const uint32_t *a, size_t n, const uint32_t *b, size_t m) {
    size_t columns = m + 1;
    size_t *d = alloc_resize(NULL, (n + 1) * columns, sizeof *d);
    for (size_t i = 0; i <= n; i++) {
        d[i * columns] = i;
    }
    for (size_t j = 0; j <= m; j++) {
        d[j] = j;
    }
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = min2(min2(d[(i - 1) * columns + j] + 1, d[i * columns + j - 1] + 1),
                               d[(i - 1) * columns + j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                best = min2(best, d[(i - 2) * columns + j - 2] + 1);
            }
            d[i * columns + j] = best;
        }
    }
    size_t result = d[n * columns + m];
    free(d);
    return result;
}

const char *suggest_closest(const char *name, size_t name_len, const char *const *candidates, size_t count) {
    size_t n = utf8_count(name, name_len);
    size_t limit = n / 3 < 1 ? 1 : n / 3;
    /* Decoded only once a candidate is near enough in length to need it. */
    uint32_t *a = NULL;
    const char *best = NULL;
    size_t best_distance = SIZE_MAX;
    for (size_t i = 0; i < count; i++) {
        size_t candidate_len = strlen(candidates[i]);
        size_t m = utf8_count(candidates[i], candidate_len);
        /* The difference in length is a lower bound of the distance, so a name far longer
         * than every candidate (a hostile one) costs no more than counting it. */
        if ((n > m ? n - m : m - n) > limit) {
            continue;
        }
        if (a == NULL) {
            a = code_points(name, name_len, &n);
        }
        uint32_t *b = code_points(candidates[i], candidate_len, &m);
        size_t d = distance(a, n, b, m);
        free(b);
        if (d <= limit && (d < best_distance || (d == best_distance && strcmp(candidates[i], best) < 0))) {
            best = candidates[i];
            best_distance = d;
        }
    }
    free(a);
    return best;
}
