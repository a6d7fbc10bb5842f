import Testing
import SystemSupport

@Suite struct SystemTests {
    @Test func countsAtLeastOneCore() {
        #expect(System.activeProcessorCount >= 1)
    }
}
