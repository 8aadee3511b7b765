package dev.ephemera.server;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Says a configuration record's failed validation as the operator wrote it: the property's name and
 * the rule, e.g. {@code ephemera.quota.live-leases-per-task must be greater than 0}. Micronaut reports
 * it as the record's class and its components' Java names inside a bean-instantiation trace; the
 * record's {@link ConfigurationProperties} prefix turns those back into the property names. A
 * record's own check across components, an {@link IllegalArgumentException} from its constructor,
 * and a value that is not of its property's type ({@link Unreadable}) are said as they are.
 */
final class ConfigurationFailure {
    private static final Pattern BEAN = Pattern.compile("Validation failed for bean definition \\[([\\w.$]+)]");
    private static final Pattern VIOLATION = Pattern.compile("^\\s+([\\w.$\\[\\]]+) - (.+)$", Pattern.MULTILINE);

    private ConfigurationFailure() {
    }

    /** A set property whose value cannot be read as its type; the message names the property and the type. */
    static final class Unreadable extends RuntimeException {
        Unreadable(String message) {
            super(message);
        }
    }

    /** The properties and rules a failed start broke, in one line, when the failure is a configuration record's validation. */
    static Optional<String> explain(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof Unreadable unreadable) {
                return Optional.of(unreadable.getMessage());
            }
            // A record's own check across its components (a default beyond the maximum) names them itself.
            if (t instanceof IllegalArgumentException && t.getStackTrace().length > 0
                    && prefixOf(t.getStackTrace()[0].getClassName()).isPresent()) {
                return Optional.of(t.getMessage());
            }
            String message = t.getMessage();
            Matcher bean = message == null ? null : BEAN.matcher(message);
            if (bean == null || !bean.find()) {
                continue;
            }
            Optional<String> prefix = prefixOf(bean.group(1));
            if (prefix.isEmpty()) {
                return Optional.empty();
            }
            List<String> broken = new ArrayList<>();
            Matcher violation = VIOLATION.matcher(message.substring(bean.end()));
            while (violation.find()) {
                // The path is the record's class and the component's name, or just the component's.
                String path = violation.group(1);
                broken.add(prefix.get() + "." + kebab(path.substring(path.lastIndexOf('.') + 1)) + " " + violation.group(2).strip());
            }
            return broken.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", broken));
        }
        return Optional.empty();
    }

    /** The full prefix of a configuration record: its own, after those of the records it is nested in. */
    static Optional<String> prefixOf(String className) {
        try {
            return prefixOf(Class.forName(className, false, ConfigurationFailure.class.getClassLoader()));
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        }
    }

    static Optional<String> prefixOf(Class<?> type) {
        ConfigurationProperties own = type.getAnnotation(ConfigurationProperties.class);
        if (own == null) {
            return Optional.empty();
        }
        Class<?> outer = type.getEnclosingClass();
        return Optional.of(outer == null ? own.value() : prefixOf(outer).map(p -> p + "." + own.value()).orElse(own.value()));
    }

    /** {@code liveLeasesPerTask} as a property name: {@code live-leases-per-task}. */
    static String kebab(String javaName) {
        return javaName.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
