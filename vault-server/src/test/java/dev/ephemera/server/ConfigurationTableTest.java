package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.io.IOException;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration table against the configuration records: every {@code ephemera.*}
 * property the code binds is listed, every one listed is bound, and each default is the record's.
 * A default in backticks is a value; a word without them (required, off, none, self-signed) says
 * the record has no default.
 */
class ConfigurationTableTest {
    private static final String NO_DEFAULT = "(no default)";
    private static Map<String, String> bound;
    private static Map<String, String> documented;

    @BeforeAll
    static void read() throws IOException {
        bound = boundProperties();
        documented = documentedProperties(Files.readString(Path.of("..", "README.md")));
    }

    @Test
    void everyBoundPropertyIsInTheTable() {
        List<String> missing = bound.keySet().stream().filter(name -> !documented.containsKey(name)).toList();
        assertThat(missing).as("ephemera.* properties the code binds but the README's configuration table does not list")
                .isEmpty();
    }

    @Test
    void everyPropertyInTheTableIsBound() {
        List<String> unknown = documented.keySet().stream().filter(name -> !bound.containsKey(name)).toList();
        assertThat(unknown).as("ephemera.* properties the README's configuration table lists but no configuration record binds")
                .isEmpty();
    }

    @Test
    void everyDefaultInTheTableIsTheCodes() {
        List<String> wrong = new ArrayList<>();
        documented.forEach((name, documentedDefault) -> {
            String codeDefault = bound.get(name);
            if (codeDefault != null && !codeDefault.equals(documentedDefault)) {
                wrong.add(name + ": the README says " + documentedDefault + ", the code " + codeDefault);
            }
        });
        assertThat(wrong).as("defaults in the README's configuration table that differ from the records'").isEmpty();
    }

    @Test
    void theTableIsReadAsMeant() {
        assertThat(documented).containsEntry("ephemera.quota.requests-per-second-per-agent", "50")
                .containsEntry("ephemera.proxy.postgres.port", NO_DEFAULT)
                .containsEntry("ephemera.task.max-ttl", "24h");
        assertThat(bound).containsEntry("ephemera.proxy.postgres.max-sessions", "512")
                .containsEntry("ephemera.data-dir", NO_DEFAULT)
                .doesNotContainKey("ephemera.proxy.postgres");
    }

    /** Property name to default, from every {@code @ConfigurationProperties} record of the server. */
    private static Map<String, String> boundProperties() {
        Map<String, String> properties = new TreeMap<>();
        for (JavaClass javaClass : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.ephemera.server")) {
            if (!javaClass.isAnnotatedWith(ConfigurationProperties.class)) {
                continue;
            }
            Class<?> type = javaClass.reflect();
            assertThat(type.isRecord()).as(type.getName() + ": configuration is a record").isTrue();
            String prefix = ConfigurationFailure.prefixOf(type).orElseThrow();
            RecordComponent[] components = type.getRecordComponents();
            Parameter[] parameters = canonicalParameters(type, components);
            for (int i = 0; i < components.length; i++) {
                if (components[i].getType().isAnnotationPresent(ConfigurationProperties.class)) {
                    continue; // a nested record, read on its own
                }
                Bindable bindable = parameters[i].getAnnotation(Bindable.class);
                String value = bindable == null || bindable.defaultValue().isEmpty() ? NO_DEFAULT : bindable.defaultValue();
                properties.put(prefix + "." + ConfigurationFailure.kebab(components[i].getName()), value);
            }
        }
        return properties;
    }

    private static Parameter[] canonicalParameters(Class<?> type, RecordComponent[] components) {
        try {
            return type.getDeclaredConstructor(Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new))
                    .getParameters();
        } catch (NoSuchMethodException e) {
            throw new AssertionError(type.getName() + " has no canonical constructor", e);
        }
    }

    /**
     * Property name to default, from the rows of the README's {@code ## Configuration} table. A row
     * may list several properties and as many defaults, separated by {@code " / "}: a full name, a
     * last segment ({@code max-ttl}) or a suffix ({@code -per-agent}) standing for the first name's.
     */
    static Map<String, String> documentedProperties(String readme) {
        int start = readme.indexOf("\n## Configuration\n");
        assertThat(start).as("README.md has a '## Configuration' section").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        Map<String, String> properties = new LinkedHashMap<>();
        for (String line : readme.substring(start, end < 0 ? readme.length() : end).lines().toList()) {
            if (!line.startsWith("| `")) {
                continue;
            }
            String[] cells = line.split(" \\| ");
            String[] names = cells[0].substring(2).split(" / ");
            String[] defaults = cells[1].split(" / ");
            String first = unquote(names[0]);
            if (!first.startsWith("ephemera.")) {
                continue;
            }
            assertThat(defaults).as("the row of " + first + " gives one default per property").hasSameSizeAs(names);
            for (int i = 0; i < names.length; i++) {
                String name = fullName(first, unquote(names[i]));
                String value = defaults[i].strip();
                properties.put(name, value.startsWith("`") ? unquote(value) : NO_DEFAULT);
            }
        }
        return properties;
    }

    private static String fullName(String first, String part) {
        if (part.startsWith("ephemera.")) {
            return part;
        }
        int lastDot = first.lastIndexOf('.');
        if (part.startsWith("-")) {
            int from = first.lastIndexOf(part.substring(0, part.indexOf('-', 1) < 0 ? part.length() : part.indexOf('-', 1)) + "-");
            assertThat(from).as("the suffix " + part + " continues " + first).isGreaterThan(lastDot);
            return first.substring(0, from) + part;
        }
        return first.substring(0, lastDot + 1) + part;
    }

    private static String unquote(String cell) {
        String s = cell.strip();
        assertThat(s).as("a property or default in backticks: " + s).startsWith("`").endsWith("`");
        return s.substring(1, s.length() - 1);
    }
}
