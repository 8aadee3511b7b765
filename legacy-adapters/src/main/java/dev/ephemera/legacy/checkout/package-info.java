/**
 * Exclusive check-out of escrowed accounts from a library: one holder at a time, each hold a lease,
 * and a check-in (or the lease's end) rotates the password so the former holder's copy is useless.
 */
package dev.ephemera.legacy.checkout;
