import Foundation
import Testing
import RetraceCore
import RetraceLMDB
import RetraceTestSupport
@testable import RetraceIndex

let testTokenizer = TokenizerIdentity.external(name: "test", vocabularySize: 300_000)

func buildIndex(_ docs: [[UInt32]], at path: String, tokenizer: TokenizerIdentity = testTokenizer) throws -> TokenIndex {
    let builder = try IndexBuilder(destination: path, tokenizer: tokenizer, inputs: ["test"])
    for d in docs { try builder.add(document: d) }
    _ = try builder.finish()
    return try TokenIndex(path: path)
}

/// Documents with many repeats: a small alphabet plus copied spans.
func repetitiveDocuments(count: Int, seed: UInt64, alphabet: UInt32 = 6, base: UInt32 = 0) -> [[UInt32]] {
    var rng = SeededGenerator(seed: seed)
    var docs: [[UInt32]] = []
    for _ in 0..<count {
        var d = (0..<Int.random(in: 1...40, using: &rng)).map { _ in base + UInt32.random(in: 0..<alphabet, using: &rng) }
        if let source = docs.randomElement(using: &rng), source.count > 4 {
            let start = Int.random(in: 0..<(source.count - 3), using: &rng)
            d += source[start..<min(source.count, start + Int.random(in: 3...12, using: &rng))]
        }
        docs.append(d)
    }
    return docs
}

/// Contexts of up to 12 tokens ending at random places in the documents.
func contexts(cutFrom docs: [[UInt32]], count: Int, seed: UInt64) -> [[UInt32]] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in
        let d = docs.randomElement(using: &rng)!
        let end = Int.random(in: 1...d.count, using: &rng)
        return Array(d[max(0, end - 12)..<end])
    }
}

@Suite struct TokenIndexTests {
    @Test func queriesEqualBruteForce() throws {
        let dir = TemporaryDirectory()
        for (trial, base) in [UInt32(0), 70_000, 262_000].enumerated() {
            let docs = repetitiveDocuments(count: 120, seed: UInt64(10 + trial), base: base)
            let index = try buildIndex(docs, at: dir.file("i\(trial)"))
            var rng = SeededGenerator(seed: UInt64(100 + trial))
            for q in 0..<150 {
                let context: [UInt32]
                if q % 3 == 0 {
                    context = (0..<Int.random(in: 1...20, using: &rng)).map { _ in base + UInt32.random(in: 0..<7, using: &rng) }
                } else {
                    let d = docs.randomElement(using: &rng)!
                    let end = Int.random(in: 1...d.count, using: &rng)
                    context = Array(d[max(0, end - 20)..<end])
                }
                let options = QueryOptions.exhaustive(maxMatchLength: Int.random(in: 1...16, using: &rng),
                                                      top: Int.random(in: 1...6, using: &rng),
                                                      continuationLength: Int.random(in: 1...8, using: &rng))
                let got = try index.query(context: context, options: options)
                let want = bruteForceQuery(staticDocuments: docs, dynamicDocuments: [], context: context, options: options)
                #expect(got == want, "context \(context) options \(options)")
            }
        }
    }

