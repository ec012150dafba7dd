package io.hvfabric.common.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

class ExcerptTest {
    @Test
    void shortPrintableInputIsQuotedAsIs() {
        assertThat(Excerpt.of("web-1")).isEqualTo("web-1");
        assertThat(Excerpt.of(null)).isEqualTo("null");
    }

    @Test
    void longInputIsCutAndControlCharactersAreEscaped() {
        assertThat(Excerpt.of("x".repeat(10_000))).isEqualTo("x".repeat(64) + "…");
        assertThat(Excerpt.of("a\u0085b\nc")).isEqualTo("a\\u0085b\\u000ac");
        assertThat(Excerpt.of("\0".repeat(100)).length()).isLessThanOrEqualTo(Excerpt.MAX + 6);
    }

    @Test
    void fabricErrorsQuoteTheCallersInputAsExcerpts() {
        String huge = "n".repeat(10_000);
        assertThat(FabricException.invalidArgument("name", "bad (got '%s', %d characters)", huge, huge.length())
                .getMessage()).isEqualTo("field 'name': bad (got '" + "n".repeat(64) + "…', 10000 characters)");
        assertThat(FabricException.notFound("vsi", huge).getMessage()).hasSizeLessThan(100);
        assertThat(FabricException.alreadyExists("vsi", "a\u009bb").getMessage())
                .isEqualTo("vsi 'a\\u009bb' already exists");
    }

    @Test
    void statusDescriptionsAreBoundedInUtf8Bytes() {
        assertThat(StatusDescriptions.bound("short")).isEqualTo("short");
        String ascii = StatusDescriptions.bound("y".repeat(5000));
        assertThat(ascii).hasSize(StatusDescriptions.MAX_BYTES - 3 + 1).endsWith("…");
        String wide = StatusDescriptions.bound("\u4e2d".repeat(5000));
        assertThat(wide.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(StatusDescriptions.MAX_BYTES);
        String emoji = StatusDescriptions.bound("\ud83d\ude00".repeat(1000));
        assertThat(Character.isHighSurrogate(emoji.charAt(emoji.length() - 2))).isFalse(); // no half pair at the cut
        Status ok = Status.NOT_FOUND.withDescription("fine");
        assertThat(StatusDescriptions.bounded(ok)).isSameAs(ok);
    }
}
