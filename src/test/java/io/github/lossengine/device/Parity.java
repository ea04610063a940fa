package io.github.lossengine.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.lossengine.InvalidInputException;
import io.github.lossengine.Loss;
import io.github.lossengine.LossEngine;
import io.github.lossengine.LossResult;
import io.github.lossengine.Reduction;
import io.github.lossengine.Tensor;
import java.util.Arrays;

/**
 * Compares a device backend with the CPU backend (the reference) on one loss and one set of inputs.
 *
 * <p>Tolerance: the device computes in float32 with tree reductions, the CPU in double with
 * compensated sums. A value matches when {@code |dev - cpu| <= rel * |cpu| + abs}; a gradient (or
 * NONE's per-element values) when every element satisfies
 * {@code |dev - cpu| <= rel * |cpu| + rel * max|cpu|}, i.e. relative to the element and to the
 * tensor's largest entry (so cancellation in tiny entries is not held to a relative bound), plus an
 * absolute floor of {@value #FLOOR} for entries that are 0 in exact arithmetic (the CPU's double
 * rounding leaves ~1e-11 where float32 gives 0). NaN must match NaN and infinities must match
 * exactly. Each parity test documents its {@link Tol}; {@code docs/GPU.md} ("Parity tolerances")
 * lists the tolerance of every loss of the catalogue and why.
 */
final class Parity {
    /**
     * @param rel relative tolerance of values and gradients
     * @param abs absolute slack of the reduced value
     * @param floor absolute slack of every gradient element ({@value #FLOOR} unless a loss documents more)
     */
    record Tol(double rel, double abs, double floor) {
        Tol(double rel, double abs) {
            this(rel, abs, FLOOR);
        }
    }

    static final double FLOOR = 1e-9;

    private Parity() {
    }

    /** Computes on both engines and compares value, per-element values (NONE) and every gradient; also checks determinism. */
    static LossResult check(LossEngine device, Loss loss, Tol tol, Tensor... inputs) {
        LossResult ref = DeviceEngines.cpu().compute(loss, inputs);
        LossResult dev = device.compute(loss, inputs);
        String what = loss + " on " + describe(inputs);
        assertEquals(device.backend().active(), dev.backend(), "computed on the device: " + what);
        if (loss.reduction() == Reduction.NONE) {
            assertClose(ref.values().toFloatArray(), dev.values().toFloatArray(), tol.rel(), FLOOR, "values of " + what);
        } else {
            assertValue(ref.value(), dev.value(), tol, what);
        }
        for (int i = 0; i < inputs.length; i++) {
            assertEquals(ref.hasGradient(i), dev.hasGradient(i), "gradient " + i + " presence: " + what);
            if (ref.hasGradient(i)) {
                assertClose(ref.gradient(i).toFloatArray(), dev.gradient(i).toFloatArray(), tol.rel(), tol.floor(),
                        "gradient " + i + " of " + what);
            }
        }
        LossResult again = device.compute(loss, inputs);
        if (loss.reduction() != Reduction.NONE) {
            assertEquals(Double.doubleToRawLongBits(dev.value()), Double.doubleToRawLongBits(again.value()),
                    "same call twice gives the same bits: " + what);
        } else {
            assertBitwise(dev.values().toFloatArray(), again.values().toFloatArray(), "values twice: " + what);
        }
        for (int i = 0; i < inputs.length; i++) {
            if (dev.hasGradient(i)) {
                assertBitwise(dev.gradient(i).toFloatArray(), again.gradient(i).toFloatArray(), "gradient " + i + " twice: " + what);
            }
        }
        return dev;
    }

    /** Both backends refuse the inputs with the same exception message. */
    static void sameRefusal(LossEngine device, Loss loss, Tensor... inputs) {
        InvalidInputException ref = assertThrows(InvalidInputException.class, () -> DeviceEngines.cpu().compute(loss, inputs));
        Tensor[] grads = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (loss.differentiable(i)) {
                grads[i] = Tensor.zeros(inputs[i].shape());
                Arrays.fill(grads[i].floatArrayOrNull(), 42f);
            }
        }
        InvalidInputException dev = assertThrows(InvalidInputException.class, () -> device.computeInto(loss, inputs, grads));
        assertEquals(ref.getMessage(), dev.getMessage());
        for (Tensor g : grads) {
            if (g != null) {
                for (float v : g.floatArrayOrNull()) {
                    if (v != 42f) {
                        fail("gradient buffer written before the refusal: " + dev.getMessage());
                    }
                }
            }
        }
    }

    static void assertValue(double ref, double dev, Tol tol, String what) {
        if (Double.isNaN(ref) || Double.isInfinite(ref)) {
            assertEquals(ref, dev, "value of " + what);
            return;
        }
        if (!(Math.abs(dev - ref) <= tol.rel() * Math.abs(ref) + tol.abs())) {
            fail("value of " + what + ": cpu " + ref + ", device " + dev + " (|diff| " + Math.abs(dev - ref) + ")");
        }
    }

    static void assertClose(float[] ref, float[] dev, double rel, String what) {
        assertClose(ref, dev, rel, FLOOR, what);
    }

    static void assertClose(float[] ref, float[] dev, double rel, double floor, String what) {
        assertEquals(ref.length, dev.length, "length of " + what);
        double max = 0;
        for (float v : ref) {
            if (Float.isFinite(v)) {
                max = Math.max(max, Math.abs(v));
            }
        }
        for (int i = 0; i < ref.length; i++) {
            float r = ref[i];
            float d = dev[i];
            boolean ok;
            if (Float.isNaN(r) || Float.isInfinite(r)) {
                ok = Float.compare(r, d) == 0 || (Float.isNaN(r) && Float.isNaN(d));
            } else {
                ok = Math.abs((double) d - r) <= rel * Math.abs(r) + rel * max + floor;
            }
            if (!ok) {
                fail(what + ": element " + i + " cpu " + r + ", device " + d + " (max |cpu| " + max + ")");
            }
        }
    }

    static void assertBitwise(float[] a, float[] b, String what) {
        assertEquals(a.length, b.length, what);
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                fail(what + ": element " + i + " differs: " + a[i] + " vs " + b[i]);
            }
        }
    }

    static String describe(Tensor[] inputs) {
        StringBuilder sb = new StringBuilder();
        for (Tensor t : inputs) {
            sb.append(sb.length() == 0 ? "" : ", ").append(t.dtype()).append(Arrays.toString(t.shape()));
        }
        return sb.toString();
    }
}
