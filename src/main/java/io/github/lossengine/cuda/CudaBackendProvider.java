package io.github.lossengine.cuda;

import io.github.lossengine.Backend;
import io.github.lossengine.BackendUnavailableException;
import io.github.lossengine.kernel.DeviceBackend;
import io.github.lossengine.kernel.KernelSources;
import io.github.lossengine.spi.BackendProvider;
import io.github.lossengine.spi.ComputeBackend;
import io.github.lossengine.spi.Probe;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

/**
 * The CUDA backend through the JCuda driver API (rank 300): no runtime API, no NVRTC, so users need
 * only the NVIDIA driver ({@code libcuda.so.1}), R580 or newer.
 *
 * <p><b>Probe</b>, once per JVM, inside a catch-all: first a check that loads nothing
 * ({@link JCudaNatives#noDriverReason}: no NVIDIA kernel driver and no {@code libcuda.so.1} anywhere
 * the loader looks means "no CUDA driver" at once); then JCuda's JNI library from a verified private
 * copy ({@link JCudaNatives}); then {@code cuInit}, the driver version (13.0 or newer: the kernels are
 * built by nvcc 13, PTX ISA 9.0), the device count and device 0's compute capability (7.5 or newer:
 * CUDA 13 dropped sm_50 to sm_72). Without {@code libcuda.so.1} JCuda's binding throws
 * {@link UnsatisfiedLinkError} the first time and {@link NoClassDefFoundError} after: the cached
 * answer says why. The codes of {@link CudaErrors#meansUnavailable} (34, 35, 46, 100, 209, 218, 221,
 * 222, 803, 804) make the backend unavailable with the reason; any other failing code makes it
 * unavailable too, reported as an error with the call and the CUDA error name (and logged at WARN).
 * Every driver call goes through {@link CudaErrors#rc}, so a program that turned on JCuda's
 * exceptions ({@code JCudaDriver.setExceptionsEnabled(true)}) sees the same behaviour.
 *
 * <p><b>Session.</b> Opening retains device 0's primary context, loads the module (fatbin, else PTX)
 * and resolves every kernel it declares, once; every engine shares the session and has its own
 * workspace; the last engine to close unloads the module and releases the context. A sticky error
 * (an illegal address, a launch failure, ...) ends the session at once ({@link #lose}): its engines
 * throw {@link io.github.lossengine.DeviceLostException}, and the next engine opens a fresh session.
 * Clean-up calls (module unload, context release, freeing memory) never throw: a failure is logged at
 * WARN with the CUDA error name. No call leaves a context current on the caller's thread: each
 * pushes the primary context and pops it.
 */
public final class CudaBackendProvider implements BackendProvider {
    /** The minimum driver version, as {@code cuDriverGetVersion} reports it: 13.0. */
    static final int MIN_DRIVER = 13000;
    /** The minimum compute capability (major * 10 + minor): sm_75. */
    static final int MIN_CAPABILITY = 75;

    private static final Object LOCK = new Object();
    private static Probe probe;
    private static Session session;

    private final KernelSources sources;

    /** The provider ServiceLoader creates: the module from the class path. */
    public CudaBackendProvider() {
        this(KernelSources.classpath());
    }

    /** A provider loading the module from {@code sources}. */
    public CudaBackendProvider(KernelSources sources) {
        this.sources = sources;
    }

    /**
     * The open context, module and device, shared by every CUDA engine of the JVM until its last
     * engine closes or a sticky error ends it; then a new session (a new generation) is opened for
     * the next engine. Memory a session allocated is freed only while it is alive
     * ({@link CudaDevice#alive()}), so a stale handle never frees a newer session's memory.
     */
    static final class Session {
        final CUdevice device;
        final CUcontext context;
        CudaDevice cuda;
        int engines;
        boolean ended;

        Session(CUdevice device, CUcontext context) {
            this.device = device;
            this.context = context;
        }
    }

    @Override
    public Backend backend() {
        return Backend.CUDA;
    }

    @Override
    public int rank() {
        return 300;
    }

