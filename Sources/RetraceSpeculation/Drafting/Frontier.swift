/// Nodes waiting to be expanded by a source growing its candidates best first: each entry is a
/// sink node (-1: the root) with the source's own state there, taken by the sink's path score.
/// Small (a few dozen entries), so a linear scan beats a heap. Pure.
struct Frontier<State> {
    private var entries: [(node: Int, state: State)]

    init() {
        entries = []
        entries.reserveCapacity(32)
    }

    var count: Int { entries.count }

    mutating func push(_ state: State, at node: Int) { entries.append((node, state)) }

    /// Removes and returns the entry whose node scores best in `sink`.
    mutating func popBest(in sink: CandidateSink) -> (node: Int, state: State)? {
        guard let best = entries.indices.max(by: { sink.score(of: entries[$0].node) < sink.score(of: entries[$1].node) }) else {
            return nil
        }
        entries.swapAt(best, entries.count - 1)
        return entries.removeLast()
    }
}
