import RetraceEngine
import RetraceSpeculation
import RetraceStats

/// Keeps what the drafter learns about its sources in the statistics database, so a new
/// process starts where the last one stopped: one calibration per model and index.
enum StoredCalibration {
    static func scope(modelFingerprint: String, index: String) -> String { "\(modelFingerprint) \(index)" }

    /// Loads the stored calibration into the generator's drafter; returns the cells loaded.
    @discardableResult
    static func load(into generator: SpeculativeGenerator, from store: StatsStore, scope: String) throws -> Int {
        guard var drafter = generator.drafter as? RetrievalDrafter else { return 0 }
        var sourceEntries: [SourceCalibration.Entry] = []
        var agreementEntries: [AgreementCalibration.Entry] = []
        for r in try store.loadCalibration(scope: scope) {
            if let sources = agreementSources(r.source) {
                agreementEntries.append(AgreementCalibration.Entry(sources: sources, estimateBucket: r.matchBucket,
                                                                   depthBucket: r.depthBucket, hits: r.hits, tries: r.tries))
            } else if let source = DraftSource(name: r.source) {
                sourceEntries.append(SourceCalibration.Entry(source: source, matchBucket: r.matchBucket, depthBucket: r.depthBucket,
                                                             evidence: r.evidence, hits: r.hits, tries: r.tries))
            }
        }
        drafter.calibration = SourceCalibration(entries: sourceEntries)
        drafter.calibration.agreement = AgreementCalibration(entries: agreementEntries)
        generator.drafter = drafter
        return drafter.calibration.entries.count + drafter.calibration.agreement.entries.count
    }

    /// Stores the generator's drafter calibration, replacing the scope's earlier one. Cells of
    /// the agreement table are stored as rows whose source is "agreement " and the agreeing
    /// sources joined by "+" (the match bucket holding the tenth of their combined estimate).
    static func save(from generator: SpeculativeGenerator, to store: StatsStore, scope: String) throws {
        guard let drafter = generator.drafter as? RetrievalDrafter else { return }
        let sources = drafter.calibration.entries.map {
            CalibrationRecord(source: $0.source.description, matchBucket: $0.matchBucket, depthBucket: $0.depthBucket,
                              evidence: $0.evidence, hits: $0.hits, tries: $0.tries)
        }
        let agreement = drafter.calibration.agreement.entries.map {
            CalibrationRecord(source: agreementPrefix + $0.sources.members.map(\.description).joined(separator: "+"),
                              matchBucket: $0.estimateBucket, depthBucket: $0.depthBucket, evidence: 0, hits: $0.hits, tries: $0.tries)
        }
        try store.saveCalibration(sources + agreement, scope: scope)
    }

    private static let agreementPrefix = "agreement "

    /// The agreeing sources an agreement row names, nil for a source's own row (or a name this
    /// version does not know, which is skipped like any unknown source).
    private static func agreementSources(_ name: String) -> DraftSources? {
        guard name.hasPrefix(agreementPrefix) else { return nil }
        var set = DraftSources()
        for part in name.dropFirst(agreementPrefix.count).split(separator: "+") {
            guard let source = DraftSource(name: String(part)) else { return nil }
            set.insert(DraftSources(source))
        }
        return set.isEmpty ? nil : set
    }
}
