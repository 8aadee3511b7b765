package dev.ephemera.legacy.proxy.http;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * The upstream URI a request target names: an origin-form path goes beneath the lease's base path, an
 * absolute-form target must name the leased origin and a path under the base; the query goes as sent.
 * A lease grants a base, not a host, so no target may climb out of it, whether by literal dot segments
 * or by encodings an upstream might decode into separators or dot segments after the proxy looked.
 */
final class UpstreamPath {
    private UpstreamPath() {
    }

    static URI resolve(URI base, URI target) throws ExchangeRefused {
        if (target.isOpaque()) {
            throw refused("the request target must be a path");
        }
        String basePath = base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath();
        if (!basePath.endsWith("/")) {
            basePath += "/";
        }
        String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        if (!path.startsWith("/")) {
            throw refused("the request target must be a path");
        }
        if (target.getScheme() != null || target.getRawAuthority() != null) {
            checkSameOrigin(base, target);
            path = beneathBase(basePath, path);
        }
        String query = target.getRawQuery() == null ? "" : "?" + target.getRawQuery();
        return URI.create(base.getScheme() + "://" + base.getRawAuthority() + basePath + normalize(path) + query);
    }

    /** An absolute-form target (a client using the proxy as a forward proxy) names the base path itself. */
    private static String beneathBase(String basePath, String path) throws ExchangeRefused {
        if (path.startsWith(basePath)) {
            return path.substring(basePath.length() - 1);
        }
        if ((path + "/").equals(basePath)) {
            return "/";
        }
        throw refused("the request target is outside the leased upstream base");
    }

    /** The path's segments with literal dot segments applied, joined without the leading slash. */
    private static String normalize(String path) throws ExchangeRefused {
        String[] segments = path.substring(1).split("/", -1);
        Deque<String> kept = new ArrayDeque<>();
        for (int i = 0; i < segments.length; i++) {
            String raw = segments[i];
            boolean last = i == segments.length - 1;
            String decoded = decode(raw);
            String name = decoded.indexOf(';') >= 0 ? decoded.substring(0, decoded.indexOf(';')) : decoded;
            boolean dot = name.equals(".") || name.equals("..");
            if (dot && !raw.equals(name)) {
                throw refused("encoded or parameterised dot segments are not allowed");
            }
            if (raw.equals("..")) {
                if (kept.isEmpty()) {
                    throw refused("the path climbs out of the upstream base");
                }
                kept.removeLast();
                if (last) {
                    kept.addLast("");
                }
            } else if (raw.equals(".")) {
                if (last) {
                    kept.addLast("");
                }
            } else {
                kept.addLast(raw);
            }
        }
        return String.join("/", kept);
    }

    /** Percent-decodes one segment, refusing encoded separators and anything encoded twice. */
    private static String decode(String segment) throws ExchangeRefused {
        if (segment.indexOf('%') < 0) {
            if (segment.indexOf('\\') >= 0) {
                throw refused("backslashes are not allowed in the path");
            }
            return segment;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                int hi = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(segment.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw refused("malformed percent-encoding in the path");
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        String decoded = bytes.toString(StandardCharsets.UTF_8);
        if (decoded.indexOf('/') >= 0 || decoded.indexOf('\\') >= 0 || decoded.indexOf('\0') >= 0) {
            throw refused("encoded separators are not allowed in the path");
        }
        if (encodesAgain(decoded)) {
            throw refused("double percent-encoding is not allowed in the path");
        }
        return decoded;
    }

    private static boolean encodesAgain(String decoded) {
        for (int i = decoded.indexOf('%'); i >= 0 && i + 2 < decoded.length(); i = decoded.indexOf('%', i + 1)) {
            if (Character.digit(decoded.charAt(i + 1), 16) >= 0 && Character.digit(decoded.charAt(i + 2), 16) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static void checkSameOrigin(URI base, URI target) throws ExchangeRefused {
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        boolean same = scheme.equals(base.getScheme().toLowerCase(Locale.ROOT))
                && target.getHost() != null && target.getHost().equalsIgnoreCase(base.getHost())
                && port(target) == port(base) && target.getRawUserInfo() == null;
        if (!same) {
            throw refused("the request target names a host other than the leased upstream");
        }
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static ExchangeRefused refused(String reason) {
        return new ExchangeRefused(400, "bad_path", reason);
    }
}
