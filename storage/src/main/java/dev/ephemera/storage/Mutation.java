package dev.ephemera.storage;

/** One change in a {@link Batch}. Values are never printed. */
public sealed interface Mutation permits Mutation.Put, Mutation.Delete {
    byte[] key();

    record Put(byte[] key, byte[] value) implements Mutation {
        @Override
        public String toString() {
            return "Put[" + Keys.toString(key) + "]";
        }
    }

    record Delete(byte[] key) implements Mutation {
        @Override
        public String toString() {
            return "Delete[" + Keys.toString(key) + "]";
        }
    }
}
