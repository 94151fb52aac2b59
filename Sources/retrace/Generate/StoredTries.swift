import RetraceEngine
import RetraceIndex
import RetraceSpeculation

/// Keeps the drafter's n-gram tries in the index's LMDB environment, so past prompts and
/// outputs keep drafting in later processes: one global trie, and one per tenant.
enum StoredTries {
    static let globalScope = "global"
    static func tenantScope(_ tenant: String) -> String { "tenant:" + tenant }

    /// Loads the stored tries into the generator's drafter (the tenant's too, when there is
    /// one); returns the nodes loaded per trie.
    @discardableResult
    static func load(into generator: SpeculativeGenerator, from index: TokenIndex, tenant: String?) throws -> (global: Int, tenant: Int) {
        guard var drafter = generator.drafter as? RetrievalDrafter, var source = drafter.trieSource else { return (0, 0) }
        let global = try index.loadTrie(scope: globalScope)
        source.global = NGramTrie(stored: global.nodes, scale: global.scale)
        if let tenant {
            let own = try index.loadTrie(scope: tenantScope(tenant))
            source.tenant = NGramTrie(stored: own.nodes, scale: own.scale)
        } else {
            source.tenant = nil
        }
        drafter.trieSource = source
        generator.drafter = drafter
        return (source.global.nodeCount, source.tenant?.nodeCount ?? 0)
    }

    /// Writes what changed in the drafter's tries since the last save, one durable
    /// transaction per trie; returns the nodes written.
    @discardableResult
    static func save(from generator: SpeculativeGenerator, to index: TokenIndex, tenant: String?) throws -> Int {
        guard var drafter = generator.drafter as? RetrievalDrafter, var source = drafter.trieSource else { return 0 }
        source.flush()
        let global = source.global.takeChanges()
        try index.saveTrie(scope: globalScope, upserts: global.upserts, removals: global.removals, scale: global.scale)
        var written = global.upserts.count
        if let tenant, source.tenant != nil {
            let own = source.tenant!.takeChanges()
            try index.saveTrie(scope: tenantScope(tenant), upserts: own.upserts, removals: own.removals, scale: own.scale)
            written += own.upserts.count
        }
        drafter.trieSource = source
        generator.drafter = drafter
        return written
    }
}
