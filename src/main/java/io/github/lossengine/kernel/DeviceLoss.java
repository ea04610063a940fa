package io.github.lossengine.kernel;

import io.github.lossengine.Loss;

/**
 * The device implementation of one loss, written once for every device backend against
 * {@link Device}. Contract as the CPU's: check everything first ({@link InvalidOnDevice}) and only
 * then launch the kernels that write gradients; write every element of each requested gradient.
 */
public interface DeviceLoss<L extends Loss> {

    /**
     * Runs the loss.
     *
     * @param inputs    the loss's inputs in device memory (class indices as int64)
     * @param gradients per input, the device memory for its gradient, or {@code null} when not wanted
     */
    DeviceOutcome run(L loss, DeviceCall call, DeviceTensor[] inputs, DeviceMemory[] gradients);

    /**
     * Whether the kernels read input {@code i} in its own type when it is 16-bit (bfloat16 or
     * binary16, passed to them as a type code: {@link DeviceCall#typeCode}) and write its gradient in
     * the type {@link DeviceCall#gradientType} gives, so that 16-bit data moves as 16 bits. Otherwise
     * (the default) a 16-bit input is widened into float32 workspace first and its gradient rounded
     * from float32 workspace afterwards.
     */
    default boolean takes16(int i) {
        return false;
    }
}
