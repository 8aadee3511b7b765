package dev.ephemera.server.domain.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.ephemera.server.domain.core.DomainException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The public keys of each issuer, parsed once. Static sets come from the issuer's configuration;
 * published ones are fetched from its {@code jwks_uri} and fetched again when a token names a key
 * id the cached set lacks (key rotation), at most once per {@value #REFETCH_SECONDS} seconds per
 * issuer so unknown ids cannot turn the vault into a request amplifier.
 */
final class IssuerKeys {
    static final int REFETCH_SECONDS = 30;
    private static final int MAX_DOCUMENT_BYTES = 512 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private record Cached(String source, JWKSet keys, Instant fetchedAt) {}

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final InstantSource clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    IssuerKeys(InstantSource clock) {
        this.clock = clock;
    }

    /** The key a token names ({@code kid}), or the issuer's only key when it names none. */
    JWK select(Issuer issuer, String kid) {
        JWKSet keys = keys(issuer, false);
        JWK key = kid == null ? only(keys) : keys.getKeyByKeyId(kid);
        if (key == null && kid != null && issuer.jwksUri() != null) {
            key = keys(issuer, true).getKeyByKeyId(kid);
        }
        if (key == null) {
            throw DomainException.unauthenticated("workload token names an unknown key id");
        }
        return key;
    }

    void forget(String issuerName) {
        cache.remove(issuerName);
    }

    private JWKSet keys(Issuer issuer, boolean rotated) {
        String source = issuer.jwksUri() != null ? issuer.jwksUri() : issuer.jwks();
        Cached cached = cache.get(issuer.name());
        Instant now = clock.instant();
        boolean fresh = cached != null && cached.source().equals(source);
        if (fresh && !(rotated && now.isAfter(cached.fetchedAt().plusSeconds(REFETCH_SECONDS)))) {
            return cached.keys();
        }
        JWKSet keys = issuer.jwksUri() != null ? fetch(issuer.jwksUri()) : parse(issuer.jwks());
        cache.put(issuer.name(), new Cached(source, keys, now));
        return keys;
    }

    private static JWK only(JWKSet keys) {
        if (keys.getKeys().size() == 1) {
            return keys.getKeys().getFirst();
        }
        throw DomainException.unauthenticated("workload token has no kid and the issuer has several keys");
    }

    static JWKSet parse(String jwks) {
        try {
            return JWKSet.parse(jwks == null ? "" : jwks);
        } catch (ParseException e) {
            // the parser's message quotes the input: say the rule instead
            throw DomainException.invalid("jwks must be a JWK set: an object whose \"keys\" list holds public JWKs");
        }
    }

    /** Fetches a JWK set; a failure is the caller's 401 (token side) or 400 (configuration side). */
    JWKSet fetch(String uri) {
        return parse(get(uri, "the issuer's key set"));
    }

    /** The {@code jwks_uri} an OIDC issuer publishes in its discovery document. */
    String discoverJwksUri(String issuer) {
        String document = get(issuer.replaceAll("/+$", "") + "/.well-known/openid-configuration", "the issuer's discovery document");
        try {
            Object uri = com.nimbusds.jose.util.JSONObjectUtils.parse(document).get("jwks_uri");
            if (uri instanceof String text && !text.isBlank()) {
                requireSafe(text);
                return text;
            }
        } catch (ParseException e) {
            // fall through to the refusal below
        }
        throw DomainException.invalid("the discovery document of " + issuer + " has no jwks_uri");
    }

    private String get(String uri, String what) {
        requireSafe(uri);
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(TIMEOUT)
                    .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            if (response.body().length > MAX_DOCUMENT_BYTES) {
                throw new IOException("larger than " + MAX_DOCUMENT_BYTES + " bytes");
            }
            return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw DomainException.unauthenticated("cannot fetch " + what + " from " + uri + ": " + dev.ephemera.server.domain.core.Failures.describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DomainException.unauthenticated("interrupted while fetching " + what);
        }
    }

    /** Keys come over HTTPS; plain HTTP only from this machine (tests, a local sidecar). */
    static void requireSafe(String uri) {
        URI parsed;
        try {
            parsed = URI.create(uri);
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid("jwks_uri (or the issuer's discovery address) is not a URI");
        }
        String host = Optional.ofNullable(parsed.getHost()).orElse("");
        boolean local = host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]");
        if (!"https".equals(parsed.getScheme()) && !("http".equals(parsed.getScheme()) && local)) {
            throw DomainException.invalid("key sets are fetched over https (plain http only from localhost)");
        }
    }
}
