import RetraceEngine
import RetraceSpeculation

/// Plain and speculative runs of one prompt, measured fairly: in alternating order over the
/// rounds (plain first or speculative first, then the other way round: ABBA…), so a drift in
/// the machine's speed favours neither; every speculative run starts from the drafter as it
/// was before the first one (its tries, tri-grams and recycled tokens must not have seen this
/// prompt's own output), and afterwards the drafter keeps what the first run taught it, as a
/// single run would leave it.
enum PairedRuns {
    static func measure(generator: SpeculativeGenerator, rounds: Int, plainFirst: Bool,
                        plain: () throws -> GenerationResult,
                        speculative: () throws -> GenerationResult) throws -> (plain: [GenerationResult], speculative: [GenerationResult]) {
        var drafterBefore: (any Drafter)?
        var drafterAfterFirst: (any Drafter)?
        defer { if let drafterAfterFirst { generator.drafter = drafterAfterFirst } }
        var plainRuns: [GenerationResult] = [], speculativeRuns: [GenerationResult] = []
        func runSpeculative() throws {
            if let drafterBefore { generator.drafter = drafterBefore } else { drafterBefore = generator.drafter }
            speculativeRuns.append(try speculative())
            if drafterAfterFirst == nil { drafterAfterFirst = generator.drafter }
        }
        for round in 0..<rounds {
            if (round % 2 == 0) == plainFirst {
                plainRuns.append(try plain())
                try runSpeculative()
            } else {
                try runSpeculative()
                plainRuns.append(try plain())
            }
        }
        return (plainRuns, speculativeRuns)
    }
}
