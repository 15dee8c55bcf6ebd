#include "utf8.h"

size_t utf8_sequence_len(const char *bytes, size_t len) {
    const unsigned char *b = (const unsigned char *)bytes;
    if (len == 0) {
        return 0;
    }
    if (b[0] < 0x80) {
        return 1;
    }
    size_t need;
    /* The bounds of the second byte exclude overlong forms, surrogates and code points past
     * U+10FFFF (RFC 3629, section 4). */
    unsigned char low = 0x80, high = 0xBF;
    if (b[0] >= 0xC2 && b[0] <= 0xDF) {
        need = 2;
    } else if (b[0] >= 0xE0 && b[0] <= 0xEF) {
        need = 3;
        if (b[0] == 0xE0) {
            low = 0xA0;
        } else if (b[0] == 0xED) {
            high = 0x9F;
        }
    } else if (b[0] >= 0xF0 && b[0] <= 0xF4) {
        need = 4;
        if (b[0] == 0xF0) {
            low = 0x90;
        } else if (b[0] == 0xF4) {
            high = 0x8F;
        }
    } else {
        return 0;
    }
    if (len < need || b[1] < low || b[1] > high) {
        return 0;
    }
    for (size_t i = 2; i < need; i++) {
        if (b[i] < 0x80 || b[i] > 0xBF) {
            return 0;
        }
    }
    return need;
}

uint32_t utf8_decode(const char *bytes, size_t *len) {
    const unsigned char *b = (const unsigned char *)bytes;
    if (b[0] < 0x80) {
        *len = 1;
        return b[0];
    }
    if (b[0] < 0xE0) {
        *len = 2;
        return ((uint32_t)(b[0] & 0x1F) << 6) | (b[1] & 0x3F);
    }
    if (b[0] < 0xF0) {
        *len = 3;
        return ((uint32_t)(b[0] & 0x0F) << 12) | ((uint32_t)(b[1] & 0x3F) << 6) | (b[2] & 0x3F);
    }
    *len = 4;
    return ((uint32_t)(b[0] & 0x07) << 18) | ((uint32_t)(b[1] & 0x3F) << 12) | ((uint32_t)(b[2] & 0x3F) << 6) |
           (b[3] & 0x3F);
}

size_t utf8_encode(uint32_t code_point, char out[4]) {
    if (code_point < 0x80) {
        out[0] = (char)code_point;
        return 1;
    }
    if (code_point < 0x800) {
        out[0] = (char)(0xC0 | (code_point >> 6));
        out[1] = (char)(0x80 | (code_point & 0x3F));
        return 2;
    }
    if (code_point < 0x10000) {
        out[0] = (char)(0xE0 | (code_point >> 12));
        out[1] = (char)(0x80 | ((code_point >> 6) & 0x3F));
        out[2] = (char)(0x80 | (code_point & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (code_point >> 18));
    out[1] = (char)(0x80 | ((code_point >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((code_point >> 6) & 0x3F));
    out[3] = (char)(0x80 | (code_point & 0x3F));
    return 4;
}

size_t utf8_count(const char *bytes, size_t len) {
    size_t count = 0;
    for (size_t i = 0; i < len; i++) {
        /* Every code point has exactly one byte that is not a continuation byte. */
        if (((unsigned char)bytes[i] & 0xC0) != 0x80) {
            count++;
        }
    }
    return count;
}
