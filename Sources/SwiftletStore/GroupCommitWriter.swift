import Foundation
import Synchronization

/// One thread that owns a SQLite connection and writes for everybody: work submitted while a transaction commits
/// waits for the next one, so that under load many submissions share one `COMMIT` (one fsync) and each is
/// answered after it.
///
/// Each submission runs inside its own savepoint, so a failing one is rolled back and reported alone while the
/// others of its transaction commit.
public final class GroupCommitWriter<Work: Sendable>: Sendable {
    /// Applies one submission's work on the writer's connection.
    public typealias Apply = @Sendable (SQLiteConnection, Work) throws -> Void
    /// Told whether a submission is durable.
    public typealias Completion = @Sendable (Result<Void, any Error>) -> Void

    private struct Submission {
        let work: Work
        let completion: Completion
    }

    private struct State {
        var pending: [Submission] = []
        /// True while the thread sleeps on `wake`; the submitter that clears it signals.
        var sleeping = false
        var closed = false
    }

    /// The writer's connection, used only by the writer thread once it started.
    private struct ConnectionBox: @unchecked Sendable {
        let connection: SQLiteConnection
    }

    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let apply: Apply

    /// Starts the writer thread on `connection`, which nobody else may use afterwards.
    /// - Parameters:
    ///   - name: the thread's name, seen in debuggers.
    ///   - connection: the connection the thread owns.
    ///   - apply: runs one submission's work inside the open transaction.
    public init(name: String, connection: SQLiteConnection, apply: @escaping Apply) {
        self.apply = apply
        let box = ConnectionBox(connection: connection)
        let thread = Thread { [self] in self.run(box.connection) }
        thread.name = name
        thread.start()
    }

    /// Queues `work`; `completion` is called on the writer thread once it is committed or failed. After ``close()``
    /// the completion is called at once with ``SQLiteError``.
    public func submit(_ work: Work, completion: @escaping Completion) {
        let (accepted, signal) = state.withLock { state -> (Bool, Bool) in
            guard !state.closed else { return (false, false) }
            state.pending.append(Submission(work: work, completion: completion))
            let signal = state.sleeping
            state.sleeping = false
            return (true, signal)
        }
        if signal { wake.signal() }
        if !accepted {
            completion(.failure(SQLiteError(code: 21, message: "the writer is closed", context: "submit")))
        }
    }

    /// Commits what was submitted, then stops the thread and waits for it.
    public func close() {
        let signal = state.withLock { state -> Bool? in
            guard !state.closed else { return nil }
            state.closed = true
            let signal = state.sleeping
            state.sleeping = false
            return signal
        }
        guard let signal else { return }
        if signal { wake.signal() }
        finished.wait()
    }

    private func run(_ connection: SQLiteConnection) {
        while true {
            let (batch, stop) = state.withLock { state -> ([Submission], Bool) in
                let batch = state.pending
                state.pending.removeAll(keepingCapacity: true)
                if batch.isEmpty && !state.closed { state.sleeping = true }
                return (batch, batch.isEmpty && state.closed)
            }
            if stop { break }
            if batch.isEmpty {
                wake.wait()
                continue
            }
            commit(batch, on: connection)
        }
        finished.signal()
    }

    private func commit(_ batch: [Submission], on connection: SQLiteConnection) {
        var results: [Result<Void, any Error>] = []
        results.reserveCapacity(batch.count)
        do {
            try connection.execute("BEGIN IMMEDIATE")
            for submission in batch {
                results.append(applyInSavepoint(submission.work, on: connection))
            }
            try connection.execute("COMMIT")
        } catch {
            try? connection.execute("ROLLBACK")
            results = batch.map { _ in .failure(error) }
        }
        for (submission, result) in zip(batch, results) {
            submission.completion(result)
        }
    }

    private func applyInSavepoint(_ work: Work, on connection: SQLiteConnection) -> Result<Void, any Error> {
        do {
            try connection.execute("SAVEPOINT submission")
        } catch {
            return .failure(error)
        }
        do {
            try apply(connection, work)
            try connection.execute("RELEASE submission")
            return .success(())
        } catch {
            try? connection.execute("ROLLBACK TO submission")
            try? connection.execute("RELEASE submission")
            return .failure(error)
        }
    }
}
