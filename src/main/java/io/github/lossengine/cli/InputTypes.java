package io.github.lossengine.cli;

import io.github.lossengine.DType;
import io.github.lossengine.HalfFloats;
import io.github.lossengine.Tensor;
import java.util.Locale;

/**
 * {@code --dtype fp32|bf16|fp16}: the float type {@code compute} and {@code bench} give their float
 * inputs. bf16 has no NumPy dtype, so a float32 {@code .npy} is rounded to bf16 on reading (to
 * nearest even), and the JSON line says so; {@code <f2} files are fp16 already. Stateless.
 */
final class InputTypes {
    private InputTypes() {
    }

    /** The dtype named by {@code --dtype}, or null (inputs as read). */
    static DType parse(String name) {
        if (name == null) {
            return null;
        }
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "fp32", "float32", "f32" -> DType.FLOAT32;
            case "bf16", "bfloat16" -> DType.BFLOAT16;
            case "fp16", "float16", "f16", "half" -> DType.FLOAT16;
            default -> throw new BadArgumentException("--dtype " + name + ": expected fp32, bf16 or fp16");
        };
    }

    /** {@code t} (a float tensor) in {@code dtype}: rounded to nearest even, or widened exactly; as it is for null. */
    static Tensor convert(Tensor t, DType dtype) {
        if (dtype == null || dtype == t.dtype()) {
            return t;
        }
        if (dtype == DType.FLOAT32) {
            return float32(t);
        }
        short[] bits = new short[Math.toIntExact(t.size())];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = HalfFloats.round(dtype, t.getFloat(i));
        }
        return dtype == DType.BFLOAT16 ? Tensor.ofBFloat16(bits, t.shape()) : Tensor.ofFloat16(bits, t.shape());
    }

    /** A float32 copy of a 16-bit tensor (exact), or {@code t} itself. */
    static Tensor float32(Tensor t) {
        return t.dtype().isHalf() ? Tensor.of(t.toFloatArray(), t.shape()) : t;
    }

    /** The JSON fields {@code dtype} (of input 1) and, when {@code --dtype} rounded the inputs, what it did. */
    static void describe(JsonObject json, Tensor[] inputs, DType asked) {
        if (asked == null && !inputs[0].dtype().isHalf()) {
            return;
        }
        json.put("dtype", inputs[0].dtype().name().toLowerCase(Locale.ROOT));
        if (asked != null && asked.isHalf()) {
            json.put("dtype_note", "float inputs rounded to " + asked.name().toLowerCase(Locale.ROOT)
                    + " (round to nearest even) on reading; gradients written as <f4, widened exactly");
        }
    }
}
