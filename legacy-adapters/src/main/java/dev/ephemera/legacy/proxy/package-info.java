/**
 * What the credential-injecting proxies share: a proxy lease (the agent's token, never the secret),
 * the audit of proxied connections, and the refusals a proxy may give. The HTTP and PostgreSQL
 * proxies live in the subpackages.
 */
package dev.ephemera.legacy.proxy;
