import Dispatch
import SystemSupport

/// Runs blocking work on a thread of its own, so that a task waiting for it never holds a thread
/// of the cooperative pool.
enum BlockingWork {
    /// The result of `work`, run on a new thread.
    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            do {
                try ThreadSpawner.spawn(stackSize: 1 << 20) { continuation.resume(returning: work()) }
            } catch {
                // No thread of our own to be had: Dispatch's pool, never the cooperative one.
                DispatchQueue.global().async { continuation.resume(returning: work()) }
            }
        }
    }
}
