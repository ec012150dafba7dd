package io.hvfabric.scheduler.store;

import io.etcd.jetcd.KV;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An etcd KV that records every call and answers none: the first touch throws {@link StoreReached}. For tests that
 * a refused request reads and writes nothing, and that an accepted one really gets as far as writing.
 */
public final class RecordingKv {
    /** Thrown by every KV method: the operation under test got as far as the store. */
    public static final class StoreReached extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StoreReached(String method) {
            super("etcd KV." + method + " called", null, false, false);
        }
    }

    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final KV kv = (KV) Proxy.newProxyInstance(KV.class.getClassLoader(), new Class<?>[] {KV.class},
            (proxy, method, args) -> {
                if (method.getDeclaringClass() == Object.class) {
                    return switch (method.getName()) {
                        case "equals" -> proxy == args[0];
                        case "hashCode" -> System.identityHashCode(proxy);
                        default -> "RecordingKv";
                    };
                }
                calls.add(method.getName());
                throw new StoreReached(method.getName());
            });

    public KV kv() {
        return kv;
    }

    /** Every KV method called so far, in order. */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    public void clear() {
        calls.clear();
    }
}
