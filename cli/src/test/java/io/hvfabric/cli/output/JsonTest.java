package io.hvfabric.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import io.hvfabric.proto.v1.Image;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void arrayIsValidJsonWithDefaultFieldsPrinted() {
        String json = Json.array(List.of(Image.newBuilder().setName("a").build(), Image.newBuilder().setName("b").setKernel("/k").build()));

        var array = JsonParser.parseString(json).getAsJsonArray();
        assertThat(array).hasSize(2);
        assertThat(array.get(0).getAsJsonObject().get("kernel").getAsString()).isEmpty();
        assertThat(array.get(1).getAsJsonObject().get("kernel").getAsString()).isEqualTo("/k");
        assertThat(json).startsWith("[\n  {\n    \"name\": \"a\"");
    }

    @Test
    void emptyArray() {
        assertThat(Json.array(List.of())).isEqualTo("[]");
    }
}
