import COpenSSL
import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// TLS settings: the server's certificate and, for mutual TLS, the CA that client
/// certificates must chain to.
public struct TLSConfiguration: Sendable {
    /// Whether clients must, may or may not present a certificate.
    public enum ClientAuthentication: String, Sendable, CaseIterable {
        /// No client certificates are asked for.
        case none
        /// A certificate is asked for; without one the client authenticates otherwise.
        case optional
        /// The handshake fails without a valid client certificate.
        case required
    }

    /// PEM file with the server certificate followed by any intermediates.
    public var certificateChainFile: String
    /// PEM file with the server's private key.
    public var privateKeyFile: String
    /// PEM file with the CAs client certificates must chain to (needed unless `none`).
    public var clientCAFile: String?
    /// Whether client certificates are required.
    public var clientAuthentication: ClientAuthentication

    /// Creates a configuration.
    public init(
        certificateChainFile: String, privateKeyFile: String, clientCAFile: String? = nil,
        clientAuthentication: ClientAuthentication = .none
    ) {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.clientCAFile = clientCAFile
        self.clientAuthentication = clientAuthentication
    }
}

/// A client certificate that verified against the configured CA.
public struct ClientCertificate: Equatable, Sendable {
    /// The subject's common name (CN).
    public let commonName: String

    /// Creates a certificate identity.
    public init(commonName: String) {
        self.commonName = commonName
    }
}

/// The shared OpenSSL context: certificates, keys and verification settings. OpenSSL allows
/// creating connections from one context on many threads.
final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer

    init(_ configuration: TLSConfiguration) throws(ServerStartError) {
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw ServerStartError(description: "cannot create a TLS context: \(OpenSSLError.last())")
        }
        self.context = context
        _ = statehouse_ssl_ctx_set_min_tls12(context)
        _ = statehouse_ssl_ctx_set_partial_writes(context)
        // Without a session id context OpenSSL refuses every resumed session once client
        // certificates are verified (curl and proxies resume sessions).
        let sessionContext = Array("statehouse".utf8)
        _ = SSL_CTX_set_session_id_context(context, sessionContext, UInt32(sessionContext.count))
        guard SSL_CTX_use_certificate_chain_file(context, configuration.certificateChainFile) == 1 else {
            throw ServerStartError(
                description:
                    "cannot load the TLS certificate \(configuration.certificateChainFile): \(OpenSSLError.last())")
        }
        guard SSL_CTX_use_PrivateKey_file(context, configuration.privateKeyFile, SSL_FILETYPE_PEM) == 1,
            SSL_CTX_check_private_key(context) == 1
        else {
            throw ServerStartError(
                description: "cannot use the TLS key \(configuration.privateKeyFile): \(OpenSSLError.last())")
        }
        if configuration.clientAuthentication != .none {
            guard let file = configuration.clientCAFile,
                SSL_CTX_load_verify_locations(context, file, nil) == 1, let names = SSL_load_client_CA_file(file)
            else {
                throw ServerStartError(
                    description:
                        "cannot load the client CA \(configuration.clientCAFile ?? "(not set)"): \(OpenSSLError.last())"
                )
            }
            SSL_CTX_set_client_CA_list(context, names)
            let mode =
                configuration.clientAuthentication == .required
                ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_PEER
            SSL_CTX_set_verify(context, mode, nil)
        }
    }

    deinit { SSL_CTX_free(self.context) }
}

/// One TLS connection over a non-blocking socket; every wait is a poll(2) bounded by a deadline.
final class TLSStream {
    private let ssl: OpaquePointer
    private let fd: Int32
    /// Set after a fatal TLS error, after which OpenSSL forbids SSL_shutdown.
    private var broken = false

