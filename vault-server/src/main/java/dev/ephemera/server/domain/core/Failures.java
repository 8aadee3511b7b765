package dev.ephemera.server.domain.core;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import javax.net.ssl.SSLException;

/**
 * Says what went wrong with an I/O call in words: the JDK's HTTP client throws many of its
 * exceptions without a message, and "…: null" tells an operator nothing.
 */
public final class Failures {
    private Failures() {
    }

    public static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String words = switch (t) {
                case HttpConnectTimeoutException e -> "connection timed out";
                case HttpTimeoutException e -> "timed out waiting for an answer";
                case ConnectException e -> "connection refused";
                case NoRouteToHostException e -> "no route to host";
                case UnknownHostException e -> "unknown host";
                case UnresolvedAddressException e -> "unknown host";
                case SocketTimeoutException e -> "timed out";
                case SSLException e -> "TLS failed" + (e.getMessage() == null ? "" : ": " + e.getMessage());
                case EOFException e -> "connection closed early";
                case ClosedChannelException e -> "connection closed";
                default -> null;
            };
            if (words != null) {
                return words;
            }
        }
        String message = failure.getMessage();
        return message == null || message.isBlank() ? inWords(failure.getClass().getSimpleName()) : message;
    }

    /** "ConnectionResetException" becomes "connection reset". */
    private static String inWords(String className) {
        String words = className.replaceAll("(Exception|Error)$", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
        return words.isBlank() ? "failed" : words;
    }
}
