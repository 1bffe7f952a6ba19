package dev.gatehouse.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {
    @TempDir
    Path directory;

    private final AtomicLong nanos = new AtomicLong();

    @Test
    void trailingNewlineIsStripped() throws Exception {
        Path path = directory.resolve("token");
        Files.writeString(path, "sk-abc-123\r\n");

        assertThat(new TokenFile(path, nanos::get).current()).hasValue("sk-abc-123");
    }

    @Test
    void inPlaceRewriteKeepingSizeAndTime_isSeenOnceTheLastReadIsOlderThanTheRereadInterval() throws Exception {
        Path path = directory.resolve("token");
        Files.writeString(path, "sk-first-0001");
        FileTime modified = Files.getLastModifiedTime(path);
        TokenFile tokens = new TokenFile(path, nanos::get);
        assertThat(tokens.current()).hasValue("sk-first-0001");

        Files.writeString(path, "sk-other-0002");
        Files.setLastModifiedTime(path, modified);
        assertThat(tokens.current()).as("same file, size and time: the cached token").hasValue("sk-first-0001");

        nanos.addAndGet(TokenFile.REREAD_AFTER.toNanos() + 1);
        assertThat(tokens.current()).hasValue("sk-other-0002");
    }

    @Test
    void fileDeletedAfterARead_givesNoToken() throws Exception {
        Path path = directory.resolve("token");
        Files.writeString(path, "sk-first-0001");
        TokenFile tokens = new TokenFile(path, nanos::get);
        assertThat(tokens.current()).isPresent();

        Files.delete(path);

        assertThat(tokens.current()).isEmpty();
    }
}
