/**
 * The barrier: every value the vault stores is encrypted here with AES-GCM bound to its key (Tink),
 * under a keyring that is itself a Tink encrypted keyset wrapped by the unseal key. Also the
 * vault's secret generator and token hashing (tokens are kept only as keyed hashes). The bottom
 * module: it depends on nothing else of Ephemera.
 */
package dev.ephemera.crypto;
