package io.github.lossengine.cli;

import io.github.lossengine.Tensor;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a set of {@code .npy} outputs all or nothing: each goes first to a temporary file in its
 * target's directory, then every temporary file is moved into place (atomically where the file
 * system can). If any step fails, the temporary files and the outputs already moved are removed, and
 * a {@link BadArgumentException} names the flag and the file.
 *
 * <p>An output moved into place replaces an existing file of that name; when a later move fails, the
 * replaced file is gone (removed, not restored). Not thread-safe.
 */
final class NpyOutputs {
    /** One output: the flag that asked for it, where it goes, the data and the shape to write. */
    record Output(String flag, Path file, Tensor data, long[] shape) {
    }

    private final List<Output> outputs = new ArrayList<>();

    /** Adds an output to write. */
    void add(String flag, Path file, Tensor data, long[] shape) {
        outputs.add(new Output(flag, file, data, shape.clone()));
    }

    /** Writes every output, or none. */
    void writeAll() {
        List<Path> temps = new ArrayList<>();
        List<Path> placed = new ArrayList<>();
        Output current = null;
        try {
            for (Output o : outputs) {
                current = o;
                Path dir = o.file().toAbsolutePath().getParent();
                Path temp = Files.createTempFile(dir, "." + o.file().getFileName() + ".", ".tmp");
                temps.add(temp);
                Npy.writeFloat32(temp, o.data(), o.shape());
            }
            for (int i = 0; i < outputs.size(); i++) {
                current = outputs.get(i);
                move(temps.get(i), current.file());
                placed.add(current.file());
            }
        } catch (IOException | RuntimeException e) {
            for (Path p : temps) {
                deleteQuietly(p);
            }
            for (Path p : placed) {
                deleteQuietly(p);
            }
            String flag = current == null ? "output" : current.flag() + " " + current.file();
            throw new BadArgumentException(flag + ": cannot write: " + e, e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: the original failure is what gets reported
        }
    }
}