    @Test func hintedQueriesOfAGrowingTextAnswerAsFreshOnes() throws {
        let dir = TemporaryDirectory()
        let docs = repetitiveDocuments(count: 150, seed: 31)
        let index = try buildIndex(docs, at: dir.file("h"))
        var rng = SeededGenerator(seed: 32)
        for trial in 0..<40 {
            // A text that copies stored spans, then wanders off, as a generation does.
            var text: [UInt32] = []
            var hint: QueryHint?
            var appended = 0
            let options = trial % 2 == 0 ? QueryOptions(maxMatchLength: Int.random(in: 2...16, using: &rng), top: 4)
                : QueryOptions.exhaustive(maxMatchLength: Int.random(in: 1...16, using: &rng), top: 3, continuationLength: 4)
            for _ in 0..<30 {
                var step: [UInt32]
                if Bool.random(using: &rng), let d = docs.randomElement(using: &rng), d.count > 2 {
                    let start = Int.random(in: 0..<d.count - 1, using: &rng)
                    step = Array(d[start..<min(d.count, start + Int.random(in: 1...5, using: &rng))])
                } else {
                    step = (0..<Int.random(in: 1...3, using: &rng)).map { _ in UInt32.random(in: 0..<7, using: &rng) }
                }
                text += step
                appended += step.count
                if Int.random(in: 0..<3, using: &rng) == 0 { continue }  // several commits between queries
                let window = Array(text.suffix(32))
                let got = try index.query(context: window, options: options, hint: &hint, appended: appended)
                appended = 0
                #expect(got == (try index.query(context: window, options: options)), "text \(text)")
            }
            // A hint for another text, or a wrong count of appended tokens, is not trusted.
            var stale = hint
            let other: [UInt32] = [5, 1, 4, 2]
            #expect(try index.query(context: other, options: options, hint: &stale, appended: 1)
                    == (try index.query(context: other, options: options)))
            stale = hint
            let longer = text + [3]
            #expect(try index.query(context: longer, options: options, hint: &stale, appended: 2)
                    == (try index.query(context: longer, options: options)))
        }
    }

    @Test func aResidentIndexAnswersAsTheMappedOne() throws {
        let dir = TemporaryDirectory()
        let docs = repetitiveDocuments(count: 200, seed: 41)
        let mapped = try buildIndex(docs, at: dir.file("r"))
        let resident = try TokenIndex(path: dir.file("r"), resident: true)
        #expect(resident.prefault() == mapped.prefault())
        for context in contexts(cutFrom: docs, count: 100, seed: 42) {
            #expect(try resident.query(context: context) == (try mapped.query(context: context)))
        }
    }

    @Test func anIndexWithoutAPairTableIsReadAndAnswersTheSame() throws {
        let dir = TemporaryDirectory()
        let docs = repetitiveDocuments(count: 200, seed: 43)
        let withPairs = try buildIndex(docs, at: dir.file("p"))
        #expect(withPairs.symbolPairCount ?? 0 > 0)
        // An index as built before pair tables: the same, without the two pair arrays.
        try FileManager.default.copyItem(atPath: dir.file("p"), toPath: dir.file("old"))
        do {
            let env = try Environment(path: dir.file("old"), options: .init(maxDatabases: 8, mapSize: IndexFormat.mapSize))
            let store = try env.openDatabase(IndexFormat.staticDatabase)
            let deleted = try env.write { txn in
                [try txn.delete(store, key: Array(IndexFormat.pairStartsKey.utf8)),
                 try txn.delete(store, key: Array(IndexFormat.pairsKey.utf8))]
            }
            #expect(deleted == [true, true])
        }
        let old = try TokenIndex(path: dir.file("old"))
        #expect(old.symbolPairCount == nil)
        #expect(try old.verify(full: true).isValid)
        for context in contexts(cutFrom: docs, count: 150, seed: 44) {
            #expect(try old.query(context: context) == (try withPairs.query(context: context)))
        }
    }

    @Test func matchesAndContinuationsStopAtDocumentBoundaries() throws {
        let dir = TemporaryDirectory()
        let index = try buildIndex([[1, 2, 3], [4, 5, 6], [3, 4, 9]], at: dir.file("b"))
        // "3 4" spans documents 1 and 2 in the token stream but occurs only inside document 3.
        var r = try index.query(context: [2, 3, 4], options: .exhaustive())
        #expect(r.matchLength == 2 && r.staticOccurrences == 1)
        #expect(r.continuations == [Continuation(tokens: [9], count: 1)])
        // After "6" the document ends: no continuation may come from the next document.
        r = try index.query(context: [5, 6], options: .exhaustive())
        #expect(r.matchLength == 2 && r.continuations.isEmpty)
        r = try index.query(context: [2], options: .exhaustive(continuationLength: 5))
        #expect(r.continuations == [Continuation(tokens: [3], count: 1)])
    }

    @Test func dynamicAppendsAreVisibleAtOnceAndAfterReopening() throws {
        let dir = TemporaryDirectory()
        let docs = repetitiveDocuments(count: 60, seed: 5)
        let path = dir.file("d")
        var index: TokenIndex? = try buildIndex(docs, at: path)
        let added = repetitiveDocuments(count: 30, seed: 6) + [[7, 7, 7, 8, 9, 10]]
        try index!.append(documents: Array(added.prefix(15)))
        try index!.append(documents: Array(added.dropFirst(15)))
        #expect(try index!.dynamicStatistics().documents == added.count)
        func check(_ index: TokenIndex) throws {
            var rng = SeededGenerator(seed: 7)
            for q in 0..<120 {
                let source = q % 2 == 0 ? added : docs
                let d = source.randomElement(using: &rng)!
                let end = Int.random(in: 1...d.count, using: &rng)
                let context = Array(d[max(0, end - 12)..<end])
                let options = QueryOptions.exhaustive(maxMatchLength: 12, top: 5, continuationLength: Int.random(in: 1...6, using: &rng))
                let got = try index.query(context: context, options: options)
                let want = bruteForceQuery(staticDocuments: docs, dynamicDocuments: added, context: context, options: options)
                #expect(got == want, "context \(context)")
            }
            // A match found only in the dynamic store.
            let r = try index.query(context: [7, 7, 7, 8], options: .exhaustive())
            #expect(r.matchLength == 4 && r.dynamicOccurrences == 1)
            #expect(r.continuations.first?.tokens == [9, 10])
        }
        try check(index!)
        index = nil
        try check(try TokenIndex(path: path))
    }

    @Test func largeRangesUseBoundedWorkWithExactCounts() throws {
        let dir = TemporaryDirectory()
        var docs: [[UInt32]] = []
        for i in 0..<4000 { docs.append([1, 2, UInt32(3 + i % 5), UInt32(10 + i % 3)]) }
        let index = try buildIndex(docs, at: dir.file("big"))
        let r = try index.query(context: [1, 2], options: QueryOptions(top: 3, continuationLength: 2))
        #expect(r.matchLength == 2 && r.staticOccurrences == 4000)
        let want = bruteForceQuery(staticDocuments: docs, dynamicDocuments: [], context: [1, 2],
                                   options: .exhaustive(top: 3, continuationLength: 2))
        #expect(r.continuations == want.continuations)
    }

    @Test func rejectsOutOfVocabularyTokens() throws {
        let dir = TemporaryDirectory()
        let small = TokenizerIdentity.external(name: "small", vocabularySize: 10)
        let index = try buildIndex([[1, 2, 3]], at: dir.file("v"), tokenizer: small)
        #expect(throws: IndexError.self) { try index.query(context: [11]) }
        #expect(throws: IndexError.self) { try index.append(documents: [[1, 10]]) }
        let builder = try IndexBuilder(destination: dir.file("w"), tokenizer: small, inputs: [])
        #expect(throws: IndexError.self) { try builder.add(document: [3, 99]) }
    }
}
