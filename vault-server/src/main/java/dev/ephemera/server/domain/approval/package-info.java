/**
 * Human approvals: a permit that asks for one holds the lease until a different, existing admin
 * approves, and break-glass operations (reveals, grants, routes) wait on a second person the same
 * way.
 */
package dev.ephemera.server.domain.approval;
