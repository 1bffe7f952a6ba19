package dev.gatehouse.server.sandbox.process;

import dev.gatehouse.runtime.Main;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of Gatehouse's reference runtime ({@code runtime/}, on this Gatehouse's class
 * path): the JVM this Gatehouse runs on, the runtime's recommended options, its jar (or classes
 * directory) and its main class. Nothing of Gatehouse's own class path or options is passed on.
 */
public final class ReferenceRuntime {
    private ReferenceRuntime() {}

    public static List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Main.RECOMMENDED_JVM_OPTIONS);
        command.add("-cp");
        command.add(location().toString());
        command.add(Main.class.getName());
        return command;
    }

    private static Path location() {
        try {
            return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the reference runtime's location is not a path", e);
        }
    }
}
