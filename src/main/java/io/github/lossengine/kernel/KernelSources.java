package io.github.lossengine.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The kernel sources and binaries packaged in the jar (from {@code kernels/} and {@code native/}),
 * read from the class path.
 *
 * <p>{@code kernels/MODULE} lists the files of the kernel module in order; a backend's source is its
 * platform prelude followed by those files, exactly what {@code native/build.sh} hands to nvcc.
 */
public final class KernelSources {
    /** Class-path folder of the kernel sources. */
    public static final String KERNELS = "io/github/lossengine/kernels/";
    /** Class-path folder of the built CUDA module (fatbin, PTX, manifest). */
    public static final String NATIVE = "io/github/lossengine/native/";

    private final Function<String, InputStream> opener;

    /** Sources read by {@code opener} (a class-path resource name to a stream, or {@code null} when missing). */
    public KernelSources(Function<String, InputStream> opener) {
        this.opener = opener;
    }

    /** Sources read from this library's class loader. */
    public static KernelSources classpath() {
        ClassLoader cl = KernelSources.class.getClassLoader();
        return new KernelSources(cl::getResourceAsStream);
    }

    /** The file names of the module, in order, from {@code MODULE}. */
    public List<String> moduleFiles() {
        List<String> files = new ArrayList<>();
        for (String line : text(KERNELS + "MODULE").split("\n")) {
            String f = line.strip();
            if (!f.isEmpty() && !f.startsWith("#")) {
                files.add(f);
            }
        }
        return files;
    }

    /** The whole module for one platform: {@code platform/<platform>.h}, then every module file. */
    public String module(String platform) {
        StringBuilder sb = new StringBuilder();
        sb.append(text(KERNELS + "platform/" + platform + ".h")).append('\n');
        for (String f : moduleFiles()) {
            sb.append("/* ---- ").append(f).append(" ---- */\n");
            sb.append(text(KERNELS + f)).append('\n');
        }
        return sb.toString();
    }

    /** A text resource. */
    public String text(String resource) {
        return new String(bytes(resource), StandardCharsets.UTF_8);
    }

    /**
     * A resource's bytes.
     *
     * @throws DeviceException naming the resource when it is missing or unreadable
     */
    public byte[] bytes(String resource) {
        try (InputStream in = opener.apply(resource)) {
            if (in == null) {
                throw new DeviceException("kernel resource missing from the class path: " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new DeviceException("cannot read kernel resource " + resource + ": " + e.getMessage(), e);
        }
    }
}
