/**
 * PostgreSQL SQL built by Java: one quoter for identifiers and literals (exact, standard strings
 * enforced on the connection, NUL and over-long names refused rather than truncated), used by every
 * place in Ephemera that puts a name or a value into a PostgreSQL statement.
 */
package dev.ephemera.legacy.postgres;
