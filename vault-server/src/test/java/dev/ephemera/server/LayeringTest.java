package dev.ephemera.server;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering drawn in the README's architecture section, checked on the compiled classes: entry
 * points over the HTTP layer over the domain, no package cycle, and a domain that needs nothing
 * of the web framework. A violation fails with the offending class, dependency and source line.
 */
class LayeringTest {
    private static final String SERVER = "dev.ephemera.server";
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                // Micronaut's generated bean definitions ($Foo$Definition) speak the framework by design.
                .withImportOption(location -> !location.contains("/$"))
                .importPackages(SERVER);
    }

    @Test
    void layersDependDownwardOnly() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Entry points").definedBy(SERVER, SERVER + ".cli..", SERVER + ".dev..")
                .layer("HTTP").definedBy(SERVER + ".api..", SERVER + ".http..")
                .layer("Domain").definedBy(SERVER + ".domain..")
                .whereLayer("Entry points").mayNotBeAccessedByAnyLayer()
                .whereLayer("HTTP").mayOnlyBeAccessedByLayers("Entry points")
                .whereLayer("Domain").mayOnlyBeAccessedByLayers("HTTP", "Entry points")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching(SERVER + ".(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void domainNeedsNoWebFramework() {
        noClasses().that().resideInAPackage(SERVER + ".domain..")
                .should().dependOnClassesThat(resideInAnyPackage("io.micronaut..", "io.netty..")
                        .and(not(resideInAnyPackage("io.micronaut.context.annotation", "io.micronaut.core.annotation",
                                "io.micronaut.serde.annotation",
                                // @Bindable(defaultValue): a configuration record's one declaration of its defaults
                                "io.micronaut.core.bind.annotation"))))
                .because("the domain is read and tested without the HTTP framework; only its wiring annotations may appear")
                .check(classes);
    }

    @Test
    void kernelDependsOnNoOtherServerPackage() {
        noClasses().that().resideInAPackage(SERVER + ".domain.core")
                .should().dependOnClassesThat(resideInAPackage(SERVER + "..").and(not(resideInAPackage(SERVER + ".domain.core"))))
                .because("domain.core (errors, names, durations, documents) is what every other package stands on")
                .check(classes);
    }
}
