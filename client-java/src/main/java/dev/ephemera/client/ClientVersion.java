package dev.ephemera.client;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The library's version, written into a resource by Maven, for the User-Agent header. */
final class ClientVersion {

    static final String VERSION = load();
    static final String USER_AGENT = "ephemera-client-java/" + VERSION;

    private ClientVersion() {
    }

    private static String load() {
        try (InputStream in = ClientVersion.class.getResourceAsStream("client.properties")) {
            if (in == null) {
                return "unknown";
            }
            var properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "").strip();
            // An unfiltered placeholder means the resource was not processed by Maven.
            return version.isEmpty() || version.contains("${") ? "unknown" : version;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
