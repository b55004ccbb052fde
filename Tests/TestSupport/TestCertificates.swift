// A throwaway certificate authority, a server certificate for 127.0.0.1 and a client
// certificate, made with the openssl command for the TLS tests (P-256 keys: fast to make).
import Foundation

public struct TestCertificates {
    public let directory: URL
    public var caFile: String { path("ca.pem") }
    public var serverCertificate: String { path("server.pem") }
    public var serverKey: String { path("server.key") }
    public var clientCertificate: String { path("client.pem") }
    public var clientKey: String { path("client.key") }
    /// A second authority that signed nothing here: trusting only it must fail.
    public var unrelatedCAFile: String { path("other-ca.pem") }

    public static let openssl = "/usr/bin/openssl"
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: openssl) }

    public init(in directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("subjectAltName=IP:127.0.0.1\n".utf8).write(to: directory.appendingPathComponent("server.ext"))
        for ca in ["ca", "other-ca"] {
            try run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", path("\(ca).key"), "-out", path("\(ca).pem"), "-days", "2", "-subj", "/CN=clipstream \(ca)"])
        }
        for (name, extensions) in [("server", ["-extfile", path("server.ext")]), ("client", [])] {
            try run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", "/CN=127.0.0.1"])
            try run(["x509", "-req", "-in", path("\(name).csr"), "-CA", caFile, "-CAkey", path("ca.key"),
                     "-CAcreateserial", "-out", path("\(name).pem"), "-days", "2"] + extensions)
        }
    }

    public var brokerFiles: MosquittoBroker.TLSFiles {
        MosquittoBroker.TLSFiles(caFile: caFile, certificateFile: serverCertificate, keyFile: serverKey)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func run(_ arguments: [String]) throws {
        let status = try ChildProcess(Self.openssl, arguments).waitForExit()
        if status != 0 {
            throw MosquittoBroker.BrokerError(message: "openssl \(arguments.prefix(2).joined(separator: " ")) failed with status \(status)")
        }
    }
}
