public import RetraceCore

extension VerificationResult {
    /// The verification a host reports by the tokens it committed after `tree`: the accepted
    /// path (the tree path along all but the last committed token) and the bonus token. A host
    /// that committed tokens off the tree gets credit for the part that was on it. What the
    /// target predicted at each accepted position is known (the next committed token), and is
    /// reported as its top token there.
    public init(committed tokens: [TokenID], on tree: DraftTree) {
        var accepted: [Int] = []
        var credited: [DraftSource: Int] = [:]
        var node = -1
        for token in tokens.dropLast() {
            guard let child = tree.child(of: node, token: token) else { break }
            accepted.append(child)
            for source in tree.sources[child].members { credited[source, default: 0] += 1 }
            node = child
        }
        var top = [[TokenID]](repeating: [], count: tree.count + 1)
        if let first = tokens.first { top[0] = [first] }
        for (i, node) in accepted.enumerated() { top[node + 1] = [tokens[i + 1]] }
        self.init(acceptedNodes: accepted, tokens: tokens, creditedSources: credited, topTokens: top)
    }
}
