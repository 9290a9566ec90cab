import NIOSSL

extension WebConfig.TLS {
    /// The NIOSSL server configuration; throws when a file cannot be read or parsed.
    public func serverConfiguration() throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMFile(certFile).map { NIOSSLCertificateSource.certificate($0) }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem)))
        configuration.minimumTLSVersion = minVersion == "TLS13" ? .tlsv13 : .tlsv12
        switch clientAuthType {
        case .none:
            configuration.certificateVerification = .none
        case .requireAndVerify:
            // Clients have no host name to check; the chain to client_ca_file is what matters.
            configuration.certificateVerification = .noHostnameVerification
        case .verifyIfGiven:
            configuration.certificateVerification = .optionalVerification
        }
        if let clientCAFile { configuration.trustRoots = .file(clientCAFile) }
        return configuration
    }
}
