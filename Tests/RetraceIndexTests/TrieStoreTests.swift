import Foundation
import Testing
import RetraceCore
import RetraceTestSupport
@testable import RetraceIndex

/// N-gram tries stored in the index's LMDB environment, per scope.
@Suite struct TrieStoreTests {
    @Test func savesLoadsAndDeletesPerScopeDurably() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("index")
        do {
            let index = try buildIndex([[1, 2, 3, 4]], at: path)
            #expect(try index.loadTrie(scope: "global") == StoredTrie(nodes: [], scale: 1))   // no trie database yet
            try index.saveTrie(scope: "global", upserts: [([5], 2), ([5, 6], 1.5), ([5, 6, 7], 1)], removals: [], scale: 0.5)
            try index.saveTrie(scope: "tenant:a", upserts: [([9], 4)], removals: [], scale: 1)
            try index.saveTrie(scope: "global", upserts: [([5], 3)], removals: [[5, 6, 7]], scale: 0.25)
        }
        // Reopened, as another process would.
        let index = try TokenIndex(path: path)
        let global = try index.loadTrie(scope: "global")
        #expect(global.scale == 0.25)
        #expect(global.nodes.map(\.path) == [[5], [5, 6]] && global.nodes.map(\.raw) == [3, 1.5])
        #expect(try index.loadTrie(scope: "tenant:a").nodes.map(\.path) == [[9]])
        #expect(try index.loadTrie(scope: "tenant:b").nodes.isEmpty)
        // The index itself is untouched.
        #expect(try index.query(context: [1, 2], options: .exhaustive()).continuations.first?.tokens == [3, 4])
    }

    @Test func badScopesAndTokensAreRefused() throws {
        let dir = TemporaryDirectory()
        let index = try buildIndex([[1, 2]], at: dir.file("index"), tokenizer: .external(name: "small", vocabularySize: 10))
        #expect(throws: IndexError.self) { try index.saveTrie(scope: "", upserts: [], removals: [], scale: 1) }
        #expect(throws: IndexError.self) { try index.saveTrie(scope: "a\0b", upserts: [], removals: [], scale: 1) }
        #expect(throws: IndexError.self) { try index.saveTrie(scope: "global", upserts: [([11], 1)], removals: [], scale: 1) }
        #expect(try index.loadTrie(scope: "global").nodes.isEmpty)
    }
}
