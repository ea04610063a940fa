package io.github.lossengine.opencl;

import static io.github.lossengine.opencl.OpenClRuntime.check;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;
import static org.jocl.CL.CL_SUCCESS;
import static org.jocl.CL.CL_TRUE;

import io.github.lossengine.kernel.Device;
import io.github.lossengine.kernel.DeviceException;
import io.github.lossengine.kernel.DeviceMemory;
import io.github.lossengine.kernel.Geometry;
import io.github.lossengine.kernel.KernelArgs;
import java.util.HashMap;
import java.util.Map;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * {@link Device} on one OpenCL context: buffers, blocking copies, and launches of the kernels of one
 * program built from the shared kernel sources with the OpenCL prelude. Used under the backend's
 * lock (OpenCL kernel objects hold their arguments, so launches must not interleave).
 */
final class OpenClDevice implements Device {
    private final OpenClRuntime.Session session;
    private final cl_program program;
    private final Map<String, cl_kernel> kernels = new HashMap<>();

    private OpenClDevice(OpenClRuntime.Session session, cl_program program) {
        this.session = session;
        this.program = program;
    }

    /**
     * Builds {@code source} for the session's device.
     *
     * @throws DeviceException with the compiler's log when the build fails
     */
    static OpenClDevice build(OpenClRuntime.Session session, String source) {
        int[] err = new int[1];
        cl_program p = CL.clCreateProgramWithSource(session.context(), 1, new String[] {source}, null, err);
        check(err[0], "clCreateProgramWithSource");
        int rc = CL.clBuildProgram(p, 1, new org.jocl.cl_device_id[] {session.candidate().device()}, "-cl-std=CL1.2", null, null);
        if (rc != CL_SUCCESS) {
            String log = buildLog(session, p);
            CL.clReleaseProgram(p);
            throw new DeviceException("OpenCL kernel build failed on " + session.candidate().deviceName() + " ("
                    + CL.stringFor_errorCode(rc) + "): " + (log.length() > 2000 ? log.substring(0, 2000) + " ..." : log));
        }
        return new OpenClDevice(session, p);
    }

