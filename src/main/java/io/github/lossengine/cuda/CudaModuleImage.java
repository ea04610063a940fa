package io.github.lossengine.cuda;

import io.github.lossengine.kernel.DeviceException;
import io.github.lossengine.kernel.KernelSources;
import java.util.Arrays;

/**
 * The CUDA module images packaged in the jar ({@code native/lossengine.fatbin} and
 * {@code native/lossengine.ptx}, built by {@code native/build.sh}), checked before they reach the
 * driver: a fatbin must parse ({@link FatbinImage}); PTX is handed over NUL-terminated, as
 * {@code cuModuleLoadData} needs. Pure Java.
 */
final class CudaModuleImage {
    private CudaModuleImage() {
    }

    /**
     * The fatbin's bytes.
     *
     * @throws DeviceException when it is missing from the class path or corrupt
     */
    static byte[] fatbin(KernelSources sources) {
        byte[] image = sources.bytes(KernelSources.NATIVE + "lossengine.fatbin");
        FatbinImage.entries(image);
        return image;
    }

    /**
     * The PTX, NUL-terminated.
     *
     * @throws DeviceException when it is missing or does not look like PTX
     */
    static byte[] ptx(KernelSources sources) {
        byte[] text = sources.bytes(KernelSources.NATIVE + "lossengine.ptx");
        String head = new String(text, 0, Math.min(text.length, 4096), java.nio.charset.StandardCharsets.US_ASCII);
        if (!head.contains(".version") || !head.contains(".target")) {
            throw new DeviceException("native/lossengine.ptx is not PTX");
        }
        return text.length > 0 && text[text.length - 1] == 0 ? text : Arrays.copyOf(text, text.length + 1);
    }

    /** A kernel defined in the dialect sources: {@code KERNEL void name(} or {@code LE_POINTWISE_KERNEL(name,} at a line's start. */
    private static final java.util.regex.Pattern KERNEL = java.util.regex.Pattern.compile(
            "^(?:KERNEL\\s+void\\s+|LE_POINTWISE_KERNEL\\(\\s*)([A-Za-z_][A-Za-z0-9_]*)", java.util.regex.Pattern.MULTILINE);

    /**
     * The kernels the host code may launch: every kernel the dialect sources define (the module text
     * {@code native/build.sh} hands to nvcc). Each is resolved when the backend opens, so a module
     * image that lacks one (a stale or mismatched fatbin or PTX) makes the backend unavailable with
     * that kernel's name instead of failing mid-training.
     */
    static java.util.List<String> kernelNames(KernelSources sources) {
        java.util.List<String> names = new java.util.ArrayList<>();
        java.util.regex.Matcher m = KERNEL.matcher(sources.module("cuda"));
        while (m.find()) {
            names.add(m.group(1));
        }
        if (names.isEmpty()) {
            throw new DeviceException("the kernel sources define no kernel");
        }
        return names;
    }
}
