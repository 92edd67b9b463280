@testable import DSBenchKit
import Testing

/// A case measured in rounds (the read scenario's last-message cases) adds its rounds' resources together.
struct CaseResourcesTests {
    private func part(server: Double?, client: Double?, rss: [Int]?) -> CaseResources {
        let summary = rss.map { RSSSummary(startKib: $0.first!, endKib: $0.last!, maxKib: $0.max()!, samples: $0.count, series: $0) }
        return CaseResources(rss: summary, cpu: CPUUsage(serverSeconds: server, clientSeconds: client))
    }

    @Test func cpuTimesAddAndRSSRunsFromFirstStartToLastEnd() {
        var total = part(server: 1.25, client: 0.5, rss: [100, 140, 120])
        total.add(part(server: 0.75, client: 0.25, rss: [120, 110]))
        #expect(total.cpu.serverSeconds == 2)
        #expect(total.cpu.clientSeconds == 0.75)
        #expect(total.rss?.startKib == 100)
        #expect(total.rss?.endKib == 110)
        #expect(total.rss?.maxKib == 140)
        #expect(total.rss?.samples == 5)
        #expect(total.rss?.series == [100, 140, 120, 120, 110])
    }

    @Test func missingMeasurementsTakeWhatTheOtherPartHas() {
        var total = part(server: nil, client: 0.5, rss: nil)
        total.add(part(server: 0.75, client: nil, rss: [90, 95]))
        #expect(total.cpu.serverSeconds == 0.75)
        #expect(total.cpu.clientSeconds == 0.5)
        #expect(total.rss?.startKib == 90)
        #expect(total.rss?.endKib == 95)

        var withoutRSS = part(server: nil, client: nil, rss: [80])
        withoutRSS.add(part(server: nil, client: nil, rss: nil))
        #expect(withoutRSS.rss?.series == [80])
        #expect(withoutRSS.cpu.serverSeconds == nil)
    }
}
