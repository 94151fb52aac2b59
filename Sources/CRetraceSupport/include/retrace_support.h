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

#endif
