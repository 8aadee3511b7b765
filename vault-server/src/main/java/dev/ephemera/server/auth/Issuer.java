package dev.ephemera.server.auth;

import java.util.List;

/**
 * A trusted issuer of workload tokens: its {@code iss}, the audience tokens must name, its public
 * keys as a JWKS document, and the signature algorithms it may use.
 */
public record Issuer(String name, String issuer, String audience, String jwks, List<String> algorithms) {
}
