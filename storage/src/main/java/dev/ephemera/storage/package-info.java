/**
 * Ordered key-value storage with atomic batches and prefix scans ({@link
 * dev.ephemera.storage.KeyValueStore}), its RocksDB implementation with synced writes, and {@link
 * dev.ephemera.storage.SealedStore}, which passes every value through the crypto barrier so nothing
 * reaches disk in the clear. Depends on {@code crypto} only.
 */
package dev.ephemera.storage;
