import COpenSSL
import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Files for TLS: which CAs to trust and an optional client certificate for mutual TLS.
public struct TLSFiles: Sendable {
    /// PEM file of trusted CAs; `nil` uses the system's default trust store.
    public var caFile: String?
    /// PEM file with the client certificate (and any intermediates).
    public var certificateFile: String?
    /// PEM file with the client certificate's key; `nil` reads it from `certificateFile`.
    public var keyFile: String?

    /// Creates the settings.
    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }
}

/// An OpenSSL client context: TLS 1.2 or later, peer verification against the CA file or the
/// system trust store, and the client certificate when one is given.
package final class TLSClientContext: @unchecked Sendable {
    // Safe to share: the context is only read after init, which OpenSSL allows from any thread.
    package let context: OpaquePointer

    /// Loads `files`; an error names the file that cannot be used.
    package init(_ files: TLSFiles) throws(TransportError) {
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw TransportError("cannot create a TLS context: \(OpenSSLError.last())")
        }
        self.context = context
        _ = statehouse_ssl_ctx_set_min_tls12(context)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        if let caFile = files.caFile {
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                throw TransportError("cannot load the CA file \(caFile): \(OpenSSLError.last())")
            }
        } else {
            guard SSL_CTX_set_default_verify_paths(context) == 1 else {
                throw TransportError("cannot load the system's trusted CAs: \(OpenSSLError.last())")
            }
        }
        if let certificateFile = files.certificateFile {
            let keyFile = files.keyFile ?? certificateFile
            guard SSL_CTX_use_certificate_chain_file(context, certificateFile) == 1 else {
                throw TransportError("cannot load the client certificate \(certificateFile): \(OpenSSLError.last())")
            }
            guard SSL_CTX_use_PrivateKey_file(context, keyFile, SSL_FILETYPE_PEM) == 1,
                SSL_CTX_check_private_key(context) == 1
            else {
                throw TransportError("cannot use the client key \(keyFile): \(OpenSSLError.last())")
            }
        }
    }

    deinit { SSL_CTX_free(self.context) }
}

/// A TLS session over a ``TCPConnection``; the handshake, with SNI and verification of `host`
/// (a DNS name or an IP address), happens in `init`.
package final class TLSConnection: ByteStream {
    private let ssl: OpaquePointer
    /// Kept alive as long as the session: it owns the descriptor.
    private let tcp: TCPConnection
    /// Whether the handshake completed (OpenSSL forbids a shutdown after a fatal error).
    private var established = false

    package init(context: TLSClientContext, over tcp: TCPConnection, host: String) throws(TransportError) {
        guard let ssl = SSL_new(context.context) else { throw TransportError("SSL_new: \(OpenSSLError.last())") }
        self.ssl = ssl
        self.tcp = tcp
        SSL_set_fd(ssl, tcp.fd)
        if isIPAddress(host) {
            _ = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
        } else {
            // SSL_set_tlsext_host_name is a macro over SSL_ctrl.
            _ = host.withCString { name in
                SSL_ctrl(
                    ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, Int(TLSEXT_NAMETYPE_host_name),
                    UnsafeMutableRawPointer(mutating: name))
            }
            _ = SSL_set1_host(ssl, host)
        }
        ERR_clear_error()
        let result = SSL_connect(ssl)
        guard result == 1 else {
            let verification = SSL_get_verify_result(ssl)
            if verification != X509_V_OK {
                throw TransportError(
                    "TLS certificate verification failed: \(String(cString: X509_verify_cert_error_string(verification)))"
                )
            }
            throw self.failure("TLS handshake", result)
        }
        self.established = true
    }

    deinit {
        if self.established {
            ERR_clear_error()
            _ = SSL_shutdown(self.ssl)
            ERR_clear_error()
        }
        SSL_free(self.ssl)
    }

    package func write(_ bytes: [UInt8]) throws(TransportError) {
        var offset = 0
        while offset < bytes.count {
            ERR_clear_error()
            let written = bytes.withUnsafeBytes { raw in
                SSL_write(self.ssl, raw.baseAddress! + offset, Int32(clamping: raw.count - offset))
            }
            guard written > 0 else { throw self.failure("TLS write", written) }
            offset += Int(written)
        }
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(TransportError) -> Int {
        ERR_clear_error()
        let count = SSL_read(self.ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        if count > 0 { return Int(count) }
        let code = SSL_get_error(self.ssl, count)
        // A peer that closes without close_notify ends the stream too; the framing of the
        // response tells whether anything is missing.
        if code == SSL_ERROR_ZERO_RETURN
            || code == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING
            || code == SSL_ERROR_SYSCALL && errno == 0
        {
            ERR_clear_error()
            return 0
        }
        throw self.failure("TLS read", count)
    }

    /// Describes a failed OpenSSL I/O call that returned `result`.
    private func failure(_ operation: String, _ result: Int32) -> TransportError {
        let code = SSL_get_error(self.ssl, result)
        if code == SSL_ERROR_SYSCALL || code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE {
            let number = errno
            ERR_clear_error()
            if number == EAGAIN || number == EWOULDBLOCK { return TransportError("\(operation): timed out") }
            if number != 0 { return TransportError.system(operation, number) }
            return TransportError("\(operation): the server closed the connection")
        }
        return TransportError("\(operation): \(OpenSSLError.last())")
    }
}

/// Whether `host` is an IPv4 or IPv6 literal (no SNI, and verified against IP SANs).
private func isIPAddress(_ host: String) -> Bool {
    var address = in6_addr()
    return inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1
}
