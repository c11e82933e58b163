import CLinux
import Foundation
import Glibc
import Synchronization

/// One thread waiting in `epoll_wait` for many file descriptors, calling a handler when one is readable.
///
/// It watches what would otherwise need a thread each: listening sockets, child processes (through pidfds) and the
/// pipes carrying their output. Handlers run on the reactor's thread, one at a time, so they must not block.
public final class Reactor: Sendable {
    /// Called when the descriptor is readable (or hung up). Returns false to stop watching it.
    public typealias Handler = @Sendable (Int32) -> Bool

    private let epoll: Int32
    private let wakeup: Int32
    private let handlers = Mutex<[Int32: Handler]>([:])
    private let running = Atomic<Bool>(true)
    private let logger: Logger

    /// Starts the reactor's thread.
    public init(name: String, logger: Logger) throws(SystemError) {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw SystemError("epoll_create1") }
        wakeup = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard wakeup >= 0 else { throw SystemError("eventfd") }
        self.logger = logger
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wakeup
        epoll_ctl(epoll, EPOLL_CTL_ADD, wakeup, &event)
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        thread.start()
    }

    /// Watches `descriptor` until its handler returns false or ``remove(_:)`` is called.
    public func watch(_ descriptor: Int32, _ handler: @escaping Handler) throws(SystemError) {
        handlers.withLock { $0[descriptor] = handler }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLRDHUP.rawValue
        event.data.fd = descriptor
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, descriptor, &event) == 0 else {
            let error = SystemError("epoll_ctl", path: "fd \(descriptor)")
            handlers.withLock { _ = $0.removeValue(forKey: descriptor) }
            throw error
        }
    }

    /// Stops watching `descriptor`. The caller still owns and closes it.
    public func remove(_ descriptor: Int32) {
        handlers.withLock { _ = $0.removeValue(forKey: descriptor) }
        epoll_ctl(epoll, EPOLL_CTL_DEL, descriptor, nil)
    }

    /// Stops the thread after its current wait.
    public func stop() {
        running.store(false, ordering: .releasing)
        var one: UInt64 = 1
        _ = Foundation.write(wakeup, &one, 8)
    }

    private func loop() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while running.load(ordering: .acquiring) {
            let count = events.withUnsafeMutableBufferPointer { epoll_wait(epoll, $0.baseAddress, 64, -1) }
            if count < 0 {
                if errno == EINTR { continue }
                logger.error("epoll_wait failed", [("error.message", String(cString: strerror(errno)))])
                return
            }
            for index in 0..<Int(count) {
                let descriptor = events[index].data.fd
                if descriptor == wakeup {
                    var value: UInt64 = 0
                    _ = Foundation.read(wakeup, &value, 8)
                    continue
                }
                guard let handler = handlers.withLock({ $0[descriptor] }) else { continue }
                if !handler(descriptor) { remove(descriptor) }
            }
        }
        close(epoll)
        close(wakeup)
    }
}