    init(context: TLSContext, fd: Int32) throws(SystemError) {
        _ = try syscall("fcntl") { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        guard let ssl = SSL_new(context.context) else { throw SystemError(call: "SSL_new", code: ENOMEM) }
        SSL_set_fd(ssl, fd)
        self.ssl = ssl
        self.fd = fd
    }

    deinit { SSL_free(self.ssl) }

    private enum Step {
        case done(Int32)
        case wait(events: Int16)
        case closed
        case failed
    }

    /// Runs one OpenSSL I/O call and interprets its result. The thread's error queue is
    /// cleared first: a stale error left by any other OpenSSL user on this thread (libpq over
    /// TLS, say) would otherwise turn a harmless WANT_READ into a fatal error.
    private func step(_ call: () -> Int32) -> Step {
        ERR_clear_error()
        let result = call()
        if result > 0 { return .done(result) }
        switch SSL_get_error(self.ssl, result) {
        case SSL_ERROR_WANT_READ: return .wait(events: Int16(POLLIN))
        case SSL_ERROR_WANT_WRITE: return .wait(events: Int16(POLLOUT))
        case SSL_ERROR_ZERO_RETURN: return .closed
        default:
            ERR_clear_error()
            self.broken = true
            return result == 0 ? .closed : .failed
        }
    }

    /// Waits until the socket is ready for `events` or `deadline` passes; `.timedOut` then.
    private func wait(_ events: Int16, until deadline: ContinuousClock.Instant) throws(SystemError)
        -> Socket.ReadResult?
    {
        var descriptor = pollfd(fd: self.fd, events: events, revents: 0)
        let left = deadline - .now
        guard left > .zero else { return .timedOut }
        let ready = try syscall("poll") { poll(&descriptor, 1, left.pollMilliseconds) }
        return ready == 0 ? .timedOut : nil
    }

    /// Completes the TLS handshake before `deadline`; returns the verified client certificate,
    /// if any. Throws when the peer does not speak TLS, fails verification or is too slow.
    func handshake(deadline: ContinuousClock.Instant) throws(SystemError) -> ClientCertificate? {
        while true {
            switch self.step({ SSL_accept(self.ssl) }) {
            case .done:
                return self.verifiedPeer()
            case .wait(let events):
                if try self.wait(events, until: deadline) != nil {
                    throw SystemError(call: "SSL_accept", code: ETIMEDOUT)
                }
            case .closed, .failed:
                throw SystemError(call: "SSL_accept", code: EPROTO)
            }
        }
    }

    /// The longest common name accepted (the X.509 upper bound is 64).
    private static let maxCommonNameLength = 64

    /// The verified peer's identity: exactly one subject CN, valid UTF-8, at most 64 bytes;
    /// anything else is treated as no certificate.
    private func verifiedPeer() -> ClientCertificate? {
        guard let certificate = SSL_get1_peer_certificate(self.ssl) else { return nil }
        defer { X509_free(certificate) }
        guard SSL_get_verify_result(self.ssl) == X509_V_OK else { return nil }
        var utf8: UnsafeMutablePointer<UInt8>? = nil
        let length = statehouse_x509_common_name_utf8(certificate, &utf8)
        defer { statehouse_openssl_free(utf8) }
        guard let utf8, length > 0, length <= TLSStream.maxCommonNameLength,
            let name = String(validating: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self),
            !name.utf8.contains(0)
        else { return nil }
        return ClientCertificate(commonName: name)
    }

    /// Whether OpenSSL holds decrypted input already read from the socket, which a wait for the
    /// socket would not see. (Without read-ahead OpenSSL reads no further than the record it
    /// decrypts, so a partial record waits for the socket.)
    var hasBufferedInput: Bool { SSL_pending(self.ssl) > 0 }

    /// Reads decrypted bytes, waiting up to `timeout`.
    func read(into buffer: UnsafeMutableRawBufferPointer, timeout: Duration) throws(SystemError)
        -> Socket.ReadResult
    {
        let deadline = ContinuousClock.now + timeout
        while true {
            switch self.step({ SSL_read(self.ssl, buffer.baseAddress, Int32(buffer.count)) }) {
            case .done(let count):
                return .data(Int(count))
            case .wait(let events):
                if let outcome = try self.wait(events, until: deadline) { return outcome }
            case .closed, .failed:
                return .closed
            }
        }
    }

    /// Writes `head` then `body` within `timeout`.
    func write(_ head: [UInt8], _ body: [UInt8], timeout: Duration) throws(SystemError) {
        let deadline = ContinuousClock.now + timeout
        for part in [head, body] where !part.isEmpty {
            var offset = 0
            while offset < part.count {
                let outcome = part.withUnsafeBytes { bytes in
                    self.step {
                        SSL_write(self.ssl, bytes.baseAddress! + offset, Int32(min(bytes.count - offset, 1 << 30)))
                    }
                }
                switch outcome {
                case .done(let count):
                    offset += Int(count)
                case .wait(let events):
                    if try self.wait(events, until: deadline) != nil {
                        throw SystemError(call: "SSL_write", code: EAGAIN)
                    }
                case .closed, .failed:
                    throw SystemError(call: "SSL_write", code: EPIPE)
                }
            }
        }
    }

    /// Sends close_notify without waiting for the peer's (unless the session already failed).
    func shutdown() {
        guard !self.broken else { return }
        ERR_clear_error()
        _ = SSL_shutdown(self.ssl)
        ERR_clear_error()
    }
}
