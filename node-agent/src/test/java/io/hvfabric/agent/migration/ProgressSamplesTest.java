package io.hvfabric.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hvfabric.proto.v1.MigrationProgress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProgressSamplesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    @Test
    void activeSampleMapsRamCountersRatesAndElapsedTime() throws Exception {
        // Shape of QEMU 7.2's query-migrate while pre-copy runs.
        MigrationProgress p = ProgressSamples.fromQueryMigrate(json("{'status':'active','setup-time':3,"
                + "'total-time':1532,'expected-downtime':87,'cpu-throttle-percentage':20,"
                + "'ram':{'transferred':104857600,'remaining':52428800,'total':268435456,'duplicate':1000,"
                + "'normal':25600,'normal-bytes':104857600,'dirty-pages-rate':2048,'mbps':838.8608,"
                + "'dirty-sync-count':3,'page-size':4096,'postcopy-requests':0}}"));

        assertThat(p.getStatus()).isEqualTo("active");
        assertThat(p.getRound()).isEqualTo(3);
        assertThat(p.getTransferredBytes()).isEqualTo(104_857_600);
        assertThat(p.getRemainingBytes()).isEqualTo(52_428_800);
        assertThat(p.getTotalBytes()).isEqualTo(268_435_456);
        // 2048 pages/s of 4 KiB = 8 MiB/s
        assertThat(p.getDirtyRateMibps()).isCloseTo(8.0, within(1e-9));
        // 838.8608 Mbit/s = 104857600 bytes/s = 100 MiB/s
        assertThat(p.getThroughputMibps()).isCloseTo(100.0, within(1e-9));
        assertThat(p.getExpectedDowntimeMs()).isEqualTo(87);
        assertThat(p.getElapsedMs()).isEqualTo(1532);
        assertThat(p.getCpuThrottlePercent()).isEqualTo(20);
        assertThat(p.getDowntimeMs()).isZero();
        assertThat(p.getError()).isEmpty();
    }

    @Test
    void dirtyRateUsesTheReportedPageSize() throws Exception {
        MigrationProgress p = ProgressSamples.fromQueryMigrate(json(
                "{'status':'active','ram':{'dirty-pages-rate':512,'page-size':65536}}"));
        assertThat(p.getDirtyRateMibps()).isCloseTo(32.0, within(1e-9));
    }

    @Test
    void completedSampleCarriesDowntimeAndTotalTime() throws Exception {
        MigrationProgress p = ProgressSamples.fromQueryMigrate(json("{'status':'completed','total-time':2240,"
                + "'downtime':131,'ram':{'transferred':99500000,'remaining':0,'total':268435456,'mbps':3300.5,"
                + "'dirty-sync-count':5,'page-size':4096}}"));
        assertThat(p.getStatus()).isEqualTo("completed");
        assertThat(p.getDowntimeMs()).isEqualTo(131);
        assertThat(p.getElapsedMs()).isEqualTo(2240);
        assertThat(p.getRemainingBytes()).isZero();
        assertThat(ProgressSamples.isFinal(p.getStatus())).isTrue();
    }

    @Test
    void failedSampleCarriesQemusReason() throws Exception {
        MigrationProgress p = ProgressSamples.fromQueryMigrate(json(
                "{'status':'failed','error-desc':'Unable to write to socket: Connection reset by peer'}"));
        assertThat(p.getStatus()).isEqualTo("failed");
        assertThat(p.getError()).isEqualTo("Unable to write to socket: Connection reset by peer");
        assertThat(p.getDowntimeMs()).isZero();
    }

    @Test
    void failedWithoutReasonSaysSo() throws Exception {
        assertThat(ProgressSamples.fromQueryMigrate(json("{'status':'failed'}")).getError())
                .contains("no reason");
    }

    @Test
    void beforeAnyMigrationEverythingIsZero() throws Exception {
        MigrationProgress p = ProgressSamples.fromQueryMigrate(json("{}"));
        assertThat(p.getStatus()).isEqualTo("none");
        assertThat(p.getTransferredBytes()).isZero();
        assertThat(p.getThroughputMibps()).isZero();
        assertThat(ProgressSamples.isFinal(p.getStatus())).isFalse();
    }

    @Test
    void onlyCompletedFailedAndCancelledAreFinal() {
        assertThat(ProgressSamples.isFinal("cancelled")).isTrue();
        assertThat(ProgressSamples.isFinal("cancelling")).isFalse();
        assertThat(ProgressSamples.isFinal("postcopy-active")).isFalse();
        assertThat(ProgressSamples.isFinal("setup")).isFalse();
    }

    @Test
    void cancelledSampleKeepsTheCountersQemuNoLongerReports() throws Exception {
        MigrationProgress active = ProgressSamples.fromQueryMigrate(json("{'status':'active','total-time':900,"
                + "'ram':{'transferred':5000,'remaining':7000,'total':12000,'dirty-sync-count':2}}"));
        MigrationProgress cancelled = ProgressSamples.fromQueryMigrate(json("{'status':'cancelled'}"));

        MigrationProgress merged = ProgressSamples.withLastKnownCounters(cancelled, active, 1234);

        assertThat(merged.getStatus()).isEqualTo("cancelled");
        assertThat(merged.getTransferredBytes()).isEqualTo(5000);
        assertThat(merged.getRemainingBytes()).isEqualTo(7000);
        assertThat(merged.getTotalBytes()).isEqualTo(12000);
        assertThat(merged.getRound()).isEqualTo(2);
        assertThat(merged.getElapsedMs()).isEqualTo(1234);
        assertThat(ProgressSamples.withLastKnownCounters(active, null, 5)).isSameAs(active);
    }
}
