package io.github.lossengine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.lossengine.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link NpyOutputs}: all outputs or none, no temporary files left behind. */
class NpyOutputsTest {
    @TempDir
    Path dir;

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void writesEveryOutput() throws IOException {
        NpyOutputs out = new NpyOutputs();
        out.add("--grad-out", dir.resolve("g.npy"), Tensor.of(new float[] {1, 2}), new long[] {2});
        out.add("--grad2-out", dir.resolve("g2.npy"), Tensor.of(new float[] {3}), new long[0]);
        out.writeAll();
        assertEquals(List.of("g.npy", "g2.npy"), listing());
        assertArrayEquals(new float[] {1, 2}, Npy.read(dir.resolve("g.npy")).tensor().toFloatArray());
        assertArrayEquals(new long[0], Npy.read(dir.resolve("g2.npy")).shape());
    }

    @Test
    void failureBeforeTheMovesLeavesNothing() throws IOException {
        NpyOutputs out = new NpyOutputs();
        out.add("--grad-out", dir.resolve("g.npy"), Tensor.of(new float[] {1}), new long[] {1});
        out.add("--grad2-out", dir.resolve("missing").resolve("g2.npy"), Tensor.of(new float[] {1}), new long[] {1});
        BadArgumentException e = assertThrows(BadArgumentException.class, out::writeAll);
        assertTrue(e.getMessage().startsWith("--grad2-out "), e.getMessage());
        assertEquals(List.of(), listing());
    }

    /** Issue 10, defect 13: an error names the user's file, never the temporary one it was writing. */
    @Test
    void errorsNameTheUsersFileNotTheTemporaryOne() throws IOException {
        Path gone = Files.createDirectory(dir.resolve("gone"));
        NpyOutputs.Target t = NpyOutputs.target("--grad-out", gone.resolve("g.npy"));
        Files.delete(gone); // the folder removed after the checks, before the write
        NpyOutputs out = new NpyOutputs();
        out.add("--grad-out", gone.resolve("g.npy"), t, Tensor.of(new float[] {1}), new long[] {1});
        BadArgumentException e = assertThrows(BadArgumentException.class, out::writeAll);
        // before: "... cannot write: /tmp/.../gone/.lossengine-3f2a....tmp" (the temporary file being created)
        assertFalse(e.getMessage().contains(".lossengine-"), e.getMessage());
        assertEquals("--grad-out " + gone.resolve("g.npy") + ": cannot write: " + gone.resolve("g.npy"), e.getMessage());
    }

    @Test
    void failedMoveRemovesTheOutputsAlreadyPlaced() throws IOException {
        Path blocker = Files.createDirectory(dir.resolve("g2.npy"));
        Files.writeString(blocker.resolve("keep.txt"), "a non-empty directory cannot be replaced by a file");
        NpyOutputs out = new NpyOutputs();
        out.add("--grad-out", dir.resolve("g.npy"), Tensor.of(new float[] {1}), new long[] {1});
        out.add("--grad2-out", blocker, Tensor.of(new float[] {1}), new long[] {1});
        BadArgumentException e = assertThrows(BadArgumentException.class, out::writeAll);
        assertTrue(e.getMessage().startsWith("--grad2-out "), e.getMessage());
        assertFalse(Files.exists(dir.resolve("g.npy")), "the first output was removed");
        assertEquals(List.of("g2.npy"), listing(), "no temporary files left");
    }
}
