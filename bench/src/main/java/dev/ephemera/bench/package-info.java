/**
 * Benchmarks of the product against its peers, run in the same JVM and the same run so that results
 * are compared as ratios on a noisy machine: JMH benchmarks of the timer wheel against Caffeine,
 * Agrona, Netty, Kafka and the JDK, of policy decisions, a revocation-storm driver, and the
 * PostgreSQL proxy measured beside PgBouncer and HAProxy. Results and the commands that produced
 * them are kept in {@code bench/RESULTS.md}.
 */
package dev.ephemera.bench;
