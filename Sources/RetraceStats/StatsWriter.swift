import Foundation
import Synchronization

/// Writes steps to a ``StatsStore`` in batches on its own thread, so a decoding loop only
/// pays for appending to an in-memory queue. The queue is bounded: when the database falls
/// far behind, further steps are dropped and counted rather than stalling the caller.
public final class StatsWriter: Sendable {
    private struct State {
        var pending: [StepRecord] = []
        var closed = false
        var dropped = 0
        var failures: [String] = []
    }

    private let store: StatsStore
    private let batchSize: Int
    private let flushInterval: Duration
    private let capacity: Int
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(store: StatsStore, batchSize: Int, flushInterval: Duration, capacity: Int = 100_000) {
        self.store = store
        self.batchSize = batchSize
        self.flushInterval = flushInterval
        self.capacity = capacity
        let thread = Thread { [self] in run() }
        thread.name = "retrace.stats-writer"
        thread.start()
    }

    /// Queues one step. Never waits on the database.
    public func record(_ step: StepRecord) {
        let shouldWake = state.withLock { s -> Bool in
            guard !s.closed else { s.dropped += 1; return false }
            guard s.pending.count < capacity else { s.dropped += 1; return false }
            s.pending.append(step)
            return s.pending.count == batchSize
        }
        if shouldWake { wake.signal() }
    }

    /// Steps dropped because the queue was full or the writer closed.
    public var droppedSteps: Int { state.withLock { $0.dropped } }

    /// Writes what is queued and stops the thread. Returns the write errors seen, if any.
    @discardableResult
    public func close() -> [String] {
        let alreadyClosed = state.withLock { s in defer { s.closed = true }; return s.closed }
        if !alreadyClosed {
            wake.signal()
            finished.wait()
        }
        return state.withLock { $0.failures }
    }

    private func run() {
        let interval = Double(flushInterval.components.seconds) + Double(flushInterval.components.attoseconds) * 1e-18
        while true {
            _ = wake.wait(timeout: .now() + interval)
            let (batch, closed) = state.withLock { s in
                defer { s.pending.removeAll(keepingCapacity: true) }
                return (s.pending, s.closed)
            }
            if !batch.isEmpty {
                do { try store.insert(batch) } catch {
                    state.withLock { $0.failures.append("\(error)") }
                }
            }
            if closed && state.withLock({ $0.pending.isEmpty }) { break }
        }
        finished.signal()
    }
}
