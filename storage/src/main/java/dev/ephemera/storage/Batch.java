package dev.ephemera.storage;

import java.util.ArrayList;
import java.util.List;

/** Mutations applied all together or not at all. */
public final class Batch {
    private final List<Mutation> mutations = new ArrayList<>();

    private Batch() {
    }

    public static Batch create() {
        return new Batch();
    }

    public Batch put(byte[] key, byte[] value) {
        mutations.add(new Mutation.Put(key, value));
        return this;
    }

    public Batch delete(byte[] key) {
        mutations.add(new Mutation.Delete(key));
        return this;
    }

    /** Appends every mutation of another batch, in its order. */
    public Batch putAll(Batch other) {
        mutations.addAll(other.mutations);
        return this;
    }

    public List<Mutation> mutations() {
        return List.copyOf(mutations);
    }

    public boolean isEmpty() {
        return mutations.isEmpty();
    }

    public int size() {
        return mutations.size();
    }

    @Override
    public String toString() {
        return "Batch" + mutations;
    }
}
