package dev.ephemera.legacy.proxy.http;

import com.sun.net.httpserver.Headers;
import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which headers cross the proxy. Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and
 * never cross; neither does anything that would let the agent see, override or tunnel past the
 * credential the proxy injects.
 */
final class HopByHop {
    /** The lease token's header for direct requests; consumed by the proxy like Proxy-Authorization. */
    static final String LEASE_TOKEN_HEADER = "Ephemera-Lease-Token";
    private static final Set<String> HOP_BY_HOP = Set.of(
            "connection", "keep-alive", "proxy-authorization", "proxy-authenticate", "proxy-connection",
            "te", "trailer", "transfer-encoding", "upgrade", "ephemera-lease-token");
    // The upstream client frames the request and names the host itself (and refuses these from callers).
    private static final Set<String> UPSTREAM_OWNED = Set.of("host", "content-length", "expect");
    // Headers the proxy's own framing and routing rely on: a Connection header naming one would strip it.
    private static final Set<String> RELIED_ON = Set.of("host", "content-length", "transfer-encoding");
    private static final String TOKEN_CHARS = "!#$%&'*+-.^_`|~";

    private HopByHop() {
    }

    /** Whether the proxy may inject a credential under this name. */
    static boolean isInjectable(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return isToken(name) && !HOP_BY_HOP.contains(lower) && !UPSTREAM_OWNED.contains(lower)
                && !lower.equals("accept-encoding");
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum && TOKEN_CHARS.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Refuses requests whose framing or connection options could smuggle past the injected credential. */
    static void checkRequest(Headers headers, String injected) throws ExchangeRefused {
        // An h2c offer (the JDK HttpClient's default) is optional: dropping it, as a hop-by-hop header,
        // answers in HTTP/1.1. Any other protocol switch would tunnel past the proxy: refused.
        List<String> upgrade = headers.get("Upgrade");
        if (upgrade != null && !upgrade.stream().allMatch(value -> value.strip().equalsIgnoreCase("h2c"))) {
            throw new ExchangeRefused(400, "upgrade_refused", "the proxy does not switch protocols");
        }
        // The JDK server already answers these itself; the proxy does not depend on that.
        if (headers.containsKey("Content-Length") && headers.containsKey("Transfer-Encoding")) {
            throw new ExchangeRefused(400, "bad_framing", "Content-Length and Transfer-Encoding together");
        }
        for (String option : connectionOptions(headers.get("Connection"))) {
            if (option.equals(injected.toLowerCase(Locale.ROOT)) || RELIED_ON.contains(option)) {
                throw new ExchangeRefused(400, "bad_connection_header",
                        "Connection must not name the " + option + " header");
            }
        }
    }

    /** The agent's headers the upstream may see: none of them can replace or add to the injected one. */
    static List<Map.Entry<String, String>> requestHeaders(Headers headers, String injected) {
        Set<String> dropped = new HashSet<>(connectionOptions(headers.get("Connection")));
        dropped.addAll(HOP_BY_HOP);
        dropped.addAll(UPSTREAM_OWNED);
        dropped.add("accept-encoding");
        dropped.add(injected.toLowerCase(Locale.ROOT));
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        headers.forEach((name, values) -> {
            if (!dropped.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> kept.add(Map.entry(name, value)));
            }
        });
        return kept;
    }

    /** The upstream's headers the agent may see, before redaction; the proxy frames the body itself. */
    static Map<String, List<String>> responseHeaders(HttpHeaders headers) {
        Set<String> dropped = new HashSet<>(connectionOptions(headers.allValues("Connection")));
        dropped.addAll(HOP_BY_HOP);
        dropped.add("content-length");
        Map<String, List<String>> kept = new LinkedHashMap<>();
        headers.map().forEach((name, values) -> {
            if (!dropped.contains(name.toLowerCase(Locale.ROOT))) {
                kept.put(name, values);
            }
        });
        return kept;
    }

    private static List<String> connectionOptions(List<String> values) {
        List<String> options = new ArrayList<>();
        if (values != null) {
            for (String value : values) {
                for (String option : value.split(",")) {
                    String trimmed = option.trim().toLowerCase(Locale.ROOT);
                    if (!trimmed.isEmpty()) {
                        options.add(trimmed);
                    }
                }
            }
        }
        return options;
    }
}
