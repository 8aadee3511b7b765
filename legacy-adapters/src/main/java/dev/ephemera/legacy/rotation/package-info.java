/**
 * Rotation of escrowed credentials: the driver SPI with PostgreSQL static roles and LDAP accounts,
 * crash-safe rotation through a pending version, period and cron schedules, and blue/green account
 * pairs whose overlap lets consumers switch without a restart.
 */
package dev.ephemera.legacy.rotation;
