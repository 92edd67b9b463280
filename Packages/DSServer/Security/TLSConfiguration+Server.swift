import NIOSSL

extension TLSConfiguration {
    /// A server TLS configuration from a PEM certificate chain (leaf first) and a PEM private key,
    /// offering HTTP/1.1 over ALPN.
    public static func durableStreamsServer(certificateChainPEMFile: String, privateKeyPEMFile: String) throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMFile(certificateChainPEMFile).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: privateKeyPEMFile, format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        configuration.applicationProtocols = ["http/1.1"]
        return configuration
    }
}