    @Override
    public Probe probe() {
        synchronized (LOCK) {
            if (probe == null) {
                String noDriver = JCudaNatives.noDriverReason(() -> System.getenv("LD_LIBRARY_PATH"), Paths.get("/"));
                if (noDriver != null) {
                    probe = Probe.unavailable(noDriver); // nothing loaded: JCuda's class is never initialised
                } else {
                    probe = probeWithVerifiedNatives();
                }
            }
            return probe;
        }
    }

    private static Probe probeWithVerifiedNatives() {
        Path dir;
        try {
            dir = JCudaNatives.prepare();
        } catch (IOException | RuntimeException e) {
            return Probe.unavailable("the JCuda driver binding could not be prepared: " + e.getMessage());
        }
        try {
            return JCudaNatives.loadFrom(dir, CudaBackendProvider::probeDriver);
        } catch (Throwable t) { // UnsatisfiedLinkError first, NoClassDefFoundError later: "unavailable"
            return Probe.unavailable(CudaErrors.explain(t));
        }
    }

    private static Probe probeDriver() {
        int rc = CudaErrors.rc(() -> JCudaDriver.cuInit(0));
        if (rc != 0) {
            return probeFailure("cuInit", rc);
        }
        int[] v = new int[1];
        rc = CudaErrors.rc(() -> JCudaDriver.cuDriverGetVersion(v));
        if (rc != 0) {
            return probeFailure("cuDriverGetVersion", rc);
        }
        String version = (v[0] / 1000) + "." + (v[0] % 1000) / 10;
        if (v[0] < MIN_DRIVER) {
            return Probe.unavailable("the NVIDIA driver supports CUDA " + version + "; the kernels are built with nvcc 13"
                    + " (PTX ISA 9.0) and need CUDA 13.0, an R580 or newer driver");
        }
        int[] count = new int[1];
        rc = CudaErrors.rc(() -> JCudaDriver.cuDeviceGetCount(count));
        if (rc != 0) {
            return probeFailure("cuDeviceGetCount", rc);
        }
        if (count[0] == 0) {
            return Probe.unavailable("no CUDA device");
        }
        CUdevice dev = new CUdevice();
        rc = CudaErrors.rc(() -> JCudaDriver.cuDeviceGet(dev, 0));
        if (rc != 0) {
            return probeFailure("cuDeviceGet", rc);
        }
        int[] major = new int[1];
        int[] minor = new int[1];
        int rc1 = CudaErrors.rc(() -> JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev));
        int rc2 = CudaErrors.rc(() -> JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev));
        if (rc1 != 0 || rc2 != 0) {
            return probeFailure("cuDeviceGetAttribute", rc1 != 0 ? rc1 : rc2);
        }
        byte[] name = new byte[256];
        String deviceName = CudaErrors.rc(() -> JCudaDriver.cuDeviceGetName(name, name.length, dev)) == 0 ? cString(name) : "CUDA device 0";
        String description = deviceName + " (sm_" + major[0] + minor[0] + ", " + count[0] + " device"
                + (count[0] == 1 ? "" : "s") + "), driver CUDA " + version;
        if (major[0] * 10 + minor[0] < MIN_CAPABILITY) {
            return Probe.unavailable(description + ": compute capability " + major[0] + "." + minor[0]
                    + " is below 7.5, which CUDA 13 no longer supports");
        }
        return Probe.available(description);
    }

    /**
     * The probe's answer when a driver call fails: unavailable with the reason
     * ({@link CudaErrors#failure}): for the codes that mean "unavailable" (no device, stub library, old
     * driver, ...) the reason alone; any other code is an error of the driver, reported with the call
     * and the CUDA error name and also logged at WARN (automatic selection still falls back).
     */
    static Probe probeFailure(String call, int code) {
        String reason = CudaErrors.failure(call, code);
        if (!CudaErrors.meansUnavailable(code)) {
            CudaErrors.LOG.warn("CUDA probe: {}", reason);
        }
        return Probe.unavailable(reason);
    }

    static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8).strip();
    }

    @Override
    public ComputeBackend open() {
        Session s = acquire();
        return new DeviceBackend(Backend.CUDA, s.cuda, s) {
            private boolean released;

            @Override
            public void close() {
                super.close();
                synchronized (this) {
                    if (!released) {
                        released = true;
                        release(s);
                    }
                }
            }
        };
    }

    /** Opens (or shares) the session: primary context retained, module loaded, every kernel resolved. */
    Session acquire() {
        Probe p = probe();
        if (!p.available()) {
            throw new BackendUnavailableException(Backend.CUDA, p.reason());
        }
        synchronized (LOCK) {
            if (session == null) {
                try {
                    session = start(p.reason());
                } catch (BackendUnavailableException e) {
                    throw e;
                } catch (Throwable t) {
                    throw new BackendUnavailableException(Backend.CUDA, t.getMessage() != null ? t.getMessage() : t.toString(), t);
                }
            }
            session.engines++;
            return session;
        }
    }

    private Session start(String description) {
        CUdevice dev = new CUdevice();
        CudaErrors.require(CudaErrors.rc(() -> JCudaDriver.cuDeviceGet(dev, 0)), "cuDeviceGet");
        CUcontext ctx = new CUcontext();
        CudaErrors.require(CudaErrors.rc(() -> JCudaDriver.cuDevicePrimaryCtxRetain(ctx, dev)), "cuDevicePrimaryCtxRetain");
        Session s = new Session(dev, ctx);
        boolean pushed = false;
        try {
            CudaErrors.require(CudaErrors.rc(() -> JCudaDriver.cuCtxPushCurrent(ctx)), "cuCtxPushCurrent");
            pushed = true;
            CUmodule module = new CUmodule();
            String image = CudaModuleLoader.load(sources, bytes -> CudaErrors.rc(() -> JCudaDriver.cuModuleLoadData(module, bytes)));
            List<String> kernels = CudaModuleImage.kernelNames(sources);
            try {
                s.cuda = new CudaDevice(ctx, module, kernels, "CUDA " + description + ", kernels from " + image + " ("
                        + kernels.size() + " kernels)", () -> lose(s));
            } catch (RuntimeException e) {
                CudaErrors.warnIfFailed(CudaErrors.rc(() -> JCudaDriver.cuModuleUnload(module)), "cuModuleUnload");
                throw e;
            }
            return s;
        } catch (RuntimeException e) {
            if (pushed) {
                CudaErrors.warnIfFailed(CudaErrors.rc(() -> JCudaDriver.cuCtxPopCurrent(new CUcontext())), "cuCtxPopCurrent");
                pushed = false;
            }
            CudaErrors.warnIfFailed(CudaErrors.rc(() -> JCudaDriver.cuDevicePrimaryCtxRelease(dev)), "cuDevicePrimaryCtxRelease");
            throw new BackendUnavailableException(Backend.CUDA, e.getMessage(), e);
        } finally {
            if (pushed) {
                CudaErrors.warnIfFailed(CudaErrors.rc(() -> JCudaDriver.cuCtxPopCurrent(new CUcontext())), "cuCtxPopCurrent");
            }
        }
    }

    /**
     * A sticky error ended {@code s}: it is no longer handed to new engines, and its primary-context
     * retain is given back at once, so the driver can destroy the corrupt context and the next engine
     * gets a fresh one. Its engines refuse later calls; closing them only does the bookkeeping.
     */
    static void lose(Session s) {
        synchronized (LOCK) {
            if (session == s) {
                session = null;
            }
            endSession(s);
        }
    }

    /** One engine fewer; the last one unloads the module and releases the primary context. Never throws. */
    static void release(Session s) {
        synchronized (LOCK) {
            if (--s.engines == 0) {
                if (session == s) {
                    session = null;
                }
                endSession(s);
            }
        }
    }

    private static void endSession(Session s) {
        if (!s.ended) {
            s.ended = true;
            s.cuda.end();
            CudaErrors.warnIfFailed(CudaErrors.rc(() -> JCudaDriver.cuDevicePrimaryCtxRelease(s.device)), "cuDevicePrimaryCtxRelease");
        }
    }
}
