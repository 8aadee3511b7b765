/**
 * The vault server: its entry point {@link dev.ephemera.server.EphemeraServer} and the wiring that
 * opens and unseals the store and starts the lease engine. The packages below it form three layers,
 * checked by {@code LayeringTest}: entry points ({@code cli}, {@code dev}, this package) over the
 * HTTP layer ({@code api}, {@code http}) over the framework-free {@code domain}.
 */
package dev.ephemera.server;
