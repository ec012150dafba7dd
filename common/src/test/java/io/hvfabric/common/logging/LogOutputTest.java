package io.hvfabric.common.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hvfabric.common.error.FabricException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class LogOutputTest {
    private static final Logger LOG = LoggerFactory.getLogger("io.hvfabric.test.Logged");
    private final PrintStream realErr = System.err;

    @AfterEach
    void restore() {
        System.setErr(realErr);
        MDC.clear();
        LogOutput.use(LogOutput.Format.TEXT);
    }

    private List<String> logged(LogOutput.Format format, Runnable logging) {
        LogOutput.use(format);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        logging.run();
        System.err.flush();
        System.setErr(realErr);
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void jsonIsOneObjectPerLineWithMdcFieldsAndTheExceptionAsAField() throws Exception {
        List<String> lines = logged(LogOutput.Format.JSON, () -> {
            MDC.put("vsi", "web-1");
            LOG.info("migration {} of \"{}\"\nphase {}", "m1", "web-1", "PRECOPY");
            MDC.remove("vsi");
            LOG.warn("failed", new IllegalStateException("boom"));
            LOG.debug("below INFO: not written");
        });

        assertThat(lines).hasSize(2);
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(lines.get(0));
        assertThat(first.get("level").asText()).isEqualTo("INFO");
        assertThat(first.get("logger").asText()).isEqualTo("io.hvfabric.test.Logged");
        assertThat(first.get("thread").asText()).isEqualTo(Thread.currentThread().getName());
        assertThat(first.get("message").asText()).isEqualTo("migration m1 of \"web-1\"\nphase PRECOPY");
        assertThat(first.get("vsi").asText()).isEqualTo("web-1");
        assertThat(first.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
        assertThat(first.has("exception")).isFalse();
        JsonNode second = json.readTree(lines.get(1));
        assertThat(second.get("level").asText()).isEqualTo("WARN");
        assertThat(second.has("vsi")).isFalse();
        assertThat(second.get("exception").asText()).startsWith("java.lang.IllegalStateException: boom")
                .contains("at io.hvfabric.common.logging.LogOutputTest");
    }

    @Test
    void textStaysAReadableLineWithMillisecondsThreadLevelAndLogger() {
        List<String> lines = logged(LogOutput.Format.TEXT, () -> LOG.info("scheduler {} serving", "sched-1"));

        assertThat(lines).singleElement().asString()
                .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[.+] INFO io\\.hvfabric\\.test\\.Logged - scheduler sched-1 serving");
    }

    @Test
    void nettyChatterStaysBelowWarn() {
        List<String> lines = logged(LogOutput.Format.JSON, () -> {
            LoggerFactory.getLogger("io.netty.channel.X").info("connection chatter");
            LoggerFactory.getLogger("io.netty.channel.X").warn("worth reading");
        });
        assertThat(lines).singleElement().asString().contains("worth reading");
    }

    @Test
    void onlyTextAndJsonAreFormats() {
        assertThat(LogOutput.Format.parse("--log-format", "JSON")).isEqualTo(LogOutput.Format.JSON);
        assertThat(LogOutput.Format.parse("--log-format", "text")).isEqualTo(LogOutput.Format.TEXT);
        assertThatThrownBy(() -> LogOutput.Format.parse("--log-format", "xml")).isInstanceOf(FabricException.class)
                .hasMessage("field '--log-format': must be text or json (got 'xml')");
    }
}
