import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP connection to 127.0.0.1 that sends exactly the bytes given, when given: what a slow or
/// hostile HTTP client does (half-sent headers, a trickled body).
package final class RawConnection: Sendable {
    private let fd: Int32

    package init(port: Int) throws {
        // The descriptor is this object's only once connected: an initializer that throws
        // after every property is set still runs `deinit`, and a second close of a number
        // another thread has opened since (a lock file libgit2 is writing) closes that file.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            close(fd)
            throw MotoError.notStarted("cannot connect to 127.0.0.1:\(port)")
        }
        self.fd = fd
    }

    deinit { close(fd) }

    package func send(_ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer { Glibc.send(fd, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
    }

    /// `readUntilClosed` on a thread of its own: a blocking read must not hold one of the few
    /// threads every async test shares.
    package func closed(within seconds: Double) async -> String? {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: self.readUntilClosed(seconds: seconds)) }.start()
        }
    }

    /// What the server sent until it closed the connection, or nil when it is still open after
    /// `seconds`.
    package func readUntilClosed(seconds: Double) -> String? {
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let deadline = Date().addingTimeInterval(seconds)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { return String(decoding: received, as: UTF8.self) }
            if count < 0 { return errno == ECONNRESET ? String(decoding: received, as: UTF8.self) : nil }
            received += buffer[..<count]
        }
        return nil
    }
}
