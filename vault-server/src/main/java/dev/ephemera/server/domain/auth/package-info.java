/**
 * Who is calling: admin and task tokens (stored as keyed hashes, compared in constant time),
 * workload identity from JWTs of registered issuers and from X.509-SVIDs (PKIX path validation,
 * SPIFFE ID rules), replay protection and the tenants an issuer may assert.
 */
package dev.ephemera.server.domain.auth;
