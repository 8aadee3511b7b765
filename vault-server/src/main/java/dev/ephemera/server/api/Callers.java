package dev.ephemera.server.api;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.auth.Admins;
import dev.ephemera.server.domain.auth.Principal;
import dev.ephemera.server.domain.auth.Tokens;
import jakarta.inject.Singleton;

/**
 * Reads {@code Authorization: Bearer …} and says who is calling, or refuses with 401/403. The route
 * filter does this once per request, by the route's {@link CalledBy}, and leaves the caller in the
 * request attribute {@link #PRINCIPAL}, where routes take it from.
 */
@Singleton
public final class Callers {
    /** The request attribute holding the authenticated {@link Principal}. */
    public static final String PRINCIPAL = "ephemera.principal";

    private final Tokens tokens;

    private final Admins admins;

    Callers(Tokens tokens, Admins admins) {
        this.tokens = tokens;
        this.admins = admins;
    }

    public static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw DomainException.unauthenticated("an Authorization: Bearer token is required");
        }
        return authorization.substring(7).strip();
    }

    /** The caller's IP address as policy sees it ({@code source_ip}); the unspecified address when unknown. */
    public static String sourceAddress(io.micronaut.http.HttpRequest<?> request) {
        java.net.InetSocketAddress remote = request.getRemoteAddress();
        java.net.InetAddress address = remote == null ? null : remote.getAddress();
        if (address == null) {
            return "0.0.0.0";
        }
        String text = address.getHostAddress();
        int zone = text.indexOf('%');
        return zone < 0 ? text : text.substring(0, zone);
    }

    /**
     * The certificate chain the client presented over mutual TLS, leaf first, as sent (not trusted
     * yet: the TLS layer defers judging it); empty without TLS or without a client certificate.
     */
    public static java.util.List<java.security.cert.X509Certificate> clientChain(io.micronaut.http.HttpRequest<?> request) {
        java.util.Optional<javax.net.ssl.SSLSession> session = request.getSslSession();
        if (session.isEmpty()) {
            return java.util.List.of();
        }
        try {
            java.util.List<java.security.cert.X509Certificate> chain = new java.util.ArrayList<>();
            for (java.security.cert.Certificate certificate : session.get().getPeerCertificates()) {
                if (!(certificate instanceof java.security.cert.X509Certificate x509)) {
                    return java.util.List.of();
                }
                chain.add(x509);
            }
            return java.util.List.copyOf(chain);
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return java.util.List.of();
        }
    }

    /** An admin or a task: a consumer token opens nothing but its own secret's current version. */
    public Principal any(String authorization) {
        return any(authorization, "an admin or task token");
    }

    /**
     * A workload or delegation token is never looked up here: it is refused by its form, naming what
     * was expected, so the agent learns to exchange it (POST /v1/tasks) and nothing about validity.
     */
    private Principal authenticate(String authorization, String expected) {
        String bearer = bearer(authorization);
        Tokens.kindOf(bearer).filter(kind -> kind.startsWith("a workload") || kind.startsWith("a delegation"))
                .ifPresent(kind -> {
                    throw DomainException.unauthenticated("this call needs " + expected + "; " + kind + " was given"
                            + (kind.startsWith("a workload") ? ": exchange it for a task token with POST /v1/tasks" : ""));
                });
        return tokens.authenticate(bearer);
    }

    private Principal any(String authorization, String expected) {
        Principal principal = authenticate(authorization, expected);
        if (principal instanceof Principal.Consumer) {
            throw DomainException.forbidden("this call needs " + expected
                    + "; a consumer token was given: it reads its escrowed secret's current version and nothing else");
        }
        return principal;
    }

    public Principal.Consumer consumer(String authorization) {
        return switch (authenticate(authorization, "a consumer token")) {
            case Principal.Consumer consumer -> consumer;
            case Principal.Admin admin -> throw DomainException.forbidden("this call needs a consumer token; an admin token was given");
            case Principal.TaskHolder task -> throw DomainException.forbidden("this call needs a consumer token; a task token was given");
        };
    }

    public Principal.Admin admin(String authorization) {
        if (any(authorization, "an admin token") instanceof Principal.Admin admin) {
            return admin;
        }
        throw DomainException.forbidden("this call needs an admin token; a task token was given");
    }

    /**
     * An admin who may vote on approvals: a registered person holding the token registered for that
     * name. A token minted for a name outside the registry (before names were unique) votes for nobody.
     */
    public Admins.Admin approver(String authorization) {
        String bearer = bearer(authorization);
        Principal.Admin admin = admin(authorization);
        return admins.holding(admin.tenant(), admin.name(), tokens.recordKey(bearer))
                .orElseThrow(() -> DomainException.forbidden("this admin token names no registered admin, so it cannot vote: "
                        + "an operator issues each admin one token under a unique name"));
    }

    public Principal.Admin operator(String authorization) {
        return operator(admin(authorization));
    }

    /** An admin already authenticated, refused unless it is an operator. */
    public Principal.Admin operator(Principal.Admin admin) {
        if (!admin.operator()) {
            throw DomainException.forbidden("this call needs an operator token: backends, roles and issuers are shared by all tenants");
        }
        return admin;
    }

    public Principal.TaskHolder task(String authorization) {
        if (any(authorization, "a task token") instanceof Principal.TaskHolder holder) {
            return holder;
        }
        throw DomainException.forbidden("this call needs a task token; an admin token was given");
    }
}
