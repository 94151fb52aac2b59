// Inline helpers live in include/retrace_support.h; the vectorised scans over float rows are here.
#include "retrace_support.h"
#include <math.h>

enum { lanes = 16 };

float retrace_max_f32(const float *values, long n) {
    // Independent lanes, so the compiler keeps them in vector registers (a > b ? a : b is
    // what maxps computes, and it ignores a NaN in `a` as the scalar tail below does).
    float m[lanes];
    for (int j = 0; j < lanes; j++) m[j] = -INFINITY;
    long i = 0;
    for (; i + lanes <= n; i += lanes) {
        for (int j = 0; j < lanes; j++) m[j] = values[i + j] > m[j] ? values[i + j] : m[j];
    }
    float best = -INFINITY;
    for (int j = 0; j < lanes; j++) best = m[j] > best ? m[j] : best;
    for (; i < n; i++) best = values[i] > best ? values[i] : best;
    return best;
}

long retrace_first_above_f32(const float *values, long start, long n, float threshold) {
    long i = start;
    // Whole blocks at a time until one holds a value above the threshold.
    for (; i + lanes <= n; i += lanes) {
        int any = 0;
        for (int j = 0; j < lanes; j++) any |= values[i + j] > threshold;
        if (any) break;
    }
    for (; i < n; i++) {
        if (values[i] > threshold) return i;
    }
    return n;
}

long retrace_first_at_least_f32(const float *values, long start, long n, float threshold) {
    long i = start;
    for (; i + lanes <= n; i += lanes) {
        int any = 0;
        for (int j = 0; j < lanes; j++) any |= values[i + j] >= threshold;
        if (any) break;
    }
    for (; i < n; i++) {
        if (values[i] >= threshold) return i;
    }
    return n;
}
