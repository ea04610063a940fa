package io.github.lossengine.kernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The arguments of one kernel launch, in order and typed, as both backends pass them: device
 * buffers, {@code int} (32-bit), {@code LONG} (64-bit) and {@code float}. The order must match the
 * kernel's parameter list in {@code kernels/}.
 */
public final class KernelArgs {
    /** One argument. */
    public sealed interface Arg permits Buffer, Int, Long, Float {
    }

    /** A device buffer. */
    public record Buffer(DeviceMemory memory) implements Arg {
    }

    /** A 32-bit {@code int}. */
    public record Int(int value) implements Arg {
    }

    /** A 64-bit {@code LONG}. */
    public record Long(long value) implements Arg {
    }

    /** A 32-bit {@code float}. */
    public record Float(float value) implements Arg {
    }

    private final List<Arg> args = new ArrayList<>();

    public KernelArgs buf(DeviceMemory m) {
        args.add(new Buffer(m));
        return this;
    }

    public KernelArgs i32(int v) {
        args.add(new Int(v));
        return this;
    }

    public KernelArgs i64(long v) {
        args.add(new Long(v));
        return this;
    }

    public KernelArgs f32(double v) {
        args.add(new Float((float) v));
        return this;
    }

    /** The arguments in order. */
    public List<Arg> list() {
        return Collections.unmodifiableList(args);
    }
}
