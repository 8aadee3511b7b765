package dev.ephemera.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** An agent's session through the PostgreSQL proxy, from the credential of a route's lease. */
public final class ProxySessions {
    private ProxySessions() {
    }

    public static Connection postgres(JsonNode credential) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", credential.get("username").asText());
        properties.setProperty("password", credential.get("token").asText());
        properties.setProperty("sslmode", "require");
        return DriverManager.getConnection("jdbc:postgresql://" + credential.get("address").asText() + "/"
                + credential.get("database").asText(), properties);
    }
}
