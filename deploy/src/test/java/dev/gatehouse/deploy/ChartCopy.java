package dev.gatehouse.deploy;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** A copy of the chart, links followed (files/realms), for tests that change a file in it. */
final class ChartCopy {

    private ChartCopy() {
    }

    static Path of(Path chart, Path target) throws IOException {
        try (Stream<Path> paths = Files.walk(chart, FileVisitOption.FOLLOW_LINKS)) {
            for (Path source : paths.toList()) {
                Path copy = target.resolve(chart.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(source, copy);
                }
            }
        }
        return target;
    }
}
