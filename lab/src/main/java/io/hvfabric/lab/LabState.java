package io.hvfabric.lab;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a lab created, in DIR/state.json. Rewritten atomically after every component starts, so `lab down`
 * after a crash of `lab up` still finds every process that was started.
 */
public record LabState(
        String name,
        String dir,
        String network,
        int subnet,
        boolean insecure,
        int hosts,
        String etcdEndpoint,
        List<String> schedulerEndpoints,
        String tlsDir,
        List<String> namespaces,
        List<ComponentRecord> components) {

    public static final String FILE = "state.json";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public LabState {
        schedulerEndpoints = List.copyOf(schedulerEndpoints);
        namespaces = List.copyOf(namespaces);
        components = List.copyOf(components);
    }

    /** Replaces the component with the same id in place (status keeps its order), or appends it. */
    public LabState with(ComponentRecord component) {
        List<ComponentRecord> next = new ArrayList<>(components);
        int existing = next.stream().map(ComponentRecord::id).toList().indexOf(component.id());
        if (existing >= 0) {
            next.set(existing, component);
        } else {
            next.add(component);
        }
        return new LabState(name, dir, network, subnet, insecure, hosts, etcdEndpoint, schedulerEndpoints, tlsDir,
                namespaces, next);
    }

    public LabState withSchedulerEndpoints(List<String> endpoints) {
        return new LabState(name, dir, network, subnet, insecure, hosts, etcdEndpoint, endpoints, tlsDir, namespaces,
                components);
    }

    public LabState withEtcdEndpoint(String endpoint) {
        return new LabState(name, dir, network, subnet, insecure, hosts, endpoint, schedulerEndpoints, tlsDir, namespaces,
                components);
    }

    public LabState withNetwork(int chosenSubnet, List<String> hostNamespaces) {
        return new LabState(name, dir, network, chosenSubnet, insecure, hosts, etcdEndpoint, schedulerEndpoints, tlsDir,
                hostNamespaces, components);
    }

    public Optional<ComponentRecord> component(String id) {
        return components.stream().filter(c -> c.id().equals(id)).findFirst();
    }

    public static Path file(Path dir) {
        return dir.resolve(FILE);
    }

    /** Writes to a temporary file beside the state file and renames it over, so readers never see half a file. */
    public void save(Path dir) {
        Path target = file(dir);
        Path tmp = dir.resolve(FILE + ".tmp");
        try {
            Files.createDirectories(dir);
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new LabException("state: cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    public static Optional<LabState> load(Path dir) {
        Path f = file(dir);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(f.toFile(), LabState.class));
        } catch (IOException e) {
            throw new LabException("state: " + f + " is unreadable (" + e.getMessage() + "); `lab down --name NAME` "
                    + "sweeps by naming convention without it", e);
        }
    }

    public static void delete(Path dir) {
        try {
            Files.deleteIfExists(file(dir));
            Files.deleteIfExists(dir.resolve(FILE + ".tmp"));
        } catch (IOException e) {
            throw new LabException("state: cannot delete " + file(dir) + ": " + e.getMessage(), e);
        }
    }
}
