package io.github.lossengine.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * One array of a NumPy {@code .npz} archive (what {@code numpy.savez} and {@code savez_compressed}
 * write: a zip of {@code .npy} files, stored or deflated), named on the command line as
 * {@code file.npz:name}; {@code file.npz} alone when the archive holds exactly one array.
 */
final class Npz {
    private Npz() {
    }

    /** Whether {@code spec} names an {@code .npz} archive, with or without {@code :name}. */
    static boolean isNpz(String spec) {
        return spec.toLowerCase(java.util.Locale.ROOT).endsWith(".npz") || split(spec) != null;
    }

    /** {file, name} of {@code file.npz:name}, or null when {@code spec} has no {@code .npz:} in it. */
    private static String[] split(String spec) {
        int at = spec.toLowerCase(java.util.Locale.ROOT).lastIndexOf(".npz:");
        return at < 0 ? null : new String[] {spec.substring(0, at + 4), spec.substring(at + 5)};
    }

    /** The archive's file of {@code spec}. */
    static String file(String spec) {
        String[] parts = split(spec);
        return parts == null ? spec : parts[0];
    }

    /**
     * Reads the array {@code spec} names.
     *
     * @throws java.nio.file.NoSuchFileException when the archive does not exist
     * @throws NpyFormatException  when it is not a zip, has no such array (the message lists those it
     *                             has) or the array is not a {@code .npy} {@link Npy} reads
     */
    static Npy.NpyArray read(Path file, String spec) throws IOException {
        String[] parts = split(spec);
        String name = parts == null ? null : parts[1];
        if (!java.nio.file.Files.exists(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString());
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<String> names = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                String entry = e.nextElement().getName();
                if (entry.endsWith(".npy")) {
                    names.add(entry.substring(0, entry.length() - 4));
                }
            }
            if (name == null) {
                if (names.size() != 1) {
                    throw new NpyFormatException(spec, "holds " + names.size() + " arrays " + names
                            + ": name one, as " + file + ":NAME");
                }
                name = names.get(0);
            }
            ZipEntry entry = zip.getEntry(name + ".npy");
            if (entry == null) {
                throw new NpyFormatException(spec, "no array '" + name + "' in the archive; it holds " + names);
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return Npy.read(in, file + ":" + name);
            }
        } catch (ZipException e) {
            throw new NpyFormatException(spec, "not a NumPy .npz archive (" + e.getMessage() + ")");
        }
    }
}