    private static String buildLog(OpenClRuntime.Session session, cl_program p) {
        long[] size = new long[1];
        if (CL.clGetProgramBuildInfo(p, session.candidate().device(), CL_PROGRAM_BUILD_LOG, 0, null, size) != CL_SUCCESS) {
            return "(no build log)";
        }
        byte[] buf = new byte[(int) Math.min(size[0], 1 << 20)];
        CL.clGetProgramBuildInfo(p, session.candidate().device(), CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
        return OpenClRuntime.cString(buf);
    }

    @Override
    public String describe() {
        return "OpenCL " + session.candidate().describe();
    }

    /** OpenCL memory object; released on close. */
    private static final class ClMemory implements DeviceMemory {
        private final long bytes;
        private cl_mem mem;

        ClMemory(cl_mem mem, long bytes) {
            this.mem = mem;
            this.bytes = bytes;
        }

        @Override
        public long bytes() {
            return bytes;
        }

        cl_mem mem() {
            if (mem == null) {
                throw new IllegalStateException("device memory already released");
            }
            return mem;
        }

        @Override
        public void close() {
            if (mem != null) {
                CL.clReleaseMemObject(mem);
                mem = null;
            }
        }
    }

    private static cl_mem mem(DeviceMemory m) {
        return ((ClMemory) m).mem();
    }

    @Override
    public DeviceMemory allocate(long bytes) {
        int[] err = new int[1];
        cl_mem m = CL.clCreateBuffer(session.context(), CL_MEM_READ_WRITE, Math.max(1, bytes), null, err);
        check(err[0], "clCreateBuffer(" + bytes + " bytes)");
        return new ClMemory(m, bytes);
    }

    @Override
    public void write(DeviceMemory dst, long at, float[] src, int count) {
        copyIn(dst, at * Sizeof.cl_float, Pointer.to(src), (long) count * Sizeof.cl_float);
    }

    @Override
    public void write(DeviceMemory dst, long at, long[] src, int count) {
        copyIn(dst, at * Sizeof.cl_long, Pointer.to(src), (long) count * Sizeof.cl_long);
    }

    @Override
    public void write(DeviceMemory dst, int[] src, int count) {
        copyIn(dst, 0, Pointer.to(src), (long) count * Sizeof.cl_int);
    }

    /** {@code clEnqueueFillBuffer} on the (in-order) queue. */
    @Override
    public void fill(DeviceMemory dst, float value, long count) {
        if (count > 0) {
            check(CL.clEnqueueFillBuffer(session.queue(), mem(dst), Pointer.to(new float[] {value}), Sizeof.cl_float, 0,
                    count * Sizeof.cl_float, 0, null, null), "clEnqueueFillBuffer");
        }
    }

    private void copyIn(DeviceMemory dst, long offset, Pointer src, long bytes) {
        if (bytes > 0) {
            check(CL.clEnqueueWriteBuffer(session.queue(), mem(dst), CL_TRUE, offset, bytes, src, 0, null, null), "clEnqueueWriteBuffer");
        }
    }

    @Override
    public void read(DeviceMemory src, float[] dst, int count) {
        copyOut(src, Pointer.to(dst), (long) count * Sizeof.cl_float);
    }

    @Override
    public void read(DeviceMemory src, int[] dst, int count) {
        copyOut(src, Pointer.to(dst), (long) count * Sizeof.cl_int);
    }

    @Override
    public void read(DeviceMemory src, long[] dst, int count) {
        copyOut(src, Pointer.to(dst), (long) count * Sizeof.cl_long);
    }

    private void copyOut(DeviceMemory src, Pointer dst, long bytes) {
        if (bytes > 0) {
            check(CL.clEnqueueReadBuffer(session.queue(), mem(src), CL_TRUE, 0, bytes, dst, 0, null, null), "clEnqueueReadBuffer");
        }
    }

    @Override
    public void copy(DeviceMemory src, DeviceMemory dst, long bytes) {
        if (bytes > 0) {
            check(CL.clEnqueueCopyBuffer(session.queue(), mem(src), mem(dst), 0, 0, bytes, 0, null, null),
                    "clEnqueueCopyBuffer");
        }
        check(CL.clFinish(session.queue()), "clFinish");
    }

    @Override
    public String copyCall() {
        return "clEnqueueCopyBuffer + clFinish";
    }

    @Override
    public void launch(String name, int groups, KernelArgs args) {
        cl_kernel k = kernels.get(name);
        if (k == null) {
            int[] err = new int[1];
            k = CL.clCreateKernel(program, name, err);
            check(err[0], "clCreateKernel(" + name + ")");
            kernels.put(name, k);
        }
        int i = 0;
        for (KernelArgs.Arg a : args.list()) {
            int rc;
            if (a instanceof KernelArgs.Buffer b) {
                rc = CL.clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(mem(b.memory())));
            } else if (a instanceof KernelArgs.Int v) {
                rc = CL.clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[] {v.value()}));
            } else if (a instanceof KernelArgs.Long v) {
                rc = CL.clSetKernelArg(k, i, Sizeof.cl_long, Pointer.to(new long[] {v.value()}));
            } else {
                rc = CL.clSetKernelArg(k, i, Sizeof.cl_float, Pointer.to(new float[] {((KernelArgs.Float) a).value()}));
            }
            check(rc, "clSetKernelArg(" + name + ", " + i + ")");
            i++;
        }
        long local = Geometry.GROUP_SIZE;
        check(CL.clEnqueueNDRangeKernel(session.queue(), k, 1, null, new long[] {groups * local}, new long[] {local},
                0, null, null), "clEnqueueNDRangeKernel(" + name + ")");
    }
}
