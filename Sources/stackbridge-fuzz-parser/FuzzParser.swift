import BridgeCore

#if canImport(Glibc)
    import Glibc
#endif

/// The libFuzzer entry point: parse the input in both formats, write what was kept, parse that
/// again, and check that the second parse keeps everything (the writer's output is always valid).
/// Both texts are also parsed with the first parse's series shape, as a steady scrape is, which
/// must give exactly what the plain parse gives.
///
/// `make fuzz` builds this target with `-sanitize=fuzzer,address`; `main` then hands over to
/// libFuzzer's driver.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let body = UnsafeBufferPointer(start: size > 0 ? data : nil, count: size)
    for format in ExpositionFormat.allCases {
        var issues = ParseIssues()
        let batch = MetricBatch.parse(body, format: format, issues: &issues)
        var output: [UInt8] = []
        ExpositionWriter(format: format, includeTimestamps: true).emit(batch, into: &output)
        var reparsedIssues = ParseIssues()
        let reparsed = MetricBatch.parse(output, format: format, issues: &reparsedIssues)
        if !reparsedIssues.isEmpty || reparsed.samples.count != batch.samples.count {
            let lines = output.split(separator: 0x0A, omittingEmptySubsequences: false)
            let culprit = reparsedIssues.kept.first.map { lines[$0.line - 1].map { String($0) } } ?? []
            fatalError("writer output did not parse back cleanly (\(format)): \(reparsedIssues.kept), bytes \(culprit)")
        }
        if let shape = MetricBatch.SeriesShape(batch) {
            checkGuidedParse(body, format: format, table: batch.symbols, shape: shape)
            output.withUnsafeBufferPointer { checkGuidedParse($0, format: format, table: batch.symbols, shape: shape) }
        }
    }
    return 0
}

/// Fails when parsing `body` guided by `shape` gives other families, series, values or issues
/// than the plain parse over the same table.
func checkGuidedParse(
    _ body: UnsafeBufferPointer<UInt8>, format: ExpositionFormat, table: SymbolTable, shape: MetricBatch.SeriesShape
) {
    var plainIssues = ParseIssues()
    let plain = MetricBatch.parse(body, format: format, symbols: table, issues: &plainIssues)
    var guidedIssues = ParseIssues()
    let guided = MetricBatch.parse(body, format: format, symbols: table, expected: shape, issues: &guidedIssues)
    guard guided.isIdentical(to: plain), plainIssues == guidedIssues
    else {
        fatalError("parsing with the last series shape differs from the plain parse (\(format))")
    }
}

#if FUZZING
    /// libFuzzer's documented entry for programs that keep their own `main`.
    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// The program entry under `-sanitize=fuzzer`: swiftc then emits no `main` of its own, and SwiftPM
    /// links `main` to `<module>_main`, so this hands control to libFuzzer's driver.
    @_cdecl("stackbridge_fuzz_parser_main")
    func fuzzerEntry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var arguments = argv
        return runFuzzerDriver(&count, &arguments) { fuzzParser($0, $1) }
    }
#else
    /// Without libFuzzer: replay files (a corpus or crash inputs) through the same entry point.
    @main
    enum FuzzReplay {
        static func main() {
            let paths = CommandLine.arguments.dropFirst()
            guard !paths.isEmpty else {
                print("usage: stackbridge-fuzz-parser FILE...  (replays inputs; `make fuzz` builds the fuzzer)")
                exit(2)
            }
            for path in paths {
                guard let bytes = readFile(path) else {
                    print("cannot read \(path)")
                    exit(1)
                }
                _ = bytes.withUnsafeBufferPointer { fuzzParser($0.baseAddress, $0.count) }
            }
            print("replayed \(paths.count) inputs without a failure")
        }

        static func readFile(_ path: String) -> [UInt8]? {
            guard let file = fopen(path, "rb") else { return nil }
            defer { fclose(file) }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = fread(&chunk, 1, chunk.count, file)
                if count <= 0 { break }
                bytes.append(contentsOf: chunk[0..<count])
            }
            return bytes
        }
    }
#endif
