import RetraceEngine
import RetraceSpeculation
import RetraceStats

/// Keeps what the drafter learns about its sources in the statistics database, so a new
/// process starts where the last one stopped: one calibration per model and index.
enum StoredCalibration {
    static func scope(modelFingerprint: String, index: String) -> String { "\(modelFingerprint) \(index)" }

    /// Loads the stored calibration into the generator's drafter; returns the cells loaded.
    /// Cells this version cannot place (unknown sources, buckets out of range) are skipped. The
    /// sources' cells and the agreement cells are read separately: when one table is
    /// unreadable, the other is still loaded before the error is thrown.
    @discardableResult
    static func load(into generator: SpeculativeGenerator, from store: StatsStore, scope: String) throws -> Int {
        guard var drafter = generator.drafter as? RetrievalDrafter else { return 0 }
        defer { generator.drafter = drafter }
        var firstError: (any Error)?
        do {
            let entries = try store.loadCalibration(scope: scope).compactMap { r -> SourceCalibration.Entry? in
                guard let source = DraftSource(name: r.source) else { return nil }
                return SourceCalibration.Entry(source: source, matchBucket: r.matchBucket, depthBucket: r.depthBucket,
                                               evidence: r.evidence, hits: r.hits, tries: r.tries)
            }
            drafter.calibration = SourceCalibration(entries: entries)
        } catch {
            firstError = error
        }
        do {
            let agreement = try store.loadAgreementCalibration(scope: scope).compactMap { r -> AgreementCalibration.Entry? in
                guard let sources = sources(named: r.sources) else { return nil }
                return AgreementCalibration.Entry(sources: sources, estimateBucket: r.estimateBucket, depthBucket: r.depthBucket,
                                                  hits: r.hits, tries: r.tries)
            }
            drafter.calibration.agreement = AgreementCalibration(entries: agreement)
        } catch {
            firstError = firstError ?? error
        }
        if let firstError { throw firstError }
        return drafter.calibration.entries.count + drafter.calibration.agreement.entries.count
    }

    /// Stores the generator's drafter calibration, replacing the scope's earlier one.
    static func save(from generator: SpeculativeGenerator, to store: StatsStore, scope: String) throws {
        guard let drafter = generator.drafter as? RetrievalDrafter else { return }
        try store.saveCalibration(drafter.calibration.entries.map {
            CalibrationRecord(source: $0.source.description, matchBucket: $0.matchBucket, depthBucket: $0.depthBucket,
                              evidence: $0.evidence, hits: $0.hits, tries: $0.tries)
        }, agreement: drafter.calibration.agreement.entries.map {
            AgreementRecord(sources: $0.sources.members.map(\.description).joined(separator: "+"),
                            estimateBucket: $0.estimateBucket, depthBucket: $0.depthBucket, hits: $0.hits, tries: $0.tries)
        }, scope: scope)
    }

    /// The set of sources named "context+trie" and the like; nil when a name is unknown.
    private static func sources(named names: String) -> DraftSources? {
        var set = DraftSources()
        for name in names.split(separator: "+") {
            guard let source = DraftSource(name: String(name)) else { return nil }
            set.insert(DraftSources(source))
        }
        return set.isEmpty ? nil : set
    }
}
