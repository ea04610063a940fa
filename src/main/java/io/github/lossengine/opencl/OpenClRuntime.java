package io.github.lossengine.opencl;

import static org.jocl.CL.CL_DEVICE_LOCAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_WORK_GROUP_SIZE;
import static org.jocl.CL.CL_DEVICE_NAME;
import static org.jocl.CL.CL_DEVICE_NOT_FOUND;
import static org.jocl.CL.CL_DEVICE_TYPE;
import static org.jocl.CL.CL_DEVICE_TYPE_ALL;
import static org.jocl.CL.CL_DEVICE_TYPE_GPU;
import static org.jocl.CL.CL_DEVICE_VERSION;
import static org.jocl.CL.CL_PLATFORM_NAME;
import static org.jocl.CL.CL_SUCCESS;

import io.github.lossengine.kernel.DeviceException;
import io.github.lossengine.kernel.Geometry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * The OpenCL devices of this machine, found once per JVM through JOCL, and the context and queue of
 * the chosen one. Nothing here runs in a static initialiser: {@link #discover()} is called from the
 * provider's probe, inside its catch-all.
 *
 * <p>Return codes are checked; JOCL's JVM-wide {@code setExceptionsEnabled} is left alone.
 */
final class OpenClRuntime {
    /** CL_PLATFORM_NOT_FOUND_KHR: the ICD loader found no platform. */
    private static final int PLATFORM_NOT_FOUND_KHR = -1001;
    /** Local memory the row kernels declare: the row cache plus (2 + MAX_SUMS) reduction buffers of GROUP_SIZE floats. */
    static final long LOCAL_BYTES_NEEDED = 4L * (Geometry.ROW_CACHE + 8L * Geometry.GROUP_SIZE);

    /** One OpenCL device and what the probe learnt about it. */
    record Candidate(cl_platform_id platform, cl_device_id device, String platformName, String deviceName,
                     String version, boolean gpu, String unusableBecause) {
        String describe() {
            return deviceName + " (" + (gpu ? "GPU" : "CPU/accelerator") + ", " + version + ", platform " + platformName + ")";
        }
    }

    private OpenClRuntime() {
    }

    /** The name PoCL's platforms report. */
    static final String POCL = "Portable Computing Language";

    /**
     * What a probe found: the devices, GPUs first, and the PoCL platforms whose devices it did not
     * ask for (see {@link #discover(boolean)}).
     */
    record Found(List<Candidate> devices, List<String> deferred) {
    }

    /**
     * Every OpenCL device, GPUs first. With {@code deferPocl}, PoCL's platforms are listed but their
     * devices not asked for: {@code clGetDeviceIDs} starts PoCL's CPU driver, whose LLVM replaces the
     * JVM's SIGSEGV handler ({@link io.github.lossengine.spi.SignalChaining}), and listing platforms
     * does not. No platform at all is reported through the exception.
     */
    static Found discover(boolean deferPocl) {
        int[] count = new int[1];
        int rc = CL.clGetPlatformIDs(0, null, count);
        if (rc == PLATFORM_NOT_FOUND_KHR || (rc == CL_SUCCESS && count[0] == 0)) {
            throw new DeviceException("no OpenCL platform found (no ICD installed; on Debian: apt-get install pocl-opencl-icd)");
        }
        check(rc, "clGetPlatformIDs");
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        check(CL.clGetPlatformIDs(platforms.length, platforms, null), "clGetPlatformIDs");
        List<Candidate> gpus = new ArrayList<>();
        List<Candidate> others = new ArrayList<>();
        List<String> deferred = new ArrayList<>();
        for (cl_platform_id p : platforms) {
            String pname = platformString(p, CL_PLATFORM_NAME);
            if (deferPocl && pname.equals(POCL)) {
                deferred.add(pname);
                continue;
            }
            int[] n = new int[1];
            rc = CL.clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, null, n);
            if (rc == CL_DEVICE_NOT_FOUND || n[0] == 0) {
                continue;
            }
            check(rc, "clGetDeviceIDs");
            cl_device_id[] devices = new cl_device_id[n[0]];
            check(CL.clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, devices.length, devices, null), "clGetDeviceIDs");
            for (cl_device_id d : devices) {
                long type = deviceLong(d, CL_DEVICE_TYPE);
                boolean gpu = (type & CL_DEVICE_TYPE_GPU) != 0;
                String version = deviceString(d, CL_DEVICE_VERSION);
                long wg = deviceSizeT(d, CL_DEVICE_MAX_WORK_GROUP_SIZE);
                long local = deviceLong(d, CL_DEVICE_LOCAL_MEM_SIZE);
                String unusable = null;
                if (wg < Geometry.GROUP_SIZE) {
                    unusable = "work groups of at most " + wg + " work-items (" + Geometry.GROUP_SIZE + " needed)";
                } else if (local < LOCAL_BYTES_NEEDED) {
                    unusable = local + " bytes of local memory (" + LOCAL_BYTES_NEEDED + " needed)";
                } else if (version.startsWith("OpenCL 1.0") || version.startsWith("OpenCL 1.1")) {
                    unusable = version + " (OpenCL 1.2 needed)";
                }
                Candidate c = new Candidate(p, d, pname, deviceString(d, CL_DEVICE_NAME), version, gpu, unusable);
                (gpu ? gpus : others).add(c);
            }
        }
        List<Candidate> all = new ArrayList<>(gpus);
        all.addAll(others);
        return new Found(all, deferred);
    }

    /** A context and an in-order queue on one device. */
    record Session(cl_context context, cl_command_queue queue, Candidate candidate) {
    }

    static Session open(Candidate c) {
        int[] err = new int[1];
        cl_context ctx = CL.clCreateContext(null, 1, new cl_device_id[] {c.device()}, null, null, err);
        check(err[0], "clCreateContext");
        @SuppressWarnings("deprecation")
        cl_command_queue q = CL.clCreateCommandQueue(ctx, c.device(), 0, err);
        if (err[0] != CL_SUCCESS) {
            CL.clReleaseContext(ctx);
        }
        check(err[0], "clCreateCommandQueue");
        return new Session(ctx, q, c);
    }

    static void check(int rc, String call) {
        if (rc != CL_SUCCESS) {
            throw new DeviceException(call + " failed: " + CL.stringFor_errorCode(rc) + " (" + rc + ")");
        }
    }

    private static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        check(CL.clGetPlatformInfo(p, param, 0, null, size), "clGetPlatformInfo");
        byte[] buf = new byte[(int) size[0]];
        check(CL.clGetPlatformInfo(p, param, buf.length, Pointer.to(buf), null), "clGetPlatformInfo");
        return cString(buf);
    }

    private static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        check(CL.clGetDeviceInfo(d, param, 0, null, size), "clGetDeviceInfo");
        byte[] buf = new byte[(int) size[0]];
        check(CL.clGetDeviceInfo(d, param, buf.length, Pointer.to(buf), null), "clGetDeviceInfo");
        return cString(buf);
    }

    private static long deviceLong(cl_device_id d, int param) {
        long[] v = new long[1];
        check(CL.clGetDeviceInfo(d, param, Sizeof.cl_long, Pointer.to(v), null), "clGetDeviceInfo");
        return v[0];
    }

    private static long deviceSizeT(cl_device_id d, int param) {
        long[] v = new long[1];
        check(CL.clGetDeviceInfo(d, param, Sizeof.size_t, Pointer.to(v), null), "clGetDeviceInfo");
        return v[0];
    }

    static String cString(byte[] buf) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8).strip();
    }
}
