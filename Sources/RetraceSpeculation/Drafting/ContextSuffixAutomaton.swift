public import RetraceCore

/// An incrementally built suffix automaton over the live context (prompt and generated
/// tokens). Appending a token costs amortised O(1); afterwards the longest suffix of the
/// context that also occurred earlier is known at once, and from its state every token that
/// ever followed it, with how often and where it last did, is one transition away, so a
/// continuation tree is read off in time proportional to its size, however long the context.
///
/// Each state also keeps its occurrence count and its most recent end position. Keeping
/// them exact means walking the suffix-link chain on every append, which is short for natural
/// text but as long as the period for periodic text, so the walk stops after
/// ``maxChainUpdates`` states: only the shortest patterns of a long periodic run undercount.
/// Pure.
public struct ContextSuffixAutomaton: Sendable {
    /// A state: the class of substrings that end at the same set of positions.
    public struct State: Hashable, Sendable { public let id: Int32 }

    public private(set) var tokens: [TokenID] = []
    private var length: [Int32] = [0]
    private var link: [Int32] = [-1]
    private var count: [Int32] = [0]
    private var lastEnd: [Int32] = [-1]
    /// Transitions, by (state, token): the edge holding the target.
    private var transitions: [UInt64: Int32] = [:]
    /// Per state, its outgoing edges as a linked list (newest first), each with its token and
    /// target, so reading a state's continuations needs no lookups.
    private var firstEdge: [Int32] = [-1]
    private var edgeToken: [TokenID] = []
    private var edgeTarget: [Int32] = []
    private var edgeNext: [Int32] = []
    private var last: Int32 = 0
    /// Longest suffix-link walk per append that keeps counts and end positions current.
    public var maxChainUpdates = 64

    public init() {}

    public var root: State { State(id: 0) }
    public var stateCount: Int { length.count }

    /// Bytes held by the structure (token copy, state arrays, edges, transition table).
    public var memoryBytes: Int {
        tokens.capacity * 4 + length.capacity * 4 * 5 + (edgeToken.capacity + edgeTarget.capacity + edgeNext.capacity) * 4
            + transitions.capacity * 16
    }

    private static func key(_ state: Int32, _ token: TokenID) -> UInt64 { UInt64(UInt32(state)) << 32 | UInt64(token) }

    private func next(_ state: Int32, _ token: TokenID) -> Int32? {
        transitions[Self.key(state, token)].map { edgeTarget[Int($0)] }
    }

    private mutating func setNext(_ state: Int32, _ token: TokenID, _ target: Int32) {
        let key = Self.key(state, token)
        if let edge = transitions[key] {
            edgeTarget[Int(edge)] = target
        } else {
            transitions[key] = Int32(edgeToken.count)
            edgeToken.append(token)
            edgeTarget.append(target)
            edgeNext.append(firstEdge[Int(state)])
            firstEdge[Int(state)] = Int32(edgeToken.count - 1)
        }
    }

    private mutating func newState(length l: Int32, link k: Int32, count c: Int32, lastEnd e: Int32) -> Int32 {
        length.append(l)
        link.append(k)
        count.append(c)
        lastEnd.append(e)
        firstEdge.append(-1)
        return Int32(length.count - 1)
    }

    public mutating func append(contentsOf new: some Sequence<TokenID>) {
        for token in new { append(token) }
    }

    /// Appends one token (the classic online construction).
    public mutating func append(_ token: TokenID) {
        let position = Int32(tokens.count)
        tokens.append(token)
        let current = newState(length: length[Int(last)] + 1, link: 0, count: 0, lastEnd: -1)
        var p = last
        while p != -1, next(p, token) == nil {
            setNext(p, token, current)
            p = link[Int(p)]
        }
        if p != -1 {
            let q = next(p, token)!
            if length[Int(p)] + 1 == length[Int(q)] {
                link[Int(current)] = q
            } else {
                let qi = Int(q)
                let clone = newState(length: length[Int(p)] + 1, link: link[qi], count: count[qi],
                                     lastEnd: lastEnd[qi])
                var edge = firstEdge[qi]
                var outgoing: [(token: TokenID, target: Int32)] = []
                while edge != -1 {
                    outgoing.append((edgeToken[Int(edge)], edgeTarget[Int(edge)]))
                    edge = edgeNext[Int(edge)]
                }
                for e in outgoing.reversed() { setNext(clone, e.token, e.target) }
                var r = p
                while r != -1, next(r, token) == q {
                    setNext(r, token, clone)
                    r = link[Int(r)]
                }
                link[qi] = clone
                link[Int(current)] = clone
            }
        }
        last = current
        // The new end position belongs to every suffix of the text: the suffix-link chain.
        var s = current
        var walked = 0
        while s > 0, walked < maxChainUpdates {
            let i = Int(s)
            count[i] += 1
            lastEnd[i] = position
            s = link[i]
            walked += 1
        }
    }

    /// The longest suffix of the context that also ends at an earlier position, as a state and
    /// a length (0 and the root when the last token is new).
    public var longestRepeatedSuffix: (state: State, length: Int) {
        let s = link[Int(last)]
        return s <= 0 ? (root, 0) : (State(id: s), Int(length[Int(s)]))
    }

    /// The shorter suffix class below `state` (its suffix link), with its longest length; nil at the root.
    public func shorter(_ state: State) -> (state: State, length: Int)? {
        let s = link[Int(state.id)]
        return s <= 0 ? nil : (State(id: s), Int(length[Int(s)]))
    }

    /// A token that followed the pattern of a state: the state reached, how many times it
    /// followed, and the position right after its most recent such occurrence (where a copy
    /// would continue; the context's length when that occurrence ends the context).
    public struct Continuation: Sendable, Equatable {
        public var token: TokenID
        public var state: State
        public var occurrences: Int
        public var resume: Int
    }

    /// Tokens that followed the state's pattern, newest edge first, at most `limit`.
    public func continuations(of state: State, limit: Int = 64) -> [Continuation] {
        var out: [Continuation] = []
        continuations(of: state, limit: limit, into: &out)
        return out
    }

    /// ``continuations(of:limit:)`` into `out` (emptied first, its storage reused).
    public func continuations(of state: State, limit: Int = 64, into out: inout [Continuation]) {
        out.removeAll(keepingCapacity: true)
        var edge = firstEdge[Int(state.id)]
        while edge != -1, out.count < limit {
            let token = edgeToken[Int(edge)]
            let target = edgeTarget[Int(edge)]
            out.append(Continuation(token: token, state: State(id: target), occurrences: Int(count[Int(target)]),
                                    resume: Int(lastEnd[Int(target)]) + 1))
            edge = edgeNext[Int(edge)]
        }
    }

    /// The state of `pattern`, if it occurs (walks from the root).
    public func state(of pattern: some Sequence<TokenID>) -> State? {
        var s: Int32 = 0
        for t in pattern {
            guard let n = next(s, t) else { return nil }
            s = n
        }
        return State(id: s)
    }

    /// How often the state's pattern occurs in the context.
    public func occurrences(of state: State) -> Int { Int(count[Int(state.id)]) }

    /// The end position of the state's most recent occurrence.
    public func lastEnd(of state: State) -> Int { Int(lastEnd[Int(state.id)]) }
}
