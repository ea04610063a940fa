package io.github.lossengine.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Where JCuda's JNI library ({@code libJCudaDriver-12.6.0-linux-x86_64.so}, a resource of the
 * {@code jcuda-natives} jar) is loaded from, and the cheap check that there is a CUDA driver at all.
 *
 * <p>Left to itself, JCuda writes the library to {@code ${java.io.tmpdir}/<name>} only when that file
 * is absent, with a plain (non-atomic) write, and loads whatever it finds there unverified: a file
 * truncated by a killed JVM, or by two JVMs extracting at once, ends the JVM with SIGBUS, and on a
 * shared {@code /tmp} another user's file is loaded into this process. This class instead extracts
 * the library into a private per-user folder ({@code ~/.cache/lossengine/natives/<platform>}, or a
 * new private temporary folder when the home folder is not writable; the system property
 * {@code lossengine.nativeDir} overrides it), writes it through a temporary file and an atomic
 * rename, verifies an existing file's size and SHA-256 against the jar's resource (replacing it when
 * they differ), and points JCuda at that folder while it loads.
 *
 * <p>Not thread-safe: called under the CUDA provider's lock.
 */
final class JCudaNatives {
    /** The system property naming the folder the JNI library is extracted into. */
    static final String DIR_PROPERTY = "lossengine.nativeDir";

    /** JCuda's platform library name, e.g. {@code JCudaDriver-12.6.0-linux-x86_64}. */
    static final String LIBRARY = "JCudaDriver-12.6.0-" + platform();
    /** Its file name, e.g. {@code libJCudaDriver-12.6.0-linux-x86_64.so}. */
    static final String FILE = System.mapLibraryName(LIBRARY);

    private JCudaNatives() {
    }

