package io.hvfabric.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class LabStateTest {
    @TempDir
    Path dir;

    private static ComponentRecord component(String id, long pid) {
        return new ComponentRecord(new ComponentSpec(ComponentKind.AGENT, id, "10.88.1.11:7100", "hvf-lab-h1",
                List.of("ip", "netns", "exec", "hvf-lab-h1", "java"), "/d/logs/" + id + ".log", id), pid, 42);
    }

    @Test
    void roundTripsThroughTheFileAndReplacesComponentsById() throws Exception {
        LabState state = new LabState("lab", dir.toString(), "namespaces", 7, false, 1, "http://10.88.7.1:2379",
                List.of("10.88.7.1:5000"), dir.resolve("tls").toString(), List.of("hvf-lab-h1"), List.of())
                .with(component("host-1", 100)).with(component("host-2", 150)).with(component("host-1", 200));
        state.save(dir);

        LabState loaded = LabState.load(dir).orElseThrow();
        assertThat(loaded).isEqualTo(state);
        assertThat(loaded.components()).extracting(ComponentRecord::id).containsExactly("host-1", "host-2");
        assertThat(loaded.components().get(0).pid()).isEqualTo(200L);
        assertThat(Files.exists(dir.resolve(LabState.FILE + ".tmp"))).isFalse();
        assertThat(Files.readString(LabState.file(dir))).contains("\"kind\" : \"agent\"");
    }

    @Test
    void missingFileMeansNoLab() {
        assertThat(LabState.load(dir)).isEmpty();
        LabState.delete(dir); // idempotent
    }
}
