/**
 * A hierarchical timer wheel specialised for lease expiry: millions of pending deadlines in a few
 * bytes each, O(1) schedule and cancel, and expiry in deadline order. It knows nothing of leases.
 */
package dev.ephemera.lease.wheel;
