/**
 * The barrier: every value the vault stores is encrypted here with AES-GCM bound to its key (Tink),
 * under a keyring that is itself a Tink encrypted keyset wrapped by the unseal key. Also Shamir
 * secret sharing over GF(2^8) with constant-time field arithmetic (to split a root key among
 * people), the vault's secret generator and token hashing (tokens are kept only as keyed hashes).
 * The bottom module: it depends on nothing else of Ephemera.
 */
package dev.ephemera.crypto;
