/// Consumes a value so that the optimiser keeps the work that produced it: reads done only to
/// map pages in or to evict caches compute a sum nothing uses, and a release build drops such
/// loops entirely (as package-benchmark's `blackHole`).
@_optimize(none)
public func blackHole(_ value: some Any) {}
