package io.github.lossengine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.lossengine.cuda.FatbinImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The committed CUDA module against its sources: the manifest's hashes, the architectures in the
 * fatbin, the kernel symbols, the packaging in the jar, and the constants shared with Java.
 */
class KernelModuleTest {
    private static final Path ROOT = Paths.get("").toAbsolutePath();

    private static String sha256(Path p) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    /** The manifest build.sh would write now: every file under kernels/, sorted, then native/build.sh. */
    private static List<String> expectedManifest() throws Exception {
        List<String> files;
        try (Stream<Path> s = Files.walk(ROOT.resolve("kernels"))) {
            files = s.filter(Files::isRegularFile).map(p -> ROOT.relativize(p).toString().replace('\\', '/'))
                    .sorted().collect(Collectors.toCollection(ArrayList::new));
        }
        files.add("native/build.sh");
        List<String> lines = new ArrayList<>();
        for (String f : files) {
            lines.add(sha256(ROOT.resolve(f)) + "  " + f);
        }
        return lines;
    }

    private static boolean nvccPresent() {
        String cudaHome = System.getenv().getOrDefault("CUDA_HOME", "/usr/local/cuda");
        if (Files.isExecutable(Paths.get(cudaHome, "bin", "nvcc"))) {
            return true;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, "nvcc"))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void manifestMatchesTheKernelSources() throws Exception {
        List<String> manifest = Files.readAllLines(ROOT.resolve("native/MANIFEST.sha256"), StandardCharsets.UTF_8);
        List<String> expected = expectedManifest();
        if (!manifest.equals(expected)) {
            Set<String> diff = new TreeSet<>(expected);
            diff.removeAll(manifest);
            String msg = "stale kernels: run native/build.sh (native/MANIFEST.sha256 does not match kernels/; changed: " + diff + ")";
            Assumptions.assumeTrue(nvccPresent(), msg + " -- not failing because nvcc is not installed here");
            fail(msg);
        }
    }

    @Test
    void fatbinHoldsSassForSevenArchitecturesAndPtxForCompute75() throws Exception {
        List<FatbinImage.Entry> entries = FatbinImage.entries(Files.readAllBytes(ROOT.resolve("native/lossengine.fatbin")));
        Set<Integer> sass = new TreeSet<>();
        Set<Integer> ptx = new TreeSet<>();
        for (FatbinImage.Entry e : entries) {
            (e.ptx() ? ptx : sass).add(e.arch());
        }
        assertEquals(Set.of(75, 80, 86, 89, 90, 100, 120), sass, entries.toString());
        assertEquals(Set.of(75), ptx, entries.toString());
    }

    @Test
    void corruptFatbinIsRefused() throws Exception {
        byte[] image = Files.readAllBytes(ROOT.resolve("native/lossengine.fatbin"));
        byte[] bad = image.clone();
        bad[0] ^= 1;
        assertThrows(DeviceException.class, () -> FatbinImage.entries(bad));
        byte[] truncated = java.util.Arrays.copyOf(image, image.length / 2);
        assertThrows(DeviceException.class, () -> FatbinImage.entries(truncated));
    }

    @Test
    void ptxDefinesEveryKernelOfTheSourcesWithUnmangledNames() throws Exception {
        String ptx = Files.readString(ROOT.resolve("native/lossengine.ptx"));
        assertTrue(ptx.contains(".version 9."), "nvcc 13 PTX ISA 9.x");
        Set<String> entries = new TreeSet<>();
        Matcher m = Pattern.compile("\\.visible \\.entry (\\w+)\\(").matcher(ptx);
        while (m.find()) {
            entries.add(m.group(1));
        }
        Set<String> declared = new TreeSet<>();
        KernelSources src = KernelSources.classpath();
        Matcher k = Pattern.compile("(?:KERNEL void |LE_POINTWISE_KERNEL\\()(\\w+)[(,]").matcher(src.module("cuda"));
        while (k.find()) {
            if (!k.group(1).equals("NAME")) { // the macro's own parameter
                declared.add(k.group(1));
            }
        }
        assertEquals(declared, entries);
        for (String e : entries) {
            assertTrue(e.matches("le_[a-z0-9_]+_(f32|i64)"), "prefixed and typed: " + e);
        }
    }

    /**
     * LE_BATCH (kernels/softmax_cross_entropy.cu): the softmax-CE row loop issues four logit loads
     * back to back before the math that waits on them, the loads in flight the GPU roofline in
     * docs/PERFORMANCE.md counts on. A compiler or source change that serialises them again fails here.
     */
    @Test
    void softmaxCrossEntropyIssuesFourLogitLoadsBeforeUsingThem() throws Exception {
        String ptx = Files.readString(ROOT.resolve("native/lossengine.ptx"));
        int start = ptx.indexOf(".entry le_softmax_ce_f32(");
        assertTrue(start >= 0, "le_softmax_ce_f32 in the PTX");
        String body = ptx.substring(start, ptx.indexOf("\n}", start));
        // four loads with only address arithmetic (no float register) between them, for float32
        // logits and for 16-bit ones (read as 16 bits: kernels/common/dtype.h)
        for (String load : new String[] {"ld.global.nc.f32", "ld.global.nc.u16"}) {
            int run = 0;
            int best = 0;
            for (String line : body.split("\n")) {
                String l = line.strip();
                if (l.startsWith(load)) {
                    best = Math.max(best, ++run);
                } else if (l.contains("%f") || l.endsWith(":") || l.contains("bra")) {
                    run = 0;
                }
            }
            assertTrue(best >= 4, "longest run of " + load + " logit loads without float math between them: " + best);
        }
    }

    @Test
    void jarResourcesAreTheCommittedFiles() throws Exception {
        KernelSources cp = KernelSources.classpath();
        assertArrayEquals(Files.readAllBytes(ROOT.resolve("native/lossengine.fatbin")), cp.bytes(KernelSources.NATIVE + "lossengine.fatbin"));
        assertArrayEquals(Files.readAllBytes(ROOT.resolve("native/lossengine.ptx")), cp.bytes(KernelSources.NATIVE + "lossengine.ptx"));
        for (String f : cp.moduleFiles()) {
            assertArrayEquals(Files.readAllBytes(ROOT.resolve("kernels").resolve(f)), cp.bytes(KernelSources.KERNELS + f), f);
        }
    }

    @Test
    void geometryConstantsMatchTheKernels() {
        String reduce = KernelSources.classpath().text(KernelSources.KERNELS + "common/reduce.h");
        assertTrue(reduce.contains("#define GROUP_SIZE " + Geometry.GROUP_SIZE + "\n"));
        assertTrue(reduce.contains("#define ROW_CACHE " + Geometry.ROW_CACHE + "\n"));
    }

    @Test
    void missingResourceIsNamed() {
        KernelSources none = new KernelSources(name -> null);
        DeviceException e = assertThrows(DeviceException.class, () -> none.module("opencl"));
        assertTrue(e.getMessage().contains("kernel resource missing"), e.getMessage());
    }
}
