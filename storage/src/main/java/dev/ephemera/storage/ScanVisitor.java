package dev.ephemera.storage;

/** Receives entries of a prefix scan in key order; returns false to stop. */
@FunctionalInterface
public interface ScanVisitor {
    boolean visit(byte[] key, byte[] value);
}
