package dev.ephemera.legacy.proxy.http;

import dev.ephemera.legacy.proxy.ProxyLease;
import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * Where the proxy carries an agent's request and the credential it adds on the way: {@code header}
 * (e.g. {@code Authorization}, {@code X-API-Key}) set to {@code value} (the whole header value, e.g.
 * {@code Bearer abc}). {@code redact} lists every form of the secret the response must never carry
 * (raw secret, header value, encodings). {@code toString} leaves the value and the redact list out.
 */
public record HttpUpstream(URI base, String header, String value, List<String> redact, ProxyLease lease) {

    public HttpUpstream {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(lease, "lease");
        if (!base.isAbsolute() || base.getRawAuthority() == null
                || !("http".equalsIgnoreCase(base.getScheme()) || "https".equalsIgnoreCase(base.getScheme()))) {
            throw new IllegalArgumentException("upstream base must be an absolute http(s) URI");
        }
        if (base.getRawUserInfo() != null || base.getRawQuery() != null || base.getRawFragment() != null) {
            throw new IllegalArgumentException("upstream base must not carry user info, a query or a fragment");
        }
        if (!HopByHop.isInjectable(header)) {
            throw new IllegalArgumentException("injected header must be an end-to-end header the proxy does not manage");
        }
        redact = redact == null ? List.of() : List.copyOf(redact);
    }

    @Override
    public String toString() {
        return "HttpUpstream[base=" + base + ", header=" + header + ", lease=" + lease + "]";
    }
}
