package dev.ephemera.server;

import io.micronaut.context.BeanContext;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.env.Environment;
import io.micronaut.core.naming.NameUtils;
import io.micronaut.inject.BeanDefinition;
import io.micronaut.inject.qualifiers.Qualifiers;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Refuses a set {@code ephemera.*} property whose value is not of its record component's type
 * ({@code ephemera.task.default-ttl=soon}): binding a record falls back to the default on such a
 * value, which would run the vault on a setting the operator did not choose.
 */
@Context
final class SettingTypes {

    SettingTypes(BeanContext beans, Environment environment) {
        for (BeanDefinition<?> definition : beans.getBeanDefinitions(Qualifiers.byStereotype(ConfigurationProperties.class))) {
            Class<?> type = definition.getBeanType();
            Optional<String> prefix = ConfigurationFailure.prefixOf(type);
            if (!type.isRecord() || prefix.isEmpty() || !prefix.get().startsWith("ephemera")) {
                continue;
            }
            for (RecordComponent component : type.getRecordComponents()) {
                Class<?> valueType = boxed(component.getType());
                String name = prefix.get() + "." + ConfigurationFailure.kebab(component.getName());
                if (!valueType.isAnnotationPresent(ConfigurationProperties.class) && environment.containsProperty(name)
                        && environment.getProperty(name, valueType).isEmpty()) {
                    throw new ConfigurationFailure.Unreadable(name + " must be " + expected(valueType));
                }
            }
        }
    }

    private static Class<?> boxed(Class<?> type) {
        if (type == int.class) {
            return Integer.class;
        }
        if (type == double.class) {
            return Double.class;
        }
        if (type == boolean.class) {
            return Boolean.class;
        }
        return type;
    }

    private static String expected(Class<?> type) {
        if (type == Duration.class) {
            return "a duration such as 90s, 15m or 1h";
        }
        if (type == Integer.class) {
            return "a whole number";
        }
        if (type == Double.class) {
            return "a number";
        }
        if (type == Boolean.class) {
            return "true or false";
        }
        if (type == Path.class) {
            return "a file path";
        }
        return "a " + NameUtils.hyphenate(type.getSimpleName());
    }
}
