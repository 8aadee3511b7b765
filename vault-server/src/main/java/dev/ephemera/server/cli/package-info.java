/**
 * The {@code ephemera} command line: starts the server (or the dev server) and speaks to a running
 * vault's API for admins.
 */
package dev.ephemera.server.cli;
