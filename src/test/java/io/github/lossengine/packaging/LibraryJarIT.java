package io.github.lossengine.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What the package phase leaves: the library jar users depend on holds the library only (no
 * {@code cli/}, no {@code demo/}), names its module and registers the backend providers; its
 * sources and javadoc jars exist and document the library only; the runnable
 * {@code target/lossengine.jar} has the tool, the providers and native access enabled.
 */
class LibraryJarIT {
    private static final String SERVICES = "META-INF/services/io.github.lossengine.spi.BackendProvider";
    private static final List<String> PROVIDERS = List.of("io.github.lossengine.cpu.CpuBackendProvider",
            "io.github.lossengine.opencl.OpenClBackendProvider", "io.github.lossengine.cuda.CudaBackendProvider");

    /** target/loss-engine-VERSION.jar, as the pom's failsafe configuration names it. */
    static Path libraryJar() {
        String jar = System.getProperty("lossengine.libraryJar");
        assertNotNull(jar, "run by failsafe, which sets lossengine.libraryJar");
        Path p = Paths.get(jar);
        assertTrue(Files.isRegularFile(p), "run after the package phase: " + p);
        return p;
    }

    private static Path sibling(String classifier) {
        Path lib = libraryJar();
        return lib.resolveSibling(lib.getFileName().toString().replace(".jar", "-" + classifier + ".jar"));
    }

    private static List<String> entries(Path jar) throws IOException {
        try (JarFile f = new JarFile(jar.toFile())) {
            return f.stream().map(e -> e.getName()).collect(Collectors.toList());
        }
    }

    private static List<String> services(JarFile f) throws IOException {
        try (InputStream in = f.getInputStream(f.getEntry(SERVICES))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toList());
        }
    }

    @Test
    void theLibraryJarHoldsTheLibraryOnly() throws IOException {
        List<String> names = entries(libraryJar());
        List<String> tools = names.stream().filter(n -> n.startsWith("io/github/lossengine/cli/")
                || n.startsWith("io/github/lossengine/demo/")).collect(Collectors.toList());
        assertEquals(List.of(), tools, "no CLI or demo classes in the library jar");
        assertTrue(names.contains("io/github/lossengine/LossEngine.class"), "the API");
        assertTrue(names.contains("io/github/lossengine/cpu/VectorKernels.class"), "the Vector API kernels");
        assertTrue(names.contains("io/github/lossengine/native/lossengine.fatbin"), "the CUDA module");
        assertTrue(names.stream().anyMatch(n -> n.startsWith("io/github/lossengine/kernels/") && n.endsWith(".cu")),
                "the kernel sources");
        assertTrue(names.stream().noneMatch(n -> n.endsWith("logback.xml") || n.endsWith("logback-cli.xml")),
                "the library never configures its users' logging");
    }

    @Test
    void theLibraryJarNamesItsModuleAndItsProviders() throws IOException {
        try (JarFile f = new JarFile(libraryJar().toFile())) {
            Manifest m = f.getManifest();
            assertEquals("io.github.lossengine", m.getMainAttributes().getValue("Automatic-Module-Name"));
            assertEquals(null, m.getMainAttributes().getValue("Main-Class"), "not runnable: the CLI is lossengine.jar");
            assertEquals(PROVIDERS, services(f));
        }
    }

    @Test
    void sourcesAndJavadocCoverTheLibraryOnly() throws IOException {
        List<String> sources = entries(sibling("sources"));
        assertTrue(sources.contains("io/github/lossengine/LossEngine.java"), "sources jar");
        assertTrue(sources.stream().noneMatch(n -> n.contains("/lossengine/cli/") || n.contains("/lossengine/demo/")));
        List<String> javadoc = entries(sibling("javadoc"));
        assertTrue(javadoc.stream().anyMatch(n -> n.endsWith("io/github/lossengine/LossEngine.html")), "javadoc jar");
        assertTrue(javadoc.stream().anyMatch(n -> n.endsWith("io/github/lossengine/cuda/CudaEngine.html")));
        for (String internal : List.of("cli", "demo", "cpu", "kernel", "opencl")) {
            assertTrue(javadoc.stream().noneMatch(n -> n.contains("io/github/lossengine/" + internal + "/")),
                    "internal package " + internal + " is not documented");
        }
    }

    @Test
    void theRunnableJarHasTheToolTheProvidersAndNativeAccess() throws IOException {
        Path jar = libraryJar().resolveSibling("lossengine.jar");
        try (JarFile f = new JarFile(jar.toFile())) {
            Manifest m = f.getManifest();
            assertEquals("io.github.lossengine.cli.Main", m.getMainAttributes().getValue("Main-Class"));
            assertEquals("ALL-UNNAMED", m.getMainAttributes().getValue("Enable-Native-Access"));
            assertNotNull(f.getEntry("io/github/lossengine/cli/Main.class"));
            assertNotNull(f.getEntry("io/github/lossengine/demo/DemoRunner.class"));
            assertNotNull(f.getEntry("io/github/lossengine/LossEngine.class"));
            assertNotNull(f.getEntry("picocli/CommandLine.class"));
            assertTrue(f.stream().anyMatch(e -> e.getName().startsWith("lib/libJCudaDriver-")),
                    "the linux-x86_64 JCuda driver binding is bundled");
            assertEquals(PROVIDERS, services(f));
        }
    }
}
