#ifndef RETRACE_SUPPORT_H
#define RETRACE_SUPPORT_H

/// Hints the CPU to start loading the cache line at `address`: lets memory-bound loops
/// (suffix-array induction) overlap their random reads.
static inline void retrace_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// As `retrace_prefetch`, for a line about to be written.
static inline void retrace_prefetch_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

/// The largest of `values[0..<n]`, NaNs ignored (-infinity when there is none). Vectorised:
/// a verification reads every logits row it asks about, 49k floats for SmolLM2.
float retrace_max_f32(const float *values, long n);

/// The first index in `start..<n` whose value is greater than `threshold`, or `n`.
long retrace_first_above_f32(const float *values, long start, long n, float threshold);

/// The first index in `start..<n` whose value is at least `threshold`, or `n`.
long retrace_first_at_least_f32(const float *values, long start, long n, float threshold);

#endif
