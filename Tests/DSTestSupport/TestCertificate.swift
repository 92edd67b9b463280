import Foundation
import NIOSSL

/// A throw-away self-signed certificate for `localhost` and `127.0.0.1`, made with the `openssl` command
/// at test time (nothing secret is committed). Files live in a fresh temporary directory.
public struct TestCertificate: Sendable {
    /// The PEM certificate file.
    public let certificatePath: String
    /// The PEM private key file.
    public let keyPath: String
    /// The directory holding both.
    public let directory: URL

    /// Generates a P-256 certificate valid for one day.
    public static func generate() throws -> TestCertificate {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ds-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw TestFailure("openssl failed (\(process.terminationStatus)): \(message)")
        }
        return TestCertificate(certificatePath: certificate, keyPath: key, directory: directory)
    }

    /// A client TLS configuration that trusts only this certificate.
    public func clientConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificatePath))
        return configuration
    }

    /// Removes the files.
    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
