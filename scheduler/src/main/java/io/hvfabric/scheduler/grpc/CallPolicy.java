package io.hvfabric.scheduler.grpc;

import io.grpc.MethodDescriptor;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which roles may call each method of a service: one role may call every method, present or future; other roles
 * only the methods listed for them. Fail closed: a method added to the service later is for the first role alone
 * until someone lists it.
 */
final class CallPolicy {
    private final String everyMethod;
    private final Map<String, Set<String>> listed;

    private CallPolicy(String everyMethod, Map<String, Set<String>> listed) {
        this.everyMethod = everyMethod;
        this.listed = listed;
    }

    static CallPolicy onlyFor(String role) {
        return new CallPolicy(Objects.requireNonNull(role, "role"), Map.of());
    }

    /** This policy, and {@code role} may also call {@code methods}. */
    CallPolicy alsoFor(String role, MethodDescriptor<?, ?>... methods) {
        Map<String, Set<String>> next = new HashMap<>();
        listed.forEach((method, roles) -> next.put(method, new HashSet<>(roles)));
        for (MethodDescriptor<?, ?> method : methods) {
            next.computeIfAbsent(method.getFullMethodName(), m -> new HashSet<>()).add(role);
        }
        next.replaceAll((method, roles) -> Set.copyOf(roles));
        return new CallPolicy(everyMethod, Map.copyOf(next));
    }

    boolean permits(String role, MethodDescriptor<?, ?> method) {
        return everyMethod.equals(role) || listed.getOrDefault(method.getFullMethodName(), Set.of()).contains(role);
    }
}
