package dev.gatehouse.server;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The package graph of docs/architecture.md: every arrow points one way. */
class ArchitectureTest {
    private static JavaClasses server;

    @BeforeAll
    static void importServer() {
        server = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.gatehouse.server");
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("dev.gatehouse.server.(**)").should().beFreeOfCycles().check(server);
    }

    @Test
    void onlyTheWiringAndTheCommandLineUseTheRootPackage() {
        noClasses().that().resideOutsideOfPackages("dev.gatehouse.server", "dev.gatehouse.server.cli")
                .should().dependOnClassesThat().resideInAPackage("dev.gatehouse.server")
                .check(server);
    }

    @Test
    void capabilitiesDoNotReachIntoTheConfiguration() {
        noClasses().that().resideOutsideOfPackages("dev.gatehouse.server", "dev.gatehouse.server.cli",
                        "dev.gatehouse.server.config")
                .should().dependOnClassesThat().resideInAPackage("dev.gatehouse.server.config")
                .check(server);
    }

    @Test
    void theLeavesDependOnNoCapability() {
        noClasses().that().resideInAnyPackage("dev.gatehouse.server.http..", "dev.gatehouse.server.logging",
                        "dev.gatehouse.server.schedule", "dev.gatehouse.server.secrets", "dev.gatehouse.server.units")
                .should().dependOnClassesThat().resideInAnyPackage("dev.gatehouse.server.admin..",
                        "dev.gatehouse.server.audit..", "dev.gatehouse.server.byos..", "dev.gatehouse.server.config..",
                        "dev.gatehouse.server.crypto..", "dev.gatehouse.server.gateway..", "dev.gatehouse.server.identity..",
                        "dev.gatehouse.server.oauth..", "dev.gatehouse.server.pat..", "dev.gatehouse.server.sandbox..",
                        "dev.gatehouse.server.store..", "dev.gatehouse.server.tokens..")
                .check(server);
    }
}
