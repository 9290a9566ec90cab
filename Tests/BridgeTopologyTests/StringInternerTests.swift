import BridgeTopology
import Foundation
import Testing

@Suite struct StringInternerTests {
    func address(_ string: String) -> UnsafeRawPointer? {
        string.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
    }

    @Test func equalPodsShareTheirLongStringsAfterInterning() throws {
        let json = #"""
            {"metadata":{"name":"p","namespace":"default","resourceVersion":"42","labels":{"app.kubernetes.io/name":"checkout-service"}},
             "spec":{"containers":[{"name":"main","image":"registry.example.com/team/checkout:1.2.3",
               "volumeMounts":[{"name":"v","mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}]}]}}
            """#
        let first = try JSONDecoder().decode(Pod.self, from: Data(json.utf8))
        let second = try JSONDecoder().decode(Pod.self, from: Data(json.utf8))
        let image = try #require(first.spec?.containers?.first?.image)
        #expect(address(image) != address(try #require(second.spec?.containers?.first?.image)))
        var interner = StringInterner()
        let a = first.interned(&interner)
        let b = second.interned(&interner)
        #expect(a == first.withoutResourceVersion)
        let imageA = try #require(a.spec?.containers?.first?.image)
        let imageB = try #require(b.spec?.containers?.first?.image)
        #expect(address(imageA) == address(imageB))
        let labelA = try #require(a.metadata.labels?["app.kubernetes.io/name"])
        let labelB = try #require(b.metadata.labels?["app.kubernetes.io/name"])
        #expect(address(labelA) == address(labelB))
        #expect(a.metadata.resourceVersion == nil)
        #expect(interner.count == 4)  // label key and value, image, mount path; short strings stay inline
    }
}

extension Pod {
    fileprivate var withoutResourceVersion: Pod {
        var copy = self
        copy.metadata.resourceVersion = nil
        return copy
    }
}