    private static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(java.util.Locale.ROOT);
        String o = os.startsWith("windows") ? "windows" : os.startsWith("mac") ? "apple" : "linux";
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch.equals("aarch64") ? "aarch64" : arch;
        return o + "-" + a;
    }

    /**
     * Why there can be no CUDA driver here, found without loading anything: no NVIDIA kernel driver
     * ({@code /proc/driver/nvidia} and {@code /dev/nvidiactl} absent) and no {@code libcuda.so.1} on
     * {@code LD_LIBRARY_PATH}, in the dynamic linker's cache or in the usual library folders.
     * {@code null} when a driver may be there (the probe then asks it).
     */
    static String noDriverReason(Supplier<String> ldLibraryPath, Path root) {
        if (Files.exists(root.resolve("proc/driver/nvidia")) || Files.exists(root.resolve("dev/nvidiactl"))) {
            return null;
        }
        if (findable("libcuda.so.1", ldLibraryPath, root)) {
            return null;
        }
        return "no CUDA driver: libcuda.so.1 not found (no NVIDIA kernel driver: neither /proc/driver/nvidia nor /dev/nvidiactl"
                + " exists, and no libcuda.so.1 on LD_LIBRARY_PATH, in the linker cache or in the system library folders)";
    }

    /**
     * Whether the shared library {@code lib} is on {@code LD_LIBRARY_PATH}, in the usual library
     * folders (and the {@code extra} ones, relative to {@code root}) or in the dynamic linker's cache;
     * found without loading anything.
     */
    static boolean findable(String lib, Supplier<String> ldLibraryPath, Path root, String... extra) {
        String path = ldLibraryPath.get();
        if (path != null) {
            for (String d : path.split(":")) {
                if (!d.isEmpty() && Files.exists(root.resolve(d.replaceFirst("^/", "")).resolve(lib))) {
                    return true;
                }
            }
        }
        java.util.List<String> dirs = new java.util.ArrayList<>(java.util.List.of("usr/lib/x86_64-linux-gnu", "usr/lib64",
                "usr/lib", "lib/x86_64-linux-gnu", "lib64", "usr/lib/aarch64-linux-gnu", "usr/lib/wsl/lib"));
        dirs.addAll(java.util.List.of(extra));
        for (String d : dirs) {
            if (Files.exists(root.resolve(d).resolve(lib))) {
                return true;
            }
        }
        return linkerCacheNames(root.resolve("etc/ld.so.cache"), lib);
    }

    private static boolean linkerCacheNames(Path cache, String name) {
        try {
            byte[] b = Files.readAllBytes(cache);
            byte[] n = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            outer:
            for (int i = 0; i + n.length < b.length; i++) {
                for (int j = 0; j < n.length; j++) {
                    if (b[i + j] != n[j]) {
                        continue outer;
                    }
                }
                if (b[i + n.length] == 0) {
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /**
     * The folder holding a verified copy of the JNI library, extracted there if needed.
     *
     * @throws IOException with the reason when the resource is missing or no private folder can
     *         hold a verified copy
     */
    static Path prepare() throws IOException {
        return prepare(FILE, "org.jcuda:jcuda-natives:12.6.0");
    }

    /**
     * {@link #prepare()} for another JNI library of JCuda's family ({@code file}, a resource
     * {@code /lib/<file>} of the {@code artifact} jar with this platform's classifier), e.g. JCublas2's,
     * into the same private folder, verified the same way.
     */
    static Path prepare(String file, String artifact) throws IOException {
        byte[] lib;
        try (InputStream in = JCudaNatives.class.getResourceAsStream("/lib/" + file)) {
            if (in == null) {
                throw new IOException("the native library " + file + " is not on the class path (add " + artifact
                        + " with the classifier " + platform() + ")");
            }
            lib = in.readAllBytes();
        }
        String configured = System.getProperty(DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path dir = Paths.get(configured);
            Files.createDirectories(dir);
            install(dir, file, lib);
            return dir;
        }
        Path home = Paths.get(System.getProperty("user.home", "/nonexistent"), ".cache", "lossengine", "natives", platform());
        try {
            createPrivate(home);
            install(home, file, lib);
            return home;
        } catch (IOException e) {
            Path tmp = Files.createTempDirectory("lossengine-natives-");
            install(tmp, file, lib);
            tmp.toFile().deleteOnExit();
            tmp.resolve(file).toFile().deleteOnExit();
            return tmp;
        }
    }

    /** Creates {@code dir} (owner-only where the file system has POSIX permissions) and checks it is this user's. */
    private static void createPrivate(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (Files.isSymbolicLink(dir)) {
            throw new IOException(dir + " is a symbolic link");
        }
        try {
            Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
            Files.setPosixFilePermissions(dir, owner);
            Path probe = Files.createTempFile(dir, ".owner", ".tmp");
            try {
                UserPrincipal me = Files.getOwner(probe);
                if (!me.equals(Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS))) {
                    throw new IOException(dir + " belongs to " + Files.getOwner(dir) + ", not " + me);
                }
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (UnsupportedOperationException e) {
            // no POSIX attributes (e.g. Windows): a home folder is private already
        }
    }

    /**
     * Makes {@code dir/FILE} a verified copy of {@code lib}: kept when its size and SHA-256 match,
     * else written to a temporary file in the same folder, forced to disk and renamed over it.
     */
    static void install(Path dir, byte[] lib) throws IOException {
        install(dir, FILE, lib);
    }

    /** {@link #install(Path, byte[])} of the library named {@code file}. */
    static void install(Path dir, String file, byte[] lib) throws IOException {
        Path target = dir.resolve(file);
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == lib.length
                && sha256(Files.readAllBytes(target)).equals(sha256(lib))) {
            return;
        }
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "." + file, ".tmp");
        } catch (AccessDeniedException e) {
            throw new IOException("cannot write a verified copy of " + file + " into " + dir + " (the file there "
                    + (Files.exists(target) ? "differs from the jar's" : "is missing") + ")", e);
        }
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(lib);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code load} (the first JCuda driver call, which loads the JNI library) with JCuda pointed
     * at {@code dir}: JCuda extracts to {@code java.io.tmpdir} and reuses a file it finds there, so the
     * property names {@code dir}, holding the verified copy, for the duration of the call.
     */
    static <T> T loadFrom(Path dir, Supplier<T> load) {
        String saved = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", dir.toString());
        try {
            return load.get();
        } finally {
            if (saved == null) {
                System.clearProperty("java.io.tmpdir");
            } else {
                System.setProperty("java.io.tmpdir", saved);
            }
        }
    }
}
