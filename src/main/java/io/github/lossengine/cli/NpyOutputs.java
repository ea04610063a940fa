package io.github.lossengine.cli;

import io.github.lossengine.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a set of {@code .npy} outputs all or nothing, without harming a file it was not asked to
 * write.
 *
 * <ul>
 *   <li>A symbolic link is resolved to its target first ({@link #target}); the link itself is kept.
 *   <li>A regular file (or a new name) is written to a temporary file in its directory, created as
 *       NumPy creates files (mode 0666 less the umask, never a fixed 0600), then every temporary
 *       file is moved into place (atomically where the file system can). A stopped process (SIGTERM)
 *       removes its temporary files (a shutdown hook).
 *   <li>A character device or FIFO the user named (e.g. {@code /dev/null}) is written in place, never
 *       replaced; anything else that is not a regular file (a socket, a block device) is refused.
 * </ul>
 * If any step fails, the temporary files and the outputs already moved are removed, and a
 * {@link BadArgumentException} names the flag and the user's file (never the temporary name).
 *
 * <p>An output moved into place replaces an existing file of that name; when a later move fails, the
 * replaced file is gone (removed, not restored). Not thread-safe.
 */
final class NpyOutputs {
    /** Temporary files in flight, removed by the shutdown hook if the JVM is stopped. */
    private static final Set<Path> IN_FLIGHT = ConcurrentHashMap.newKeySet();
    /** Set by the shutdown hook: no temporary file is created or moved into place after it. */
    private static volatile boolean stopping;
    /** A temporary file's name ({@link #createTemp}), replaced by the user's in messages. */
    private static final java.util.regex.Pattern TEMP_NAME = java.util.regex.Pattern.compile("\\S*\\.lossengine-[0-9a-f]+\\.tmp");

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping = true;
            IN_FLIGHT.forEach(NpyOutputs::deleteQuietly);
        }, "lossengine-temp-cleanup"));
    }

    /** One output: the flag that asked for it, the name given, the file written, the data and the shape. */
    record Output(String flag, Path file, Target target, Tensor data, long[] shape) {
    }

    /** Where an output goes: the resolved file, and whether it is a device or FIFO written in place. */
    record Target(Path file, boolean inPlace) {
    }

    private final List<Output> outputs = new ArrayList<>();

    /**
     * The file an output named {@code file} writes: symbolic links resolved (the directory's real path
     * plus the name for a file that does not exist yet). Refuses a dangling link, a directory and a
     * special file other than a character device or FIFO.
     */
    static Target target(String flag, Path file) {
        try {
            Path real;
            if (Files.exists(file)) {
                real = file.toRealPath();
            } else if (Files.isSymbolicLink(file)) {
                throw new BadArgumentException(flag + " " + file + ": a symbolic link to a file that does not exist");
            } else {
                Path dir = file.toAbsolutePath().getParent();
                real = dir.toRealPath().resolve(file.getFileName().toString());
            }
            if (!Files.exists(real, LinkOption.NOFOLLOW_LINKS)) {
                return new Target(real, false);
            }
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isRegularFile()) {
                return new Target(real, false);
            }
            if (a.isDirectory()) {
                throw new BadArgumentException(flag + " " + file + ": is a directory");
            }
            String kind = special(real);
            if (kind.equals("character device") || kind.equals("fifo")) {
                return new Target(real, true);
            }
            throw new BadArgumentException(flag + " " + file + ": is a " + kind + ", not a regular file, character device or FIFO");
        } catch (IOException e) {
            throw new BadArgumentException(flag + " " + file + ": cannot resolve: " + e.getMessage(), e);
        }
    }

    /** "character device", "fifo", "block device", "socket" or "special file", from the unix file mode. */
    private static String special(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            switch (mode & 0170000) {
                case 0020000:
                    return "character device";
                case 0010000:
                    return "fifo";
                case 0060000:
                    return "block device";
                case 0140000:
                    return "socket";
                default:
                    return "special file";
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "special file";
        }
    }

    /** Adds an output to write to {@code file} as named (not resolved: {@link #target} is the checked way). */
    void add(String flag, Path file, Tensor data, long[] shape) {
        add(flag, file, new Target(file.toAbsolutePath(), false), data, shape);
    }

    /** Adds an output to write to {@code target} ({@link #target} of {@code file}). */
    void add(String flag, Path file, Target target, Tensor data, long[] shape) {
        outputs.add(new Output(flag, file, target, data, shape.clone()));
    }

    /** Writes every output, or none. */
    void writeAll() {
        List<Path> temps = new ArrayList<>();
        List<Path> placed = new ArrayList<>();
        Output current = null;
        Path currentTemp = null;
        try {
            for (Output o : outputs) {
                current = o;
                if (o.target().inPlace()) {
                    temps.add(null);
                    continue;
                }
                Path temp = createTemp(o.target().file().getParent());
                currentTemp = temp;
                temps.add(temp);
                Npy.writeFloat32(temp, o.data(), o.shape());
            }
            for (int i = 0; i < outputs.size(); i++) {
                current = outputs.get(i);
                currentTemp = null;
                if (current.target().inPlace()) {
                    try (OutputStream out = Files.newOutputStream(current.target().file(), StandardOpenOption.WRITE)) {
                        Npy.writeFloat32(out, current.data(), current.shape());
                    }
                }
            }
            for (int i = 0; i < outputs.size(); i++) {
                current = outputs.get(i);
                currentTemp = temps.get(i);
                if (currentTemp != null) {
                    if (stopping) {
                        throw new IOException("stopped");
                    }
                    move(currentTemp, current.target().file());
                    IN_FLIGHT.remove(currentTemp);
                    placed.add(current.target().file());
                }
            }
        } catch (IOException | RuntimeException e) {
            for (Path p : temps) {
                if (p != null) {
                    deleteQuietly(p);
                    IN_FLIGHT.remove(p);
                }
            }
            for (Path p : placed) {
                deleteQuietly(p);
            }
            String flag = current == null ? "output" : current.flag() + " " + current.file();
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            if (current != null) {
                // every temporary name (also one being created when that failed) is the user's file
                why = TEMP_NAME.matcher(why).replaceAll(java.util.regex.Matcher.quoteReplacement(current.file().toString()));
            }
            throw new BadArgumentException(flag + ": cannot write: " + why, e);
        }
    }

    /**
     * A new empty file in {@code dir} with a short name (so that a 255-byte output name still fits),
     * created with the default permissions (0666 less the umask), as NumPy's {@code np.save}.
     */
    private static Path createTemp(Path dir) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path p = dir.resolve(".lossengine-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                IN_FLIGHT.add(p);
                if (stopping) {
                    deleteQuietly(p);
                    throw new IOException("stopped");
                }
                return p;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
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
