package io.hvfabric.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class LabNamesTest {
    @Test
    void namesFollowTheConvention() {
        LabNames n = new LabNames("lab");
        assertThat(n.bridge()).isEqualTo("hvflabbr");
        assertThat(n.namespace(2)).isEqualTo("hvf-lab-h2");
        assertThat(n.rootVeth(2)).isEqualTo("hvflabh2");
        assertThat(n.peerVeth(2)).isEqualTo("hvflabp2");
        assertThat(n.jvmTag()).isEqualTo("-Dhvf.lab=lab");
        assertThat(n.etcdMemberName()).isEqualTo("hvf-lab");
        assertThat(n.hostId(3)).isEqualTo("host-3");
        assertThat(n.schedulerId(1)).isEqualTo("sched-1");
        assertThat(n.networkNamespacePrefix(2)).isEqualTo("hvf-lab-h2-n");
        assertThat(n.networkNamespace(2, 100)).isEqualTo("hvf-lab-h2-n100");
    }

    @Test
    void longestInterfaceNameFitsLinuxLimit() {
        LabNames n = new LabNames("abcde");
        assertThat(n.rootVeth(LabConfig.MAX_HOSTS)).hasSizeLessThanOrEqualTo(15);
        assertThat(n.peerVeth(LabConfig.MAX_HOSTS)).hasSizeLessThanOrEqualTo(15);
        assertThat(n.bridge()).hasSizeLessThanOrEqualTo(15);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abcdef", "Lab", "1ab", "a-b", "a b"})
    void rejectsNamesOutsideTheRule(String bad) {
        assertThatThrownBy(() -> new LabNames(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("name: must be 1-5 characters");
    }

    @Test
    void matchesOnlyItsOwnResources() {
        LabNames lab = new LabNames("lab");
        assertThat(lab.isNamespace("hvf-lab-h1")).isTrue();
        assertThat(lab.isNamespace("hvf-lab-h12")).isTrue();
        assertThat(lab.isNamespace("hvf-lab1-h1")).isFalse();
        assertThat(lab.isNamespace("hvf-lab-h1x")).isFalse();
        assertThat(lab.isNamespace("hvf-lab-h1-n100")).isTrue();
        assertThat(lab.isNamespace("hvf-lab-h12-n16777215")).isTrue();
        assertThat(lab.isNamespace("hvf-lab-h1-n")).isFalse();
        assertThat(lab.isNamespace("hvf-lab-h1-n100x")).isFalse();
        assertThat(lab.isNamespace("hvf-lab-h1-nx")).isFalse();
        assertThat(lab.isNamespace("hvf-lab1-h1-n100")).isFalse();
        assertThat(lab.isNetworkNamespace("hvf-lab-h1-n100")).isTrue();
        assertThat(lab.isNetworkNamespace("hvf-lab-h1")).isFalse();
        assertThat(lab.isLink("hvflabbr")).isTrue();
        assertThat(lab.isLink("hvflabh3")).isTrue();
        assertThat(lab.isLink("hvflabp3")).isTrue();
        assertThat(lab.isLink("hvflab1h3")).isFalse();
        assertThat(lab.isLink("hvflab1br")).isFalse();
        assertThat(lab.isLink("eth0")).isFalse();
    }
}
